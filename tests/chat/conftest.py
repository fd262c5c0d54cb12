"""Chat fixtures: a pathway's room, its members, the channel layer a socket
test runs on (in-memory and Redis), and a recorder of what actions broadcast."""

import os
import threading
import uuid

import pytest
import time_machine
from channels.layers import channel_layers
from django.db import connection
from django.utils import timezone

from chat.models import Message, Room
from cms.settings.base import redis_channel_layer
from community.models import Role
from tests.factories import make_member, make_trusted

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7"
REQUIRED = bool(os.environ.get("HARBOUR_REQUIRE_SERVICES"))


@pytest.fixture
def room(pathway):
    return Room.objects.get(pathway=pathway, is_default=True)


@pytest.fixture
def member(pathway):
    """A trusted member: their messages are published at once."""
    return make_trusted(pathway, display_name="Maple")


@pytest.fixture
def one_rate_window():
    """The clock held still, so the sends a test counts against the rate
    limit (a fixed window of RATE_SECONDS) fall in one window: on a slow run
    two sends straddled a window's end and the one too many went through."""
    with time_machine.travel(timezone.now(), tick=False):
        yield


@pytest.fixture
def clinician(pathway):
    return make_member(pathway, Role.CLINICIAN, display_name="Dr Birch")


def stored(room, author, body: str, **fields) -> Message:
    """A message stored as it is, with the room's next number (taken as it
    is saved: Message._do_insert), without the pipeline: for tests that need
    many rows or a given status."""
    return Message.objects.create(
        room=room,
        pathway=room.pathway,
        author=author,
        body=body,
        client_id=fields.pop("client_id", uuid.uuid4()),
        **fields,
    )


def at_once(work, threads: int) -> list:
    """Run `work()` in `threads` threads started together, each on its own
    database connection (closed after), and return what each returned, in
    the order they finished. Raises the first error any of them raised."""
    start = threading.Barrier(threads)
    results, errors = [], []

    def run():
        try:
            start.wait(5)
            results.append(work())
        except Exception as error:  # noqa: BLE001 - raised below
            errors.append(error)
        finally:
            connection.close()

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(60)
    if errors:
        raise errors[0]
    assert len(results) == threads, "a thread did not finish"
    return results


class RecordingLayer:
    """Stands in for the channel layer: keeps (group, event) in order."""

    def __init__(self):
        self.sent: list[tuple[str, dict]] = []

    async def group_send(self, group, event):
        self.sent.append((group, event))


@pytest.fixture
def broadcasts(monkeypatch):
    """What actions sent through the channel layer (after commit)."""
    layer = RecordingLayer()
    monkeypatch.setattr(
        "community.notifications.events.get_channel_layer", lambda: layer
    )
    return layer.sent


def _redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means not reachable
        return False
    return True


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    """Each socket test runs on the in-memory layer and on Redis. Without
    Redis the Redis run is skipped, but fails when HARBOUR_REQUIRE_SERVICES
    is set (CI), as the rest of the suite's service checks do."""
    if request.param == "redis":
        if not _redis_reachable():
            if REQUIRED:
                pytest.fail(f"Redis is required and unreachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        # The site's own Redis layer settings, with a prefix of this test's.
        config = redis_channel_layer(REDIS_URL, prefix=f"harbour-test-{uuid.uuid4()}")
    else:
        config = {"BACKEND": "channels.layers.InMemoryChannelLayer"}
    settings.CHANNEL_LAYERS = {"default": config}
    channel_layers.backends.clear()
    yield request.param
    channel_layers.backends.clear()
