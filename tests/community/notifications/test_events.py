"""Events go out only after the transaction commits, to the named group;
held for an event loop to send, they go out there, in order; a layer that
fails loses the event, never the writer's commit."""

import asyncio
import logging

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from community.notifications.events import (
    broadcast_many_on_commit,
    broadcast_on_commit,
    held_events,
    send_batches,
    user_group,
)

pytestmark = pytest.mark.django_db(transaction=True)


def listen(group):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return layer, channel


def test_an_event_is_sent_on_commit():
    layer, channel = listen(user_group(7))
    with transaction.atomic():
        broadcast_on_commit(user_group(7), {"type": "notify", "id": 1})
    assert async_to_sync(layer.receive)(channel) == {"type": "notify", "id": 1}


def test_a_rolled_back_event_is_never_sent():
    layer, channel = listen(user_group(8))
    with pytest.raises(RuntimeError), transaction.atomic():
        broadcast_on_commit(user_group(8), {"type": "notify", "id": 2})
        raise RuntimeError("rolled back")
    broadcast_on_commit(user_group(8), {"type": "notify", "id": 3})
    assert async_to_sync(layer.receive)(channel) == {"type": "notify", "id": 3}


def test_many_events_go_on_commit_each_to_its_group_and_one_failure_loses_no_other(
    monkeypatch,
):
    listening = {n: listen(user_group(100 + n)) for n in range(40)}
    with pytest.raises(RuntimeError), transaction.atomic():
        broadcast_many_on_commit(
            (user_group(100 + n), {"type": "notify", "id": -n}) for n in range(40)
        )
        raise RuntimeError("rolled back")
    layer = get_channel_layer()
    real_send = layer.group_send

    async def flaky_send(group, payload):
        if group == user_group(103):
            raise ConnectionError("the layer dropped this one")
        await real_send(group, payload)

    monkeypatch.setattr(layer, "group_send", flaky_send)
    with transaction.atomic():
        broadcast_many_on_commit(
            (user_group(100 + n), {"type": "notify", "id": n}) for n in range(40)
        )
    for n, (layer, channel) in listening.items():
        if n != 3:  # the rolled-back events never came: the first is the commit's
            assert async_to_sync(layer.receive)(channel) == {"type": "notify", "id": n}


async def nothing_for(layer, channel) -> bool:
    """Nothing comes to `channel` for a moment. (On Redis a receive given up
    binds the channel's buffer to its event loop: the test's later receives
    run on the same loop.)"""
    try:
        await asyncio.wait_for(layer.receive(channel), 0.2)
    except TimeoutError:
        return True
    return False


def test_events_held_for_an_event_loop_are_sent_there_in_order():
    """A socket's database call holds what its commits send (chat.consumers):
    only what committed, in commit order, and nothing goes until the loop
    sends it."""
    layer, channel = listen(user_group(9))
    group = user_group(9)
    with held_events() as held:
        with transaction.atomic():
            broadcast_on_commit(group, {"type": "notify", "id": 1})
        with pytest.raises(RuntimeError), transaction.atomic():
            broadcast_on_commit(group, {"type": "notify", "id": 99})
            raise RuntimeError("rolled back")
        with transaction.atomic():
            broadcast_many_on_commit(
                [
                    (group, {"type": "notify", "id": 2}),
                    (group, {"type": "notify", "id": 3}),
                ]
            )
    assert [[payload["id"] for _group, payload in batch] for batch in held] == [
        [1],
        [2, 3],
    ]

    async def send_them_here():
        assert await nothing_for(layer, channel)
        await send_batches(held)
        got = [(await layer.receive(channel))["id"] for _ in range(3)]
        assert got[0] == 1 and sorted(got[1:]) == [2, 3]
        assert await nothing_for(layer, channel)

    async_to_sync(send_them_here)()


def test_what_committed_in_a_held_block_that_raises_is_sent_before_the_error():
    layer, channel = listen(user_group(10))
    with pytest.raises(ValueError), held_events():
        with transaction.atomic():
            broadcast_on_commit(user_group(10), {"type": "notify", "id": 5})
        raise ValueError("after the commit")
    assert async_to_sync(layer.receive)(channel) == {"type": "notify", "id": 5}


def test_a_layer_that_fails_loses_the_event_not_the_writers_commit(monkeypatch, caplog):
    """At-most-once: a reply stored while Redis restarts is still stored, and
    its writer is not shown an error."""
    layer = get_channel_layer()

    async def down(group, payload):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(layer, "group_send", down)
    with caplog.at_level(logging.WARNING), transaction.atomic():
        broadcast_on_commit(user_group(11), {"type": "notify", "id": 6})
    assert "1 of 1 live events not sent (ConnectionError)" in caplog.text
