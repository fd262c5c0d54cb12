"""The chat socket, on the in-memory channel layer and on Redis: joining
brings what was missed in order, sends are acked with their number and reach
the room once, bad frames get an error and the socket stays up, and access is
asked at every step."""

import asyncio
import json
import uuid
from datetime import datetime, timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from chat import actions
from chat.consumers import ChatConsumer
from chat.events import chat_user_group, room_group
from chat.models import Message, Presence
from community.actions import do_block
from community.models import CrisisContact, Membership, MembershipStatus, Role
from tests.chat.conftest import stored
from tests.factories import enrol_totp, make_member, make_trusted, put_on_duty

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("channel_layer"),
]

db = database_sync_to_async
# How long to wait for a frame that must come (generous: a loaded machine and
# Redis are slower than the in-memory layer).
WAIT = 10


class Socket(WebsocketCommunicator):
    """A test client that passes over frames about people (who is here, read
    receipts) unless a test asks for them by emptying `ignore`: most tests
    are about messages, and those frames come whenever anyone joins."""

    ignore = frozenset({"presence", "receipt"})

    async def receive_json_from(self, timeout=1):
        while True:
            frame = await super().receive_json_from(timeout)
            if frame.get("type") not in self.ignore:
                return frame

    async def receive_nothing(self, timeout=0.1, interval=0.01):
        while not await super().receive_nothing(timeout, interval):
            frame = json.loads((await self.receive_output())["text"])
            if frame.get("type") not in self.ignore:
                return False
        return True


async def connect(user, query=""):
    socket = Socket(ChatConsumer.as_asgi(), f"/ws/chat/{query}")
    socket.scope["user"] = user
    connected, _ = await socket.connect()
    assert connected
    return socket


async def ready(user):
    socket = await connect(user)
    assert await socket.receive_json_from() == {"type": "ready"}
    return socket


async def joined(user, room, after=None):
    """A socket of `user` in `room`, and the frames the join brought."""
    socket = await ready(user)
    frame = {"type": "join", "room": room.pk}
    if after is not None:
        frame["after"] = after
    await socket.send_json_to(frame)
    frames = await until(socket, "joined")
    return socket, frames


async def with_another(member, room, **fields):
    """`member`'s socket and a trusted second member's, both in `room`."""
    other = await db(make_trusted)(room.pathway, **fields)
    mine, _ = await joined(member, room)
    theirs, _ = await joined(other, room)
    return mine, theirs


async def close(*sockets):
    for socket in sockets:
        await socket.disconnect()


async def until(socket, kind, timeout=WAIT):
    """Frames up to and including the first of type `kind`."""
    frames = []
    while True:
        frames.append(await socket.receive_json_from(timeout=timeout or WAIT))
        if frames[-1]["type"] == kind:
            return frames


async def send(socket, room, body, client_id=None):
    client_id = str(client_id or uuid.uuid4())
    await socket.send_json_to(
        {"type": "send", "room": room.pk, "client_id": client_id, "body": body}
    )
    return client_id


def crisis_line(pathway):
    """Transactional tests empty the tables, national contacts included."""
    from wagtail.models import Locale

    CrisisContact.objects.create(
        pathway=pathway,
        name="Perinatal crisis line",
        phone="0800 123 456",
        description="Day and night",
        locale=Locale.get_default(),
    )


def seqs(frames):
    return [f["seq"] for f in frames if f["type"] == "message"]


async def test_a_join_sends_what_was_missed_in_order_then_joined(room, member):
    other = await db(make_trusted)(room.pathway)
    for n in range(4):
        await db(stored)(room, other, f"m{n + 1}")
    socket, frames = await joined(member, room, after=1)
    assert [(f["seq"], f["body"]) for f in frames[:-1]] == [
        (2, "m2"),
        (3, "m3"),
        (4, "m4"),
    ]
    at = frames[-1].pop("at")
    assert frames[-1] == {
        "type": "joined",
        "room": room.pk,
        "name": room.name,
        "last_seq": 4,
        "complete": True,
    }
    assert datetime.fromisoformat(at).tzinfo is not None
    await socket.disconnect()


