"""Real-time events: sent through the channel layer only after the writing
transaction commits, so nobody hears of something that was rolled back.

Only actions call `broadcast_on_commit`. Each payload's `type` names the
consumer handler that receives it; the payloads are written down here.
"""

import asyncio
import logging
from collections.abc import Iterable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


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


# How many group sends are on their way at once: each is a few round trips to
# Redis on one of the layer's pooled connections.
CONCURRENT_SENDS = 32


def broadcast_many_on_commit(events: Iterable[tuple[str, dict]]) -> None:
    """Send each `(group, payload)` once the current transaction commits, in
    one callback on one event loop, CONCURRENT_SENDS at a time. Channels has
    no send to many groups (channels-redis makes each group_send its own few
    round trips), so a notice to 1,000 people is 1,000 sends: this makes them
    overlap instead of queueing one after another, each on an event loop of
    its own. At-most-once, as `broadcast_on_commit`."""
    events = list(events)
    if not events:
        return

    async def send_all(layer) -> None:
        gate = asyncio.Semaphore(CONCURRENT_SENDS)

        async def one(group: str, payload: dict) -> None:
            async with gate:
                await layer.group_send(group, payload)

        outcomes = await asyncio.gather(
            *(one(group, payload) for group, payload in events),
            return_exceptions=True,
        )
        failed = [o for o in outcomes if isinstance(o, Exception)]
        if failed:  # one lost event must not lose the others
            logger.warning(
                "%s of %s live events not sent (%s)",
                len(failed),
                len(events),
                type(failed[0]).__name__,
            )

    def send() -> None:
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(send_all)(layer)

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


def live_update_event(group: str, kind: str, item_id: int, author_id: int) -> dict:
    """`live.update`: something new on a watched page (`kind` "topic": reply
    `item_id` by `author_id`, published). Ids only: the socket leaves out
    what the person silenced and the page fetches the item through the
    access layer, rendered by the server (decision 0031)."""
    return {
        "type": "live.update",
        "group": group,
        "kind": kind,
        "id": item_id,
        "author": author_id,
    }
