"""The notifications socket: only the signed-in person's own notices reach
them, live; bad frames get an error and the socket stays up."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from community.models import Role
from community.notifications.actions import notify
from community.notifications.consumers import NotificationConsumer
from tests.factories import enrol_totp, make_member

pytestmark = pytest.mark.django_db(transaction=True)


async def connect(user):
    communicator = WebsocketCommunicator(
        NotificationConsumer.as_asgi(), "/ws/notifications/"
    )
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_a_person_hears_their_own_notices_and_no_one_elses(pathway):
    me, other = await database_sync_to_async(
        lambda: (make_member(pathway), make_member(pathway))
    )()
    mine, theirs = await connect(me), await connect(other)
    assert await mine.receive_json_from() == {"type": "ready"}
    assert await theirs.receive_json_from() == {"type": "ready"}
    await database_sync_to_async(notify)(me, pathway, "moderation", "Approved", "/x/")
    event = await mine.receive_json_from(timeout=2)
    assert (event["type"], event["message"], event["url"]) == (
        "notify",
        "Approved",
        "/x/",
    )
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.disconnect()
    await theirs.disconnect()


async def test_bad_frames_get_an_error_and_the_socket_stays_up(pathway):
    me = await database_sync_to_async(make_member)(pathway)
    socket = await connect(me)
    await socket.receive_json_from()
    await socket.send_to(text_data="not json")
    assert await socket.receive_json_from() == {"type": "error", "code": "not_json"}
    await socket.send_json_to({"type": "dance"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "unknown_frame",
    }
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_anonymous_sockets_are_told_and_closed():
    socket = await connect(AnonymousUser())
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "not_signed_in",
    }
    assert (await socket.receive_output())["code"] == 4401


async def test_deep_nesting_gets_an_error_and_the_socket_stays_up(pathway):
    me = await database_sync_to_async(make_member)(pathway)
    socket = await connect(me)
    await socket.receive_json_from()
    for text in ("[" * 8000, "[" * 900 + "]" * 900):
        await socket.send_to(text_data=text)
        assert (await socket.receive_json_from())["type"] == "error"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_staff_without_two_factor_are_told_and_closed(pathway):
    """As on pages and the chat socket: no notices (risk alerts among them)
    reach a staff account that has not set up two-factor."""
    clinician = await database_sync_to_async(make_member)(pathway, Role.CLINICIAN)
    socket = await connect(clinician)
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "two_factor_required",
    }
    assert (await socket.receive_output())["code"] == 4403
    await database_sync_to_async(enrol_totp)(clinician)
    socket = await connect(clinician)
    assert await socket.receive_json_from() == {"type": "ready"}
    await socket.disconnect()