async def test_a_send_is_acked_and_reaches_everyone_in_the_room(room, member):
    mine, theirs = await with_another(member, room)
    client_id = await send(mine, room, "Hello both")
    ack = await mine.receive_json_from(timeout=WAIT)
    assert ack == {
        "type": "ack",
        "room": room.pk,
        "client_id": client_id,
        "seq": 1,
        "status": "published",
    }
    own = await mine.receive_json_from(timeout=WAIT)
    heard = await theirs.receive_json_from(timeout=WAIT)
    assert own == heard
    assert (heard["type"], heard["seq"], heard["body"]) == ("message", 1, "Hello both")
    assert heard["author"] == {"id": member.pk, "name": "Maple", "staff": False}
    assert await theirs.receive_nothing(timeout=0.2)
    await close(mine, theirs)


async def test_frames_and_events_reach_the_database_only_through_its_thread(
    room, member, monkeypatch
):
    """The consumer skips Channels' extra hop to close stale connections
    before each handler (a thread hop per frame and per reader of every
    message): its database work runs in `database_sync_to_async`, which
    closes them there, before and after."""
    import channels.consumer
    import channels.db

    hops, closes = [], []
    monkeypatch.setattr(
        channels.consumer, "aclose_old_connections", lambda: hops.append(1)
    )
    real_close = channels.db.close_old_connections

    def counted_close(**kwargs):
        closes.append(1)
        real_close(**kwargs)

    monkeypatch.setattr(channels.db, "close_old_connections", counted_close)
    mine, theirs = await with_another(member, room)
    await send(mine, room, "Hello both")
    await until(mine, "ack")
    await until(theirs, "message")
    assert hops == [] and closes
    await close(mine, theirs)


async def test_a_sends_events_go_out_from_the_sockets_event_loop(
    room, member, monkeypatch
):
    """The database thread does not hand the room's event to the loop and
    wait for it (a hop there and back on every message): the consumer sends
    what the send's commit held, before the ack (chat.consumers._on_database)."""
    import community.notifications.events

    def no_hop(*args, **kwargs):
        raise AssertionError("the database thread waited on the event loop")

    monkeypatch.setattr(community.notifications.events, "async_to_sync", no_hop)
    mine, theirs = await with_another(member, room)
    client_id = await send(mine, room, "Hello both")
    ack, own = await mine.receive_json_from(WAIT), await mine.receive_json_from(WAIT)
    assert (ack["type"], ack["client_id"], ack["seq"]) == ("ack", client_id, 1)
    assert (own["type"], own["seq"]) == ("message", 1)
    heard = await theirs.receive_json_from(WAIT)
    assert (heard["type"], heard["body"]) == ("message", "Hello both")
    await close(mine, theirs)


async def test_a_repeated_client_id_is_acked_again_and_heard_once(room, member):
    mine, theirs = await with_another(member, room)
    client_id = await send(mine, room, "Once")
    first = await until(mine, "message")
    await send(mine, room, "Once", client_id)
    again = await mine.receive_json_from(timeout=WAIT)
    assert again["type"] == "ack" and again["seq"] == first[0]["seq"] == 1
    assert await mine.receive_nothing(timeout=0.3)
    assert seqs([await theirs.receive_json_from(timeout=WAIT)]) == [1]
    assert await theirs.receive_nothing(timeout=0.3)
    assert await db(Message.objects.count)() == 1
    await close(mine, theirs)


