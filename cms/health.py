"""What the load balancer and monitoring ask (cms.middleware answers them
before any other middleware):

- `/health/`: the process is alive and answering. Touches nothing else, so a
  database outage does not make the balancer restart every app process.
- `/ready/`: this process can serve members: the database, Redis (cache and
  channel layer, when configured), media storage answer, and a background
  worker has beaten its heart lately (without one, risk alerts would stop
  escalating and deliveries stop). 503 names each part that failed.
"""

import asyncio
import logging
import uuid
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

from community.notifications.worker import worker_heartbeat_age

logger = logging.getLogger("harbour.health")
READY_TIMEOUT = 3


def alive(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache() -> None:
    key = f"harbour:ready:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)


async def _layer_round_trip() -> None:
    layer = get_channel_layer()
    if layer is None:
        raise RuntimeError("no channel layer")
    # A message to a new channel of this process and back: what a chat
    # broadcast needs, and nothing is left behind.
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "ready.probe"})
    await asyncio.wait_for(layer.receive(channel), timeout=READY_TIMEOUT)


def _channel_layer() -> None:
    async_to_sync(_layer_round_trip)()


def _storage() -> None:
    default_storage.exists("harbour-ready-probe")


def _worker() -> None:
    age = worker_heartbeat_age()
    limit = settings.HARBOUR_WORKER_STALE_SECONDS
    if age is None:
        raise RuntimeError("no worker has started")
    if age > limit:
        raise RuntimeError(f"last heartbeat {int(age)} s ago (limit {limit} s)")


CHECKS: dict[str, Callable[[], None]] = {
    "database": _database,
    "cache": _cache,
    "channel_layer": _channel_layer,
    "storage": _storage,
    "worker": _worker,
}


def ready(request) -> JsonResponse:
    """200 with every part "ok", or 503 with what failed for each part that
    did. The reasons are the exception's type and a short fixed text, never a
    connection string."""
    parts: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure is "not ready"
            reason = str(error) if isinstance(error, RuntimeError) else ""
            parts[name] = f"failed: {type(error).__name__}" + (
                f" ({reason})" if reason else ""
            )
            logger.warning("Not ready: %s %s", name, type(error).__name__)
        else:
            parts[name] = "ok"
    failed = [name for name, state in parts.items() if state != "ok"]
    response = JsonResponse(
        {"status": "failed" if failed else "ok", "failed": failed, "parts": parts},
        status=503 if failed else 200,
    )
    # Logged above, once a part: Django's "Service Unavailable" error line
    # would reach Sentry at every probe while the worker is down.
    # django-stubs leaves out this private flag that django.utils.log reads.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response
