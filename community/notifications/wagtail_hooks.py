"""Notifications that could not be delivered, in the Wagtail admin, for site
administrators: what, to whom (a display name, never an address), when, the
last error, and a button to try again."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from community.notifications.deliveries import do_retry_delivery
from community.notifications.permissions import (
    access_failed_delivery,
    can_review_all_deliveries,
    failed_deliveries_for,
)

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
