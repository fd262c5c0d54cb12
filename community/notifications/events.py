"""Real-time events: sent through the channel layer only after the writing
transaction commits, so nobody hears of something that was rolled back.

Only actions call `broadcast_on_commit`. Each payload's `type` names the
consumer handler that receives it; the payloads are written down here.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def user_group(user_id: int) -> str:
    """The channel-layer group of every open socket of one person."""
    return f"user-{user_id}"


def broadcast_on_commit(group: str, payload: dict) -> None:
    """Send `payload` to `group` once the current transaction commits. The
    channel layer is at-most-once: clients treat events as hints and the stored
    rows as the truth."""

    def send():
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(layer.group_send)(group, payload)

    transaction.on_commit(send)


def notification_event(notification) -> dict:
    """`notify`: a new notification for its owner (the in-page bell and the
    staff alert banner)."""
    return {
        "type": "notify",
        "id": notification.pk,
        "kind": notification.kind,
        "message": notification.message,
        "url": notification.url,
    }