async def test_bad_frames_get_an_error_and_the_socket_stays_up(room, member):
    socket = await ready(member)
    cases = [
        ("not json", {"type": "error", "code": "not_json"}),
        ("[1, 2]", {"type": "error", "code": "unknown_frame"}),
        ('{"type": "dance"}', {"type": "error", "code": "unknown_frame"}),
        ('{"type": "join"}', {"type": "error", "code": "bad_frame", "field": "room"}),
        (
            '{"type": "join", "room": "1; drop"}',
            {"type": "error", "code": "bad_frame", "field": "room"},
        ),
        (
            f'{{"type": "send", "room": {room.pk}, "body": "hi"}}',
            {"type": "error", "code": "bad_frame", "field": "client_id"},
        ),
        (
            '{"type": "history", "room": 1}',
            {"type": "error", "code": "bad_frame", "field": "before"},
        ),
        ("x" * 100_000, {"type": "error", "code": "too_long"}),
        (
            '{"type": "join", "room": 999999}',
            {"type": "error", "code": "not_found", "room": 999999},
        ),
    ]
    for text, expected in cases:
        await socket.send_to(text_data=text)
        assert await socket.receive_json_from(timeout=WAIT) == expected, text
    client_id = await send(socket, room, "x" * 4001)
    error = await socket.receive_json_from(timeout=WAIT)
    assert (error["code"], error["client_id"]) == ("too_long", client_id)
    assert "4000 characters" in error["message"]
    await send(socket, room, "hi", client_id="not-a-uuid")
    assert (await socket.receive_json_from(timeout=WAIT))["code"] == "bad_client_id"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from(timeout=WAIT) == {
        "type": "pong",
        "last_seq": {},
    }
    assert await db(Message.objects.count)() == 0
    await socket.disconnect()


async def test_deep_nesting_and_huge_numbers_get_an_error_and_the_socket_stays_up(
    room, member
):
    socket = await ready(member)
    cases = [
        ("[" * 8000, "not_json"),
        ("[" * 2000 + "]" * 2000, "not_json"),
        (f'{{"type": "join", "room": {10**30}}}', "bad_frame"),
        (f'{{"type": "history", "room": {room.pk}, "before": {10**30}}}', "bad_frame"),
    ]
    for text, code in cases:
        await socket.send_to(text_data=text)
        assert (await socket.receive_json_from(timeout=WAIT))["code"] == code, text
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "pong"
    await socket.disconnect()


async def test_a_fault_is_told_and_logged_and_a_client_gone_is_neither(
    room, member, monkeypatch, caplog
):
    """A frame that fails inside the server gets a `server_error` event, is
    logged as an error, and the socket stays up. One whose client went away
    meanwhile (the ASGI server's send() raises an OSError, as uvicorn's
    ClientDisconnected) is no fault: nothing logged as an error, nothing
    raised into the server."""

    def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(actions, "check_join", broken)
    socket = await ready(member)
    with caplog.at_level("INFO", logger="chat.consumers"):
        await socket.send_json_to({"type": "join", "room": room.pk})
        assert await socket.receive_json_from(timeout=WAIT) == {
            "type": "error",
            "code": "server_error",
            "room": room.pk,
        }
    assert [r.levelname for r in caplog.records] == ["ERROR"]
    await socket.send_json_to({"type": "ping"})
    assert (await socket.receive_json_from(timeout=WAIT))["type"] == "pong"
    await socket.disconnect()

    caplog.clear()
    socket = await ready(member)

    async def gone(*args, **kwargs):
        raise OSError("the client has gone")

    monkeypatch.setattr(ChatConsumer, "send_json", gone)
    with caplog.at_level("INFO", logger="chat.consumers"):
        await socket.send_json_to({"type": "join", "room": room.pk})
        for _ in range(100):
            if caplog.records:
                break
            await asyncio.sleep(0.05)
    assert [r.levelname for r in caplog.records] == ["INFO"]
    assert "the client had gone" in caplog.records[0].getMessage()
    assert not socket.future.done()  # nothing was raised into the server
    await socket.disconnect()


async def forget_groups(*groups):
    """What a Redis that restarts does to the channel layer: its groups are
    gone, while the sockets (and their connection pools) carry on."""
    from channels.layers import InMemoryChannelLayer, get_channel_layer

    layer = get_channel_layer()
    for group in groups:
        if isinstance(layer, InMemoryChannelLayer):
            layer.groups.pop(group, None)
        else:
            connection = layer.connection(layer.consistent_hash(group))
            await connection.delete(layer._group_key(group))


