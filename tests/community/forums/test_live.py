"""An open topic's new replies, live (community/forums/live.py): through the
real bell socket, only readers who may see a reply hear of it, by id, once it
is published; the fetch gives it back drawn by the server, once, in order."""

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from community.actions import do_block, do_mute
from community.forums import actions as forums
from community.forums.live import FETCH_LIMIT, new_replies, topic_group
from community.forums.models import Reply
from community.models import ContentStatus, Role
from community.moderation.cases import do_decide_case
from community.moderation.models import Decision, ModerationCase
from community.notifications.consumers import NotificationConsumer
from tests.factories import make_forum, make_member, make_trusted, membership

pytestmark = pytest.mark.django_db(transaction=True)


def a_topic(pathway):
    author = make_trusted(pathway)
    return forums.do_start_topic(author, make_forum(pathway), "Hello", "Hi").obj


async def watching(user, topic, slug=None):
    """A bell socket of `user` that watches `topic` (as topic.js does)."""
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = user
    connected, _ = await socket.connect()
    assert connected
    assert await socket.receive_json_from() == {"type": "ready"}
    await socket.send_json_to(
        {
            "type": "watch",
            "kind": "topic",
            "pathway": slug or topic.pathway.slug,
            "topic": topic.pk,
        }
    )
    return socket


async def test_readers_hear_a_published_reply_by_id_and_the_silencers_do_not(
    pathway, other_pathway
):
    def setup():
        topic = a_topic(pathway)
        replier = make_trusted(pathway)
        reader, blocker, muter = (make_member(pathway) for _ in range(3))
        do_block(blocker, replier)
        do_mute(muter, replier)
        return topic, replier, reader, blocker, muter, make_member(other_pathway)

    topic, replier, reader, blocker, muter, outsider = await database_sync_to_async(
        setup
    )()
    sockets = [await watching(person, topic) for person in (reader, blocker, muter)]
    for socket in sockets:
        assert await socket.receive_json_from() == {"type": "watching", "kind": "topic"}
    # Someone of another pathway is refused, whichever pathway they name.
    stranger = await watching(outsider, topic)
    assert await stranger.receive_json_from() == {"type": "error", "code": "not_found"}
    stranger_own = await watching(outsider, topic, slug=other_pathway.slug)
    assert await stranger_own.receive_json_from() == {
        "type": "error",
        "code": "not_found",
    }

    reply = await database_sync_to_async(
        lambda: forums.do_reply(replier, topic, "Me too, <b>it helps</b>").obj
    )()
    assert reply.status == ContentStatus.PUBLISHED
    reader_socket, blocker_socket, muter_socket = sockets
    assert await reader_socket.receive_json_from(timeout=2) == {
        "type": "live",
        "kind": "topic",
        "id": reply.pk,
    }
    for socket in (blocker_socket, muter_socket, stranger, stranger_own):
        assert await socket.receive_nothing(timeout=0.3)
    for socket in (*sockets, stranger, stranger_own):
        await socket.disconnect()


async def test_a_held_reply_is_heard_of_only_once_approved(pathway):
    def setup():
        topic = a_topic(pathway)
        return topic, make_member(pathway), make_member(pathway)

    topic, newcomer, reader = await database_sync_to_async(setup)()
    socket = await watching(reader, topic)
    await socket.receive_json_from()
    reply = await database_sync_to_async(
        lambda: forums.do_reply(newcomer, topic, "My first words").obj
    )()
    assert reply.status == ContentStatus.HELD
    assert await socket.receive_nothing(timeout=0.3)
    assert await database_sync_to_async(lambda: new_replies(reader, topic, 0))() == (
        [],
        False,
    )

    def approve():
        moderator = membership(make_member(pathway, Role.PEER), pathway)
        do_decide_case(moderator, ModerationCase.objects.get(), Decision.APPROVE)

    await database_sync_to_async(approve)()
    assert await socket.receive_json_from(timeout=2) == {
        "type": "live",
        "kind": "topic",
        "id": reply.pk,
    }
    await socket.disconnect()


async def test_a_new_watch_leaves_the_old_topic(pathway):
    def setup():
        return a_topic(pathway), a_topic(pathway), make_member(pathway)

    first, second, reader = await database_sync_to_async(setup)()
    socket = await watching(reader, first)
    await socket.receive_json_from()
    await socket.send_json_to(
        {"type": "watch", "kind": "topic", "pathway": pathway.slug, "topic": second.pk}
    )
    assert await socket.receive_json_from() == {"type": "watching", "kind": "topic"}
    replier = await database_sync_to_async(make_trusted)(pathway)
    await database_sync_to_async(lambda: forums.do_reply(replier, first, "Hi"))()
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()


async def test_bad_watch_frames_are_not_found_and_the_socket_stays_up(pathway):
    reader = await database_sync_to_async(make_member)(pathway)
    socket = WebsocketCommunicator(NotificationConsumer.as_asgi(), "/ws/notifications/")
    socket.scope["user"] = reader
    await socket.connect()
    await socket.receive_json_from()
    for frame in (
        {"type": "watch"},
        {"type": "watch", "kind": "wall"},
        {"type": "watch", "kind": "topic", "pathway": pathway.slug, "topic": "1 OR 1"},
        {"type": "watch", "kind": "topic", "pathway": ["x"], "topic": 99999},
    ):
        await socket.send_json_to(frame)
        assert (await socket.receive_json_from())["code"] == "not_found"
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.django_db(transaction=False)  # inside a transaction: on_commit waits
def test_the_event_goes_to_the_topic_group_on_commit_with_ids_only(
    pathway, django_capture_on_commit_callbacks, monkeypatch
):
    topic = a_topic(pathway)
    replier = make_trusted(pathway)
    sent = []

    async def group_send(group, payload):
        sent.append((group, payload))

    monkeypatch.setattr(get_channel_layer(), "group_send", group_send)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reply = forums.do_reply(replier, topic, "A secret <i>word</i>").obj
    assert not [g for g, _ in sent if g == topic_group(topic.pk)]  # not before commit
    for callback in callbacks:
        callback()
    live = [p for g, p in sent if g == topic_group(topic.pk)]
    assert live == [
        {
            "type": "live.update",
            "group": topic_group(topic.pk),
            "kind": "topic",
            "id": reply.pk,
            "author": replier.pk,
        }
    ]


def test_new_replies_are_in_order_after_the_last_seen_and_paged(pathway):
    topic = a_topic(pathway)
    replier, reader, blocked = (make_trusted(pathway) for _ in range(3))
    do_block(reader, blocked)
    replies = [forums.do_reply(replier, topic, f"reply {n}").obj for n in range(3)]
    forums.do_reply(blocked, topic, "not for the reader")
    assert new_replies(reader, topic, 0) == (replies, False)
    assert new_replies(reader, topic, replies[0].pk) == (replies[1:], False)
    assert new_replies(reader, topic, replies[-1].pk) == ([], False)
    for n in range(FETCH_LIMIT):
        forums.do_reply(replier, topic, f"more {n}")
    page, more = new_replies(reader, topic, 0)
    assert len(page) == FETCH_LIMIT and more
    assert [r.pk for r in page] == sorted(r.pk for r in page)
    assert Reply.objects.filter(topic=topic).count() == FETCH_LIMIT + 4
