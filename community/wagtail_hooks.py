"""Pathways in the Wagtail admin, for site administrators. Creating one there
walks the same road as code: its groups, landing page and permissions follow."""

from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .actions import audit, sync_pathway_structure
from .models import Pathway


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
    ]


register_snippet(PathwayViewSet)


@hooks.register("after_create_snippet")
def give_a_new_pathway_its_structure(request, instance):
    if isinstance(instance, Pathway):
        sync_pathway_structure(instance)
        audit(request.user, "pathway.create", pathway=instance, target=instance)


@hooks.register("after_edit_snippet")
def keep_pathway_structure_in_step(request, instance):
    if isinstance(instance, Pathway):
        sync_pathway_structure(instance)
        audit(request.user, "pathway.settings", pathway=instance, target=instance)
