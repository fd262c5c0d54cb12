"""The room hub: one channel-layer receiver per process for all its chat
sockets' rooms (docs/decisions/0025-chat-fan-out.md).

Channels gives every socket its own channel and its own receive loop, so a
room's event reached each reader through the layer's per-channel machinery:
on Redis, a lock, two tasks and a wait per reader per message, which bound a
200-reader room to 15-21 messages a second on two cores. Here the process's
hub alone is in the room's group (`chat.events.room_group`): the layer brings
each event once per process, and the hub hands it to the sockets of this
process that joined the room, one after the other, each with its own handler
(`ChatConsumer.chat_*`), which filters it for its reader and sends it.

The hub belongs to an event loop and a layer (one of each in a server
process; one per test). It takes its channel when its first socket joins a
room and stops when the last one leaves. Group membership lives in the layer
(Redis may forget it: `rejoin` adds the hub again, from each socket's ping).

A socket whose send does not finish within SEND_WITHIN (its connection's
buffer full: a phone on a bad line, on a server that holds sends back, as
uvicorn does) is not waited for again: the hub hands it the event it could not
send (`fell_behind`) and the socket queues what comes next and sends it from a
task of its own until it has caught up, as its own channel did before, up to
the layer's capacity (beyond that, live copies are dropped, and the reader
sees the gap and joins again by number, as after any lost event). Everyone
else in the room is kept waiting at most that once.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from typing import Any, Protocol

from .events import room_group

logger = logging.getLogger(__name__)

# How long one socket's send may keep the room waiting (seconds): a send
# that does not block takes microseconds.
SEND_WITHIN = 0.1
# After the layer fails to receive (Redis restarting), try again after this.
RETRY_AFTER = 0.5


class Listener(Protocol):
    """What the hub hands events to (ChatConsumer)."""

    async def hear(self, event: dict) -> None: ...

    def fell_behind(self, event: dict) -> None: ...


class RoomHub:
    """The sockets of this process in each room, and the one receiver of the
    rooms' events."""

    def __init__(self, layer: Any):
        self.layer = layer
        self.channel: str | None = None
        # Room id -> the sockets in it (a dict for its order: who joined first
        # hears first).
        self.rooms: dict[int, dict[Listener, None]] = {}
        self.task: asyncio.Task | None = None

    async def add(self, room_id: int, listener: Listener) -> None:
        """`listener` hears `room_id`'s events from now on (the hub's channel
        joins the room's group each time: that also mends a forgotten group)."""
        self.rooms.setdefault(room_id, {})[listener] = None
        if self.channel is None:
            # The layer's default prefix: channels-redis keeps a process's
            # channels of one prefix in one list, read by one blocking read at
            # a time; a prefix of its own would wait behind the sockets'.
            self.channel = await self.layer.new_channel()
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._receive())
        await self.layer.group_add(room_group(room_id), self.channel)

    async def discard(self, room_id: int, listener: Listener) -> None:
        """`listener` hears nothing more of `room_id`; the last one out takes
        the hub out of the room's group, and of the layer."""
        listeners = self.rooms.get(room_id)
        if listeners is None or listeners.pop(listener, False) is False:
            return
        if listeners:
            return
        del self.rooms[room_id]
        channel = self.channel
        if not self.rooms:
            self._stop()
        if channel is not None:
            await self.layer.group_discard(room_group(room_id), channel)

    async def rejoin(self, room_ids) -> None:
        """The hub's channel joins these rooms' groups again (a Redis that
        restarted empty has forgotten them)."""
        if self.channel is None:
            return
        for room_id in room_ids:
            if room_id in self.rooms:
                await self.layer.group_add(room_group(room_id), self.channel)

    def listening(self, room_id: int, listener: Listener) -> bool:
        return listener in self.rooms.get(room_id, ())

    def _stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
        self.task = None

    async def _receive(self) -> None:
        channel = self.channel
        while True:
            try:
                event = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis went away: the layer's pool reconnects on the next
                # read; sockets' pings join the groups again.
                logger.warning("The chat hub could not receive", exc_info=True)
                await asyncio.sleep(RETRY_AFTER)
                continue
            await self.deliver(event)

    async def deliver(self, event: dict) -> None:
        """Hands `event` to every socket of this process in its room, in turn."""
        room_id = event.get("room")
        if not isinstance(room_id, int) or not (listeners := self.rooms.get(room_id)):
            return  # no one here in that room (or an event that names none)
        for listener in list(listeners):
            try:
                async with asyncio.timeout(SEND_WITHIN):
                    await listener.hear(event)
            except TimeoutError:
                # Not sent (a send waits for the buffer before it writes):
                # the socket sends it, and what follows, itself.
                logger.info("A chat socket fell behind in room %s", room_id)
                listener.fell_behind(event)
            except Exception:
                # One socket's fault (a client gone mid-send) is not the
                # room's: the others still hear it.
                logger.debug("A chat socket could not hear", exc_info=True)


# One hub per event loop (a server process has one; tests have one each).
_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, RoomHub] = (
    weakref.WeakKeyDictionary()
)


def hub_for(layer: Any) -> RoomHub:
    """This event loop's hub on `layer` (a new one when the layer changed,
    as between tests)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        if hub is not None:
            hub._stop()
        hub = _hubs[loop] = RoomHub(layer)
    return hub