async def test_a_heartbeat_mends_what_a_redis_restart_forgot(room, member):
    """The room's group is forgotten: a message's live copy reaches nobody.
    The next ping joins the socket's groups again, and its pong says how far
    the room has got, so the page joins again and fetches what it lost; the
    next message comes live."""
    mine, theirs = await with_another(member, room)
    await forget_groups(room_group(room.pk), chat_user_group(member.pk))
    await send(theirs, room, "Lost live")
    await until(theirs, "ack")
    assert await mine.receive_nothing(timeout=0.3)

    await mine.send_json_to({"type": "ping"})
    pong = (await until(mine, "pong"))[-1]
    assert pong == {"type": "pong", "last_seq": {str(room.pk): 1}}
    await send(theirs, room, "Heard")
    heard = [f for f in await until(mine, "message") if f["type"] == "message"]
    assert [(f["seq"], f["body"]) for f in heard] == [(2, "Heard")]
    await close(mine, theirs)


async def test_an_outsider_cannot_join_send_or_hear(room, member, other_pathway):
    outsider = await db(make_member)(other_pathway)
    socket = await ready(outsider)
    await socket.send_json_to({"type": "join", "room": room.pk})
    assert await socket.receive_json_from(timeout=WAIT) == {
        "type": "error",
        "code": "not_found",
        "room": room.pk,
    }
    client_id = await send(socket, room, "Let me in")
    error = await socket.receive_json_from(timeout=WAIT)
    assert (error["code"], error["client_id"]) == ("not_found", client_id)
    insider, _ = await joined(member, room)
    await send(insider, room, "Only for us")
    await until(insider, "message")
    assert await socket.receive_nothing(timeout=0.3)
    assert await db(Message.objects.count)() == 1
    await close(socket, insider)


async def test_a_member_removed_mid_session_is_cut_off_at_once(room, member):
    mine, theirs = await with_another(member, room)
    membership = await db(Membership.objects.get)(user=member, pathway=room.pathway)
    membership.status = MembershipStatus.SUSPENDED
    await db(membership.save)()
    assert await mine.receive_json_from(timeout=WAIT) == {
        "type": "error",
        "code": "not_found",
        "room": room.pk,
    }
    await send(theirs, room, "Still here")
    await until(theirs, "message")
    assert await mine.receive_nothing(timeout=0.3)  # hears nothing more
    await send(mine, room, "Can I?")
    assert (await mine.receive_json_from(timeout=WAIT))["code"] == "not_found"
    assert await db(Message.objects.filter(author=member).count)() == 0
    await close(mine, theirs)


async def test_a_removal_no_signal_announced_is_caught_at_the_next_frame(room, member):
    """A bulk update sends no signal, so no event cuts the socket off: the
    next frame asks the access layer, finds no room, and leaves it."""
    mine, theirs = await with_another(member, room)
    await db(Membership.objects.filter(user=member, pathway=room.pathway).update)(
        status=MembershipStatus.SUSPENDED
    )
    await mine.send_json_to({"type": "join", "room": room.pk, "after": 0})
    assert (await mine.receive_json_from(timeout=WAIT))["code"] == "not_found"
    await send(theirs, room, "After you left")
    await until(theirs, "message")
    assert await mine.receive_nothing(timeout=0.3)
    await close(mine, theirs)


async def test_a_held_message_goes_to_its_author_only(room, member):
    newcomer = await db(make_member)(room.pathway)
    mine, _ = await joined(newcomer, room)
    theirs, _ = await joined(member, room)
    await send(mine, room, "First time here")
    frames = await until(mine, "message")
    assert frames[0]["status"] == "held" and frames[0]["type"] == "ack"
    assert frames[-1]["body"] == "First time here" and frames[-1]["status"] == "held"
    assert await theirs.receive_json_from(timeout=WAIT) == {
        "type": "skip",
        "room": room.pk,
        "seq": 1,
    }
    assert await theirs.receive_nothing(timeout=0.3)
    await close(mine, theirs)


