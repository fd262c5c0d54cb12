"""Site-wide request plumbing: who the client is behind the proxy, health
checks the balancer can reach, a request id and user id on every log line,
the headers every answer carries, and a 400 for odd input that views of
Wagtail and allauth do not check.
"""

import logging
import re
import time
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import NoReverseMatch
from django.utils.cache import patch_cache_control
from django.utils.datastructures import MultiValueDictKeyError
from django.utils.functional import empty

from . import health
from .logs import request_context

access_log = logging.getLogger("harbour.access")

# What a proxy's request id may look like (nginx's $request_id is 32 hex
# characters); anything else is replaced, so a client cannot put text of its
# own into the logs.
REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
HEALTH_PATHS = {"/health/": health.alive, "/ready/": health.ready}


class HealthCheckMiddleware:
    """Answers `/health/` and `/ready/` before anything else runs, so the
    balancer's probe needs no allowed host, no https redirect, no session and
    no language prefix. First in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        check = HEALTH_PATHS.get(request.path_info)
        if check is not None and request.method in {"GET", "HEAD"}:
            return check(request)
        return self.get_response(request)


def client_address(forwarded_for: str, peer: str, trusted_proxies: int) -> str:
    """The client's address given the peer that connected and the
    X-Forwarded-For header: each trusted proxy appends the address it saw, so
    with N proxies the client is the Nth entry from the right. Entries further
    left were written by the client and are never believed. With no trusted
    proxies, or a header shorter than the chain (the request did not come
    through it), the peer is the client."""
    if trusted_proxies <= 0 or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    if len(hops) < trusted_proxies:
        return peer
    return hops[-trusted_proxies] or peer


class ClientAddressMiddleware:
    """Sets REMOTE_ADDR to the client's address behind
    HARBOUR_TRUSTED_PROXY_COUNT proxies, so login and sign-up limits
    (allauth), and anything else that asks, count each client and not the
    balancer."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = settings.HARBOUR_TRUSTED_PROXY_COUNT

    def __call__(self, request):
        if self.trusted:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("HTTP_X_FORWARDED_FOR", ""),
                request.META.get("REMOTE_ADDR", ""),
                self.trusted,
            )
        return self.get_response(request)


def _user_id(request) -> int | None:
    """The signed-in user's id if something already loaded the user; never
    loads it (that would be a session query on requests that need none)."""
    user = getattr(request, "user", None)
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if getattr(user, "is_authenticated", False) else None


class RequestLogMiddleware:
    """Gives each request an id (the proxy's X-Request-ID when it looks like
    one, else a new one), returns it in the response's X-Request-ID, puts it
    and the user's id on every log line written while the request runs, and
    logs one access line: method, path without its query string (search
    terms stay out of the logs), status and milliseconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        started = time.perf_counter()
        with request_context(request_id, lambda: _user_id(request)):
            response = self.get_response(request)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
        response["X-Request-ID"] = request_id
        return response


# Browser features no page of Harbour uses, all off, for the page and anything
# it embeds (a video's page, a PDF): a page someone reads at 3 a.m. never asks
# for their camera, microphone or location, and cannot be asked to by an embed.
# Only features Chromium knows: it logs an error on every page for each one it
# does not (it did for ambient-light-sensor and bluetooth), which counts
# against the page in Lighthouse's best practices.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivacyHeadersMiddleware:
    """Every answer says which browser features are off (Permissions-Policy).
    A signed-in person's pages and every JSON answer are `private, no-store`:
    no shared cache or proxy keeps them, and the browser does not store them
    on the device, where the next person to pick up a shared phone could go
    back to them. Anonymous public pages and static files keep their own
    caching (static files are answered by WhiteNoise, before this runs)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        is_json = response.get("Content-Type", "").startswith("application/json")
        if signed_in or is_json:
            # Also over a `public` or `max-age` a view set for its own reasons.
            _drop_cache_directives(response, ("public", "max-age", "s-maxage"))
            patch_cache_control(response, private=True, no_store=True)
        return response


def _drop_cache_directives(response, names) -> None:
    kept = [
        part.strip()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip() and part.strip().split("=")[0].lower() not in names
    ]
    if kept:
        response["Cache-Control"] = ", ".join(kept)
    elif "Cache-Control" in response:
        del response["Cache-Control"]


def _is_odd_input(request, exception) -> bool:
    """Exceptions only a client's odd input raises in views that do not check
    it: a lookup given what is not a number or UUID ("²", "x" * 10_000), a
    number past what the database stores, a form field missing from a POST,
    a `next` that is not a path (redirect() takes a bare word as a view
    name)."""
    if isinstance(exception, MultiValueDictKeyError | OverflowError):
        return True
    if isinstance(exception, ValueError | TypeError | ValidationError):
        text = str(exception)
        return "expected a number but got" in text or "is not a valid UUID" in text
    if isinstance(exception, NoReverseMatch):
        wanted = request.GET.get("next") or (
            request.POST.get("next") if request.method == "POST" else ""
        )
        return bool(wanted) and not wanted.startswith("/")
    return False


class BadInputMiddleware:
    """Odd input is the client's mistake: answered 400 with a kind page and a
    warning in the log, not a 500 and an error report. Only the exceptions
    `_is_odd_input` names; anything else is still a fault and a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not _is_odd_input(request, exception):
            return None
        logging.getLogger("harbour.bad_input").warning(
            "Odd input to %s: %s", request.path, type(exception).__name__
        )
        return render(request, "400.html", status=400)
