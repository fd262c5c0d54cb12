"""Pathways in the Wagtail admin, for site administrators. Creating one there
walks the same road as code: saving it makes its groups, landing page and
permissions (home.signals), and each edit brings them in step
(home.wagtail_hooks). Each wing adds its own admin parts in its own
wagtail_hooks.py (presents, the moderation queues, undelivered
notifications), registered by community/apps.py."""

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.audit import audit
from community.models import Pathway


class PathwayViewSet(SnippetViewSet):
    model = Pathway
    icon = "group"
    menu_label = "Pathways"
    list_display = ["name", "slug", "minimum_age", "allow_join_requests"]
    search_fields = ["name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("minimum_age"),
        FieldPanel("premoderation_threshold"),
        FieldPanel("rule_packs"),
        FieldPanel("watched_words"),
        FieldPanel("direct_messages_allowed"),
        FieldPanel("allow_join_requests"),
        FieldPanel("support_chat_opens"),
        FieldPanel("support_chat_closes"),
        FieldPanel("reports_to_hide"),
        FieldPanel("alert_acknowledge_minutes"),
        FieldPanel("urgent_acknowledge_minutes"),
        FieldPanel("out_of_hours_email"),
        FieldPanel("out_of_hours_phone"),
        FieldPanel("hold_all_when_unstaffed"),
    ]


register_snippet(PathwayViewSet)


@hooks.register("after_create_snippet")
def audit_a_new_pathway(request, instance):
    if isinstance(instance, Pathway):
        audit(request.user, "pathway.create", pathway=instance, target=instance)


@hooks.register("after_edit_snippet")
def audit_a_pathway_edit(request, instance):
    if isinstance(instance, Pathway):
        audit(request.user, "pathway.settings", pathway=instance, target=instance)