async def test_a_client_that_drops_mid_stream_gets_every_message_once_in_order(
    room, member
):
    """The reader drops after the second of five messages; two more are sent
    while it is away; it comes back with the last number it saw and gets the
    rest exactly once, then live traffic, in order."""
    writer = await db(make_trusted)(room.pathway)
    sending, _ = await joined(writer, room)
    reading, _ = await joined(member, room)
    seen = []
    for n in range(1, 6):
        await send(sending, room, f"m{n}")
        await until(sending, "message")
        if n <= 2:
            seen += seqs([await reading.receive_json_from(timeout=WAIT)])
        if n == 2:
            await reading.disconnect()
    reading, frames = await joined(member, room, after=seen[-1])
    seen += seqs(frames)
    assert frames[-1]["last_seq"] == 5
    await send(sending, room, "m6")
    seen += seqs([await reading.receive_json_from(timeout=WAIT)])
    assert seen == [1, 2, 3, 4, 5, 6]
    assert await reading.receive_nothing(timeout=0.3)
    await close(sending, reading)


async def test_live_messages_already_in_the_join_backlog_are_not_sent_twice(
    room, member
):
    """A message committed after the socket joined the room's group but
    before it read the backlog comes both ways: in the backlog, and live just
    after. The socket sends it once."""
    from channels.layers import get_channel_layer

    from chat import events

    socket, _ = await joined(member, room)
    writer = await db(make_trusted)(room.pathway)
    message = await db(stored)(room, writer, "both ways")
    await socket.send_json_to({"type": "join", "room": room.pk, "after": 0})
    assert seqs(await until(socket, "joined")) == [1]
    late = await db(lambda: events.message_frame(message, own=False))()
    await get_channel_layer().group_send(
        events.room_group(room.pk),
        events.message_event("chat.message", late, writer.pk),
    )
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_the_writer_sees_a_rewrite_request_and_crisis_contacts(room, member):
    room.pathway.watched_words = "pro-ana"
    await db(room.pathway.save)()
    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(put_on_duty)(room.pathway, clinician)
    await db(crisis_line)(room.pathway)
    socket, _ = await joined(member, room)
    client_id = await send(socket, room, "anyone pro-ana here")
    error = await socket.receive_json_from(timeout=WAIT)
    assert (error["type"], error["code"], error["client_id"]) == (
        "error",
        "rewrite",
        client_id,
    )
    assert error["messages"]
    client_id = await send(socket, room, "I want to kill myself")
    frames = await until(socket, "crisis")
    assert frames[0]["type"] == "ack" and frames[0]["status"] == "published"
    crisis = frames[-1]
    assert crisis["client_id"] == client_id and crisis["messages"]
    # The pathway's own line first; the national ones (rows the migrations
    # add, unless a transactional test before this one emptied them) after.
    assert crisis["contacts"][0] == {
        "name": "Perinatal crisis line",
        "phone": "0800 123 456",
        "href": "tel:0800123456",
        "description": "Day and night",
    }
    await socket.disconnect()


async def test_sending_too_fast_gets_a_clear_error(
    room, member, monkeypatch, one_rate_window
):
    monkeypatch.setattr("chat.actions.RATE_MESSAGES", 2)
    socket = await ready(member)
    for _ in range(2):
        await send(socket, room, "hi")
        assert (await socket.receive_json_from(timeout=WAIT))["type"] == "ack"
    await send(socket, room, "hi")
    error = await socket.receive_json_from(timeout=WAIT)
    assert error["code"] == "rate_limited" and "wait a few seconds" in error["message"]
    await socket.disconnect()


