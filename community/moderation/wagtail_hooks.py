"""The moderation queues in the Wagtail admin too, for whoever moderates (the
front-end queue page is where decisions are made)."""

from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from community.moderation.queries import open_queue
from community.permissions import moderated_memberships


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
