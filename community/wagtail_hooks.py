"""Pathways in the Wagtail admin, for site administrators. Creating one there
walks the same road as code: its groups, landing page and permissions follow."""

from django import forms
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .actions import audit, sync_pathway_structure
from .models import Gift, Pathway
from .permissions import moderated_memberships
from .queries import open_queue


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
        FieldPanel("hold_all_when_unstaffed"),
    ]


register_snippet(PathwayViewSet)


class GiftViewSet(SnippetViewSet):
    """The presents catalogue: editors add, retire and order presents, and
    choose which pathways offer each."""

    model = Gift
    icon = "pick"
    menu_label = "Presents"
    list_display = ["name", "icon", "live", "position"]
    panels = [
        FieldPanel("name"),
        FieldPanel("icon"),
        FieldPanel("image"),
        FieldPanel("pathways", widget=forms.CheckboxSelectMultiple),
        FieldPanel("live"),
        FieldPanel("position"),
    ]


register_snippet(GiftViewSet)


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


# The moderation queues, in the admin too -----------------------------------------


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return moderated_memberships(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_moderation_menu_item():
    return ModerationMenuItem(
        _("Moderation"),
        reverse("harbour_admin_moderation"),
        icon_name="warning",
        order=150,
    )


@hooks.register("register_admin_urls")
def register_moderation_admin_url():
    return [
        path("moderation/", admin_moderation, name="harbour_admin_moderation"),
    ]


def admin_moderation(request):
    """Each pathway the person moderates: its waiting alerts and posts, oldest
    first (the same queue as the front-end page, where decisions are made)."""
    memberships = list(moderated_memberships(request.user))
    if not memberships:
        raise Http404("No such page")
    queues = []
    for membership in memberships:
        alerts, cases = open_queue(membership.pathway)
        queues.append((membership.pathway, alerts, cases))
    return render(
        request,
        "community/admin_moderation.html",
        {
            "queues": queues,
            "page_title": _("Moderation"),
            "header_icon": "warning",
        },
    )