async def test_history_pages_back_and_typing_reaches_others_only(room, member):
    other = await db(make_trusted)(room.pathway, display_name="Rowan")
    for n in range(3):
        await db(stored)(room, other, f"m{n + 1}")
    mine, _ = await joined(member, room)
    theirs, _ = await joined(other, room)
    await mine.send_json_to({"type": "history", "room": room.pk, "before": 3})
    frames = await until(mine, "history")
    assert seqs(frames) == [1, 2] and frames[-1]["more"] is False
    await theirs.send_json_to({"type": "typing", "room": room.pk})
    assert await mine.receive_json_from(timeout=WAIT) == {
        "type": "typing",
        "room": room.pk,
        "name": "Rowan",
    }
    assert await theirs.receive_nothing(timeout=0.3)
    await mine.send_json_to({"type": "read", "room": room.pk, "seq": 2})
    assert await mine.receive_json_from(timeout=WAIT) == {
        "type": "read",
        "room": room.pk,
        "seq": 2,
    }
    await close(mine, theirs)


async def test_edits_deletes_and_hides_reach_the_room(room, member):
    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(enrol_totp)(clinician)
    mine, _ = await joined(member, room)
    staff, _ = await joined(clinician, room)
    await send(mine, room, "Helo")
    await until(mine, "message")
    await until(staff, "message")
    await mine.send_json_to({"type": "edit", "room": room.pk, "seq": 1, "body": "Hi"})
    frames = await until(mine, "message")
    assert frames[0] == {
        "type": "edited",
        "room": room.pk,
        "seq": 1,
        "status": "published",
    }
    update = await staff.receive_json_from(timeout=WAIT)
    assert (update["seq"], update["body"], update["edited"]) == (1, "Hi", True)
    await send(mine, room, "Second")
    await until(mine, "message")
    await until(staff, "message")
    await staff.send_json_to({"type": "hide", "room": room.pk, "seq": 2})
    assert (await until(staff, "hidden"))[-1]["seq"] == 2
    assert (await staff.receive_json_from(timeout=WAIT))["status"] == "removed"
    removed = await mine.receive_json_from(timeout=WAIT)
    assert (removed["seq"], removed["status"], removed["body"]) == (2, "removed", "")
    await mine.send_json_to({"type": "delete", "room": room.pk, "seq": 1})
    assert (await until(mine, "deleted"))[-1]["seq"] == 1
    gone = await staff.receive_json_from(timeout=WAIT)
    assert (gone["seq"], gone["status"]) == (1, "removed")
    await mine.send_json_to({"type": "hide", "room": room.pk, "seq": 1})
    assert (await until(mine, "error"))[-1]["code"] == "not_found"
    await close(mine, staff)


async def test_strangers_and_staff_without_two_factor_are_told_and_closed(pathway):
    socket = await connect(AnonymousUser())
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "not_signed_in",
    }
    assert (await socket.receive_output())["code"] == 4401
    clinician = await db(make_member)(pathway, Role.CLINICIAN)
    socket = await connect(clinician)
    assert (await socket.receive_json_from())["code"] == "two_factor_required"
    assert (await socket.receive_output())["code"] == 4403


async def test_a_support_conversation_is_live_for_its_member_and_staff_only(
    room, member
):
    from chat.support import do_ask_for_support

    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(enrol_totp)(clinician)
    other = await db(make_trusted)(room.pathway)
    support = await db(do_ask_for_support)(member, room.pathway)
    mine, _ = await joined(member, support)
    staff, _ = await joined(clinician, support)
    stranger = await ready(other)
    await stranger.send_json_to({"type": "join", "room": support.pk})
    assert (await stranger.receive_json_from(timeout=WAIT))["code"] == "not_found"
    await send(mine, support, "Can we talk?")
    await until(mine, "message")
    heard = await staff.receive_json_from(timeout=WAIT)
    assert (heard["room"], heard["body"]) == (support.pk, "Can we talk?")
    assert await stranger.receive_nothing(timeout=0.3)
    from chat.support import do_pick_up
    from tests.factories import membership

    staff_membership = await db(membership)(clinician, room.pathway)
    await db(do_pick_up)(staff_membership, support)
    assert await mine.receive_json_from(timeout=WAIT) == {
        "type": "support",
        "room": support.pk,
        "picked_up_by": clinician.display_name,
    }
    await close(mine, staff, stranger)


