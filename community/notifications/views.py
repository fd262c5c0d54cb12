"""Thin entries for how notices reach a member: the settings page, the two
JSON endpoints push.js calls to subscribe a phone or forget it, and the
service worker at the site root. Each parses, calls one action in
notifications.py and shows its answer."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from community.notifications import actions as notifications
from community.notifications.forms import NotificationEmailForm
from community.web import install
from community.web.forms import posted
from community.web.middleware import json_endpoint


@login_required
def notification_settings(request):
    """The member's own choice of email (as they happen, daily, never) and
    web push; the bell is always on."""
    user = request.user
    form = NotificationEmailForm(
        posted(request),
        initial={
            "email_notifications": user.email_notifications,
            "notice_details": user.notice_details,
        },
    )
    if request.method == "POST":
        if request.POST.get("form") == "push_off":
            notifications.do_set_notification_settings(user, web_push=False)
            messages.success(request, _("Harbour won't send to your phones any more."))
            return redirect("community:notification_settings")
        if form.is_valid():
            notifications.do_set_notification_settings(user, **form.cleaned_data)
            messages.success(request, _("Your choices are saved."))
            return redirect("community:notification_settings")
    return render(
        request,
        "community/notification_settings.html",
        {
            "form": form,
            "push_available": notifications.push_available(),
            "vapid_public_key": settings.VAPID_PUBLIC_KEY,
            "phones": user.push_subscriptions.count(),
        },
    )


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _json_body(request):
    """The request's JSON, or None when it is too big or not JSON."""
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    if len(body) > notifications.MAX_SUBSCRIPTION_BYTES:
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser
        return None


@json_endpoint
@login_required
@require_POST
def add_push_subscription(request):
    """push.js sends this phone's subscription (JSON, with the CSRF token):
    201 when stored, 400 with a JSON `error` when it can't be."""
    if not notifications.push_available():
        return _error(_("Phone notifications aren't available on this site."))
    data = _json_body(request)
    if data is None:
        return _error(_("Send the subscription as JSON (at most 4 KB)."))
    try:
        notifications.do_add_push_subscription(request.user, data)
    except notifications.PushSubscriptionError as error:
        return _error(str(error))
    return JsonResponse({"ok": True}, status=201)


@json_endpoint
@login_required
@require_POST
def remove_push_subscription(request):
    """push.js asks to forget this phone (`{"endpoint": ...}`): 200 when it
    was the member's, 404 when there is no such subscription of theirs (whose
    else it might be is not said), 400 for bad JSON."""
    data = _json_body(request)
    if not isinstance(data, dict):
        return _error(_("Send the endpoint as JSON."))
    if not notifications.do_remove_push_subscription(
        request.user, data.get("endpoint")
    ):
        return _error(_("This phone wasn't set up for notifications."), status=404)
    return JsonResponse({"ok": True})


@json_endpoint
@csrf_exempt
@require_POST
def renew_push_subscription(request):
    """The service worker's `pushsubscriptionchange` sends
    `{"old_endpoint": ..., "subscription": {...}}`: 200 when the new
    subscription replaced the old, 404 when Harbour knows no such old
    endpoint, 400 for bad JSON or a subscription it will not store. No
    session or CSRF token (a worker has neither): the old endpoint, a secret,
    is the proof (notifications.do_renew_push_subscription)."""
    data = _json_body(request)
    if not isinstance(data, dict):
        return _error(_("Send the old endpoint and the new subscription as JSON."))
    try:
        renewed = notifications.do_renew_push_subscription(
            data.get("old_endpoint"), data.get("subscription")
        )
    except notifications.PushSubscriptionError as error:
        return _error(str(error))
    if not renewed:
        return _error(_("This phone wasn't set up for notifications."), status=404)
    return JsonResponse({"ok": True})


def _default_language_path(name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name)


@require_safe
def service_worker(request):
    """The service worker, served from the site root so it may show push
    notices and answer for every page of the site. It keeps the shell and
    the offline page (community.web.install) under cache names that change
    with them."""
    template = "community/service_worker.js"
    shell = install.shell_urls()
    source = get_template(template).template.source
    context = {
        "shell": json.dumps(shell),
        # The signed-out copy kept on install is in the site's language.
        "offline_url": json.dumps(_default_language_path("offline")),
        "renew_url": json.dumps(reverse("community:push_renew")),
        "vapid_public_key": json.dumps(settings.VAPID_PUBLIC_KEY),
    }
    context["version"] = json.dumps(
        install.shell_version(source, *map(str, context.values()))
    )
    response = HttpResponse(
        render_to_string(template, context),
        content_type="text/javascript; charset=utf-8",
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
