"""Pathways in the Wagtail admin, for site administrators. Creating one there
walks the same road as code: saving it makes its groups, landing page and
permissions (home.signals), and each edit brings them in step
(home.wagtail_hooks).
Also the moderation queues of whoever moderates, and, for site administrators
only, every notification that could not be delivered."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.audit import audit
from community.models import Gift, Pathway
from community.notifications.deliveries import do_retry_delivery
from community.permissions import (
    access_failed_delivery,
    can_review_all_deliveries,
    failed_deliveries_for,
    moderated_memberships,
)
from community.queries import open_queue


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
def audit_a_new_pathway(request, instance):
    if isinstance(instance, Pathway):
        audit(request.user, "pathway.create", pathway=instance, target=instance)


@hooks.register("after_edit_snippet")
def audit_a_pathway_edit(request, instance):
    if isinstance(instance, Pathway):
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


# Notifications that could not be delivered, for site administrators -------------

# How many the admin's list shows (it counts them all).
UNDELIVERED_SHOWN = 200


class UndeliveredMenuItem(MenuItem):
    def is_shown(self, request):
        return can_review_all_deliveries(request.user)


@hooks.register("register_admin_menu_item")
def register_undelivered_menu_item():
    return UndeliveredMenuItem(
        _("Undelivered notifications"),
        reverse("harbour_admin_deliveries"),
        icon_name="mail",
        order=160,
    )


@hooks.register("register_admin_urls")
def register_undelivered_admin_urls():
    return [
        path("deliveries/", admin_deliveries, name="harbour_admin_deliveries"),
        path(
            "deliveries/<int:pk>/retry/",
            admin_retry_delivery,
            name="harbour_admin_retry_delivery",
        ),
    ]


def admin_deliveries(request):
    """Every pathway's deliveries that were given up, newest first: what, to
    whom (display name, never an address), when and the last error."""
    if not can_review_all_deliveries(request.user):
        raise Http404("No such page")
    failed = failed_deliveries_for(request.user)
    return render(
        request,
        "community/admin_deliveries.html",
        {
            "deliveries": list(failed[:UNDELIVERED_SHOWN]),
            "count": failed.count(),
            "page_title": _("Undelivered notifications"),
            "header_icon": "mail",
        },
    )


@require_POST
def admin_retry_delivery(request, pk):
    found = access_failed_delivery(request.user, pk)
    do_retry_delivery(request.user, found)
    messages.success(request, gettext("Trying again."))
    return redirect("harbour_admin_deliveries")
