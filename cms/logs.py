"""Log lines: one JSON object a line in production (time, level, logger,
message, request id, user id), plain text with time and level for the demo;
never an email address, whatever a library puts into a message.

The request id and user id come from a context variable the request
middleware sets (cms.middleware.RequestLogMiddleware), so every line written
while a request runs carries them, in Django's thread or Channels' alike.
"""

import contextlib
import contextvars
import logging
import re
from collections.abc import Callable, Iterator

from pythonjsonlogger.json import JsonFormatter

_request: contextvars.ContextVar[tuple[str, Callable[[], int | None]] | None] = (
    contextvars.ContextVar("harbour_request", default=None)
)

# Database errors quote the row they stopped on ("Key (email)=(…)"), and
# libraries put addresses in their messages: logs must not keep them.
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
REDACTED = "[email]"


@contextlib.contextmanager
def request_context(
    request_id: str, user_id: Callable[[], int | None]
) -> Iterator[None]:
    """Lines logged inside carry `request_id` and `user_id()` (asked when a
    line is written, so a user who signs in during the request shows)."""
    token = _request.set((request_id, user_id))
    try:
        yield
    finally:
        _request.reset(token)


class RequestContextFilter(logging.Filter):
    """Adds `request_id` and `user_id` to every record (None outside a
    request) and takes email addresses out of the message (the formatters
    take them out of tracebacks)."""

    def filter(self, record: logging.LogRecord) -> bool:
        current = _request.get()
        record.request_id = current[0] if current else None
        try:
            record.user_id = current[1]() if current else None
        except Exception:  # noqa: BLE001 - a log line must never fail the request
            record.user_id = None
        message = record.getMessage()
        if EMAIL.search(message):
            record.msg, record.args = EMAIL.sub(REDACTED, message), ()
        return True


class RedactedTracebacks(logging.Formatter):
    """A formatter mixin: no email address in a traceback either."""

    def formatException(self, ei) -> str:  # noqa: N802 - logging's name
        return EMAIL.sub(REDACTED, super().formatException(ei))


class HarbourTextFormatter(RedactedTracebacks, logging.Formatter):
    """Text lines with time, level, logger and request id."""


class HarbourJsonFormatter(RedactedTracebacks, JsonFormatter):
    """JSON lines with `time`, `level`, `logger` and `message` always first."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "fmt", "{asctime}{levelname}{name}{message}{request_id}{user_id}"
        )
        kwargs.setdefault("style", "{")
        kwargs.setdefault(
            "rename_fields",
            {"asctime": "time", "levelname": "level", "name": "logger"},
        )
        kwargs.setdefault("datefmt", "%Y-%m-%dT%H:%M:%S%z")
        super().__init__(*args, **kwargs)


def logging_config(fmt: str, level: str) -> dict:
    """Django's LOGGING for `fmt` ("json" or "text") at root `level`."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": RequestContextFilter}},
        "formatters": {
            "json": {"()": HarbourJsonFormatter},
            "text": {
                "()": HarbourTextFormatter,
                "fmt": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] "
                "%(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request"],
                "formatter": fmt if fmt in {"json", "text"} else "json",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "harbour": {"level": "INFO"},
            # Wagtail logs every page save and background task at INFO.
            "wagtail": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
            # Uvicorn's own access line has the query string (search terms):
            # RequestLogMiddleware writes one without it instead.
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }
