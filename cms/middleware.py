"""Site-wide request plumbing: who the client is behind the proxy, health
checks the balancer can reach, and a request id and user id on every log line.
"""

import logging
import re
import time
import uuid

from django.conf import settings
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