async def test_the_member_is_told_live_when_their_support_conversation_ends(
    room, member
):
    from chat.support import do_ask_for_support, do_close_support

    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(enrol_totp)(clinician)
    support = await db(do_ask_for_support)(member, room.pathway)
    mine, _ = await joined(member, support)
    elsewhere, _ = await joined(clinician, room)  # the pathway room only
    await db(do_close_support)(clinician, support)
    assert await mine.receive_json_from(timeout=WAIT) == {
        "type": "support_ended",
        "room": support.pk,
    }
    assert await elsewhere.receive_nothing(timeout=0.3)
    await close(mine, elsewhere)


async def frames_of(socket, kind, timeout=WAIT):
    """The next frame of type `kind`, passing over others."""
    socket.ignore = frozenset()
    while True:
        frame = await socket.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame


async def test_who_is_here_and_who_is_on_duty_reach_the_room(room, member):
    clinician = await db(make_member)(room.pathway, Role.CLINICIAN, display_name="Ash")
    await db(enrol_totp)(clinician)
    await db(put_on_duty)(room.pathway, clinician)
    blocked = await db(make_trusted)(room.pathway, display_name="Thorn")
    await db(do_block)(member, blocked)
    mine, _ = await joined(member, room)
    first = await frames_of(mine, "presence")
    assert first["here"] == [{"id": member.pk, "name": "Maple", "staff": False}]
    assert first["on_duty"] == ["Ash"]
    staff, _ = await joined(clinician, room)
    theirs, _ = await joined(blocked, room)
    names = []
    while names != ["Ash", "Maple"]:  # staff first; the blocked one not shown
        names = [p["name"] for p in (await frames_of(mine, "presence"))["here"]]
    seen_by_staff = await frames_of(staff, "presence")
    while len(seen_by_staff["here"]) < 3:
        seen_by_staff = await frames_of(staff, "presence")
    assert [p["staff"] for p in seen_by_staff["here"]] == [True, False, False]
    await staff.send_json_to({"type": "leave", "room": room.pk})
    while names != ["Maple"]:
        names = [p["name"] for p in (await frames_of(mine, "presence"))["here"]]
    await close(mine, staff, theirs)
    assert not await db(Presence.objects.exists)()


async def test_read_receipts_reach_the_others_and_come_with_a_join(room, member):
    mine, theirs = await with_another(member, room, display_name="Birch")
    await send(mine, room, "Hello")
    await until(theirs, "message")
    await theirs.send_json_to({"type": "read", "room": room.pk, "seq": 1})
    receipt = await frames_of(mine, "receipt")
    assert receipt["seq"] == 1 and receipt["user"]["name"] == "Birch"
    # The reader's own sockets are not told their own receipt.
    assert (await until(theirs, "read"))[-1]["seq"] == 1
    later = await ready(member)
    later.ignore = frozenset()
    await later.send_json_to({"type": "join", "room": room.pk, "after": 1})
    frames = await until(later, "joined")
    assert [
        (f["user"]["name"], f["seq"]) for f in frames if f["type"] == "receipt"
    ] == [("Birch", 1)]
    await close(mine, theirs, later)


async def test_someone_who_hides_leaves_the_list_of_who_is_here_at_once(room, member):
    mine, _ = await joined(member, room)
    hazel = await db(make_trusted)(room.pathway, display_name="Hazel")
    theirs, _ = await joined(hazel, room)
    names = []
    while names != ["Hazel", "Maple"]:
        names = [p["name"] for p in (await frames_of(mine, "presence"))["here"]]

    hazel.show_presence = False
    await db(hazel.save)(update_fields=["show_presence"])
    while names != ["Maple"]:
        names = [p["name"] for p in (await frames_of(mine, "presence"))["here"]]
    # Still in the room: her messages come as ever.
    await send(theirs, room, "Just reading along")
    assert (await until(mine, "message"))[-1]["body"] == "Just reading along"
    await close(mine, theirs)


