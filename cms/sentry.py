"""Errors to Sentry (sentry-sdk) without personal data.

Members write about their mental health; an error report must not carry it.
Sentry's own default already leaves out cookies, IP addresses and users'
details (`send_default_pii=False`); on top of that every event loses the
request body, query string, cookies and headers but a few harmless ones,
the user's email and name (the id stays, to find the audit trail), and any
email address in messages and breadcrumbs. Local variables are never sent.
"""

import os
import re
from typing import TYPE_CHECKING, Any, cast

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

if TYPE_CHECKING:
    from sentry_sdk.types import Event, Hint

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
KEPT_HEADERS = {"Host", "User-Agent", "X-Request-Id", "X-Request-ID"}


def _scrub_text(value: Any) -> Any:
    return EMAIL.sub("[email]", value) if isinstance(value, str) else value


def scrub_event(event: "Event", hint: "Hint | None" = None) -> "Event":
    """The event with member text and personal data taken out (see module)."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "query_string", "cookies", "env"):
            request.pop(key, None)
        headers = cast("dict[str, str]", request.get("headers") or {})
        request["headers"] = {
            name: value for name, value in headers.items() if name in KEPT_HEADERS
        }
        if "url" in request:
            request["url"] = cast(str, request["url"]).split("?", 1)[0]
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    if "message" in event:
        event["message"] = _scrub_text(event["message"])
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        logentry.pop("params", None)
        for key in ("message", "formatted"):
            if key in logentry:
                logentry[key] = _scrub_text(logentry[key])
    for exception in (event.get("exception") or {}).get("values") or []:
        exception["value"] = _scrub_text(exception.get("value"))
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else []
    for crumb in crumbs:
        crumb["message"] = _scrub_text(crumb.get("message"))
        crumb.pop("data", None)
    event.pop("extra", None)
    return event


def init_sentry(dsn: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=scrub_event,
        traces_sample_rate=0.0,
    )
