"""Real-time events: sent through the channel layer only after the writing
transaction commits, so nobody hears of something that was rolled back.

Only actions call `broadcast_on_commit`. Each payload's `type` names the
consumer handler that receives it; the payloads are written down here.
"""

import asyncio
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id: int) -> str:
    """The channel-layer group of every open socket of one person."""
    return f"user-{user_id}"


Batch = list[tuple[str, dict]]

# The batches a caller on an event loop sends itself (`held_events`), or None.
_held: ContextVar[list[Batch] | None] = ContextVar("held_events", default=None)

# How many group sends of one batch are on their way at once: each is a few
# round trips to Redis on one of the layer's pooled connections.
CONCURRENT_SENDS = 32


def broadcast_on_commit(group: str, payload: dict) -> None:
    """Send `payload` to `group` once the current transaction commits. The
    channel layer is at-most-once: clients treat events as hints and the stored
    rows as the truth, so an event the layer fails to take is logged and lost,
    never an error for the writer whose rows are stored."""
    _on_commit([(group, payload)])


def broadcast_many_on_commit(events: Iterable[tuple[str, dict]]) -> None:
    """Send each `(group, payload)` once the current transaction commits, in
    one callback, CONCURRENT_SENDS at a time. Channels has no send to many
    groups (channels-redis makes each group_send its own few round trips), so
    a notice to 1,000 people is 1,000 sends: this makes them overlap instead
    of queueing one after another, each on an event loop of its own.
    At-most-once, as `broadcast_on_commit`: one lost event loses no other."""
    batch = list(events)
    if batch:
        _on_commit(batch)


def _on_commit(batch: Batch) -> None:
    def send() -> None:
        held = _held.get()
        if held is not None:
            held.append(batch)
            return
        layer = get_channel_layer()
        if layer is not None:
            async_to_sync(send_batches)([batch], layer)

    transaction.on_commit(send)


@contextmanager
def held_events() -> Iterator[list[Batch]]:
    """Within the block, the events that commits send are kept, in order, in
    the list it yields instead of being sent, for a caller on an event loop
    to send there with `send_batches` once the block's work is done (a
    socket's database call: it spares the database thread a hop to the loop
    and back for every commit). Still only what committed, still before the
    caller answers. When the block raises, what it kept is sent before the
    error goes on, as it would have been."""
    held: list[Batch] = []
    token = _held.set(held)
    try:
        yield held
    except BaseException:
        _held.reset(token)
        layer = get_channel_layer()
        if held and layer is not None:
            async_to_sync(send_batches)(held, layer)
        raise
    _held.reset(token)


async def send_batches(batches: list[Batch], layer=None) -> None:
    """Send each batch's events to their groups, batch after batch (each
    batch's sends overlapping, CONCURRENT_SENDS at a time); an event the
    layer fails to take is logged, and the others still go."""
    layer = layer or get_channel_layer()
    if layer is None:
        return
    gate = asyncio.Semaphore(CONCURRENT_SENDS)

    async def one(group: str, payload: dict) -> Exception | None:
        try:
            async with gate:
                await layer.group_send(group, payload)
        except Exception as error:  # noqa: BLE001 - at-most-once: logged below
            return error
        return None

    for batch in batches:
        if len(batch) == 1:  # a message's own event: no tasks to gather
            failed = [await one(*batch[0])]
        else:
            failed = await asyncio.gather(*(one(*event) for event in batch))
        failed = [error for error in failed if error is not None]
        if failed:  # one lost event must not lose the others
            logger.warning(
                "%s of %s live events not sent (%s)",
                len(failed),
                len(batch),
                type(failed[0]).__name__,
            )


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
