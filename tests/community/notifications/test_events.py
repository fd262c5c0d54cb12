"""Events go out only after the transaction commits, to the named group."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

from community.notifications.events import broadcast_on_commit, user_group

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
