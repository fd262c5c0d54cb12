"""Events go out only after the transaction commits, to the named group."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from community.notifications.events import (
    broadcast_many_on_commit,
    broadcast_on_commit,
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
