"""The ASGI application: HTTP through Django, sockets through Channels, and the
channel layer that REDIS_URL chooses."""

import asyncio
import os

import pytest
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator

from cms.asgi import SiteOriginValidator, application, socket_stack

pytestmark = pytest.mark.django_db(transaction=True)


async def test_http_is_served_through_asgi():
    # A page that needs no rows: transactional tests before this one may have
    # emptied the tables (locales included).
    communicator = HttpCommunicator(application, "GET", "/safety/")
    response = await communicator.get_response()
    assert response["status"] == 200
    assert b"How Harbour keeps people safe" in response["body"]


async def test_unknown_socket_paths_get_a_reason_and_a_4404_close():
    communicator = WebsocketCommunicator(
        application, "/ws/nowhere/", headers=[(b"origin", b"http://localhost")]
    )
    connected, _ = await communicator.connect()
    assert connected
    assert await communicator.receive_json_from() == {
        "type": "error",
        "code": "not_found",
    }
    assert (await communicator.receive_output())["code"] == 4404
    await communicator.disconnect()


async def test_sockets_from_foreign_origins_are_refused():
    """The socket stack checks the Origin against ALLOWED_HOSTS (read once at
    start-up; the test settings allow any host, so rebuild it with a real list)."""
    validator = application.application_mapping["websocket"]
    assert isinstance(validator, SiteOriginValidator)
    strict = SiteOriginValidator(validator.application, ["harbour.example.nhs.uk"])
    foreign = WebsocketCommunicator(
        strict, "/ws/x/", headers=[(b"origin", b"https://evil.example")]
    )
    assert (await foreign.connect())[0] is False
    own = WebsocketCommunicator(
        strict, "/ws/x/", headers=[(b"origin", b"https://harbour.example.nhs.uk")]
    )
    assert (await own.connect())[0] is True
    await own.disconnect()


async def _opens(stack, origin: bytes) -> bool:
    communicator = WebsocketCommunicator(stack, "/ws/x/", headers=[(b"origin", origin)])
    connected, _ = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


async def test_production_sockets_open_only_from_the_sites_own_origin():
    """Production passes the site's origins (the list CSRF trusts too): the
    scheme and port must match as well as the host."""
    stack = socket_stack(["https://harbour.example.nhs.uk"])
    assert await _opens(stack, b"https://harbour.example.nhs.uk")
    assert not await _opens(stack, b"http://harbour.example.nhs.uk")
    assert not await _opens(stack, b"https://harbour.example.nhs.uk:8443")
    assert not await _opens(stack, b"https://evil.example")
    assert not await _opens(stack, b"\xff\xfe not a url")


async def test_a_refused_socket_reads_nothing_from_the_channel_layer():
    """A refusal takes no channel on the layer: Channels' own denier left a
    read pending until the client said goodbye, and on Redis one that never
    did held up the event loop's shutdown for good."""
    stack = socket_stack(["https://harbour.example.nhs.uk"])
    assert not await _opens(stack, b"https://evil.example")
    left = asyncio.all_tasks() - {asyncio.current_task()}
    assert not [t for t in left if t.get_coro().__qualname__.endswith("Layer.receive")]


async def test_channel_layer_round_trip():
    layer = get_channel_layer()
    if os.environ.get("HARBOUR_REQUIRE_SERVICES"):
        assert type(layer).__name__ == "RedisChannelLayer"
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "probe", "n": 1})
    received = await asyncio.wait_for(layer.receive(channel), timeout=10)
    assert received == {"type": "probe", "n": 1}