async def test_a_moderator_pauses_a_member_from_the_chat(room, member):
    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(enrol_totp)(clinician)
    staff, _ = await joined(clinician, room)
    mine, _ = await joined(member, room)
    await mine.send_json_to(
        {"type": "mute", "room": room.pk, "user": clinician.pk, "hours": 2}
    )
    assert (await until(mine, "error"))[-1]["code"] == "not_found"
    await staff.send_json_to(
        {"type": "mute", "room": room.pk, "user": member.pk, "hours": 2}
    )
    muted = (await until(staff, "muted"))[-1]
    assert muted["user"] == member.pk and muted["until"]
    await send(mine, room, "Hello?")
    refused = (await until(mine, "error"))[-1]
    assert refused["code"] == "refused" and "paused" in refused["message"]
    await staff.send_json_to({"type": "mute", "room": room.pk, "user": clinician.pk})
    assert (await until(staff, "error"))[-1]["code"] == "refused"
    await close(staff, mine)


async def test_a_rejoin_replays_changes_made_while_away(room, member):
    mine, theirs = await with_another(member, room)
    await send(mine, room, "Helo")
    await until(theirs, "message")
    await theirs.send_json_to({"type": "leave", "room": room.pk})
    await until(theirs, "left")
    # What a `joined` frame said before the edit (its `at`).
    first_join = await db(actions.check_join)(member, room.pk)
    await mine.send_json_to({"type": "edit", "room": room.pk, "seq": 1, "body": "Hi"})
    await until(mine, "edited")
    await theirs.send_json_to(
        {
            "type": "join",
            "room": room.pk,
            "after": 1,
            "changed_since": (first_join.at - timedelta(seconds=30)).isoformat(),
        }
    )
    frames = await until(theirs, "joined")
    assert [(f["seq"], f["body"], f["edited"]) for f in frames[:-1]] == [
        (1, "Hi", True)
    ]
    await close(mine, theirs)


async def test_a_direct_conversation_is_live_for_its_two_people_only(room, member):
    birch = await db(make_trusted)(room.pathway, display_name="Birch")
    direct = await db(actions.do_open_direct)(member, birch, room.pathway)
    mine, _ = await joined(member, direct)
    theirs, _ = await joined(birch, direct)
    await send(mine, direct, "Just us")
    assert (await until(theirs, "message"))[-1]["body"] == "Just us"
    snoop = await ready(await db(make_trusted)(room.pathway))
    await snoop.send_json_to({"type": "join", "room": direct.pk})
    assert (await until(snoop, "error"))[-1]["code"] == "not_found"
    await db(do_block)(birch, member)
    await send(mine, direct, "Still there?")
    refused = (await until(mine, "error"))[-1]
    assert refused["code"] == "not_allowed" and "Still there?" not in str(refused)
    await close(mine, theirs, snoop)


async def test_the_care_teams_live_messages_are_marked_as_theirs(room, member):
    clinician = await db(make_member)(room.pathway, Role.CLINICIAN)
    await db(enrol_totp)(clinician)
    mine, _ = await joined(member, room)
    staff, _ = await joined(clinician, room)
    await send(staff, room, "Evening all")
    heard = (await until(mine, "message"))[-1]
    assert heard["author"]["staff"] is True
    await until(staff, "message")  # its own, live
    await send(mine, room, "Evening")
    assert (await until(staff, "message"))[-1]["author"]["staff"] is False
    later, frames = await joined(member, room, after=0)
    assert [f["author"]["staff"] for f in frames if f["type"] == "message"] == [
        True,
        False,
    ]
    await close(mine, staff, later)


async def test_a_socket_left_idle_longer_than_the_layers_blocking_read_still_hears(
    room, member, channel_layer
):
    """channels-redis waits for events in a 5 s blocking read; redis-py 8
    gives up reading after 5 s by default, which killed every idle socket
    (django/channels_redis#422). The layer's reads must outlast it."""
    mine, theirs = await with_another(member, room)
    await asyncio.sleep(7)
    await send(theirs, room, "Still there?")
    heard = (await until(mine, "message"))[-1]
    assert heard["body"] == "Still there?"
    await close(mine, theirs)
