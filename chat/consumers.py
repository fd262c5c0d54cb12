"""WebSocket consumers: the chat socket, and the answer to unknown paths.

The chat socket is an entry on STYLE.md's road: it parses a frame, calls one
`check_*` of chat.actions in the database thread (`_on_database`: access is
asked there, every time) and sends the frames chat.events builds. It never
touches the database itself. The protocol is written down in chat/README.md.
"""

import asyncio
import functools
import json
import logging
import time
from collections import deque
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, WebsocketConsumer
from django.conf import settings
from django.utils import translation

from community.actions import SafetyError
from community.inputs import whole_number
from community.notifications.events import held_events, send_batches
from community.queries import crisis_contacts
from community.safety.risk import Tier

from . import actions, events, presence
from .actions import ChatError
from .fanout import hub_for
from .permissions import RoomNotFound, may_open_socket, reader_filter

logger = logging.getLogger(__name__)

# Close codes in the 4000-4999 range are the application's own.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_TWO_FACTOR = 4403
CLOSE_NOT_FOUND = 4404
# A frame longer than this is refused unread (a message body is at most
# actions.MAX_BODY characters; JSON escaping can double it).
MAX_FRAME = 4 * actions.MAX_BODY + 1000
TYPING_EVERY_SECONDS = 2.0


class NotFoundConsumer(WebsocketConsumer):
    """Any socket path we do not serve: accept, say why, close with 4404 (a client
    sees a reason instead of a dropped connection).

    It hears nothing from other processes, so it takes no channel on the
    layer: an alias that names no layer leaves it without one. With one, every
    stray socket held a blocking read on Redis that outlived its close and held
    up the event loop's shutdown."""

    channel_layer_alias = "no channel layer"

    def connect(self):
        self.accept()
        self.send_json_error()
        self.close(code=CLOSE_NOT_FOUND)

    def send_json_error(self):
        self.send(text_data='{"type": "error", "code": "not_found"}')


class FrameError(Exception):
    """A frame without a field it needs, or with one of the wrong kind."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _int(content: dict, name: str, *, required: bool = True) -> int | None:
    """Field `name` of a frame through `whole_number`, as a JSON number only
    ("5" is text); FrameError (the `bad_frame` event) for anything else."""
    value = content.get(name)
    if value is None and not required:
        return None
    number = whole_number(value) if isinstance(value, int) else None
    if number is None:
        raise FrameError(name)  # not a whole number the database can hold
    return number


def _text(content: dict, name: str) -> str:
    value = content.get(name)
    if not isinstance(value, str):
        raise FrameError(name)
    return value


def _language(scope) -> str:
    wanted = parse_qs(scope.get("query_string", b"").decode()).get("lang", [""])[0]
    known = dict(settings.LANGUAGES)
    return wanted if wanted in known else settings.LANGUAGE_CODE


# What the socket asks of the actions, each in one thread hop. They return
# frames (plain dicts), so nothing lazy reaches the event loop.


def _in(language: str):
    return translation.override(language)


def _on_database(func):
    """`func` as a coroutine run by `database_sync_to_async`, except that the
    events its commits send (community.notifications.events) come back with
    its result and go out from this event loop before the result is
    returned: still only what committed, still before the socket is
    answered, but without the database thread handing each send to the loop
    and waiting for it (a hop there and back on every message)."""

    def holding(*args):
        with held_events() as held:
            return func(*args), held

    run = database_sync_to_async(holding)

    @functools.wraps(func)
    async def call(*args):
        result, held = await run(*args)
        if held:
            await send_batches(held)
        return result

    return call


@_on_database
def _open(user):
    return may_open_socket(user) and reader_filter(user)


@_on_database
def _join(user, room_id, after, changed_since, channel_name):
    return actions.check_socket_join(user, room_id, after, changed_since, channel_name)


@_on_database
def _depart(channel_name, room_ids):
    presence.do_depart(channel_name, room_ids)


@_on_database
def _still_here(channel_name):
    presence.do_still_here(channel_name)


@_on_database
def _history(user, room_id, before):
    return actions.check_history_frames(user, room_id, before)


def _crisis(verdict, pathway, client_id=None) -> list[dict]:
    if not verdict.show_crisis_contacts:
        return []
    return [
        events.crisis_frame(
            [verdict.crisis_message, *_urgent_words(verdict)],
            crisis_contacts([pathway]),
            client_id,
        )
    ]


def _urgent_words(verdict) -> list[str]:
    """An urgent message's word that the care team has it belongs with the
    crisis contacts; a calm notice (checked before others see it) never does."""
    return list(verdict.messages) if verdict.tier == Tier.URGENT else []


def _rewrite(submission, **extra) -> dict:
    texts = [text for field in submission.errors().values() for text in field]
    return events.error_frame("rewrite", messages=texts, **extra)


@_on_database
def _send(user, room_id, client_id, body, language):
    with _in(language):
        sent = actions.check_send(user, room_id, client_id, body, language)
        if sent.needs_rewrite:
            return [_rewrite(sent.submission, room=room_id, client_id=client_id)]
        ack = events.ack_frame(sent.message, client_id)
        return [ack, *_crisis(sent.verdict, sent.message.pathway, client_id)]


@_on_database
def _edit(user, room_id, seq, body, language):
    with _in(language):
        submission = actions.check_edit(user, room_id, seq, body, language)
        if submission.needs_rewrite:
            return [_rewrite(submission, room=room_id, seq=seq)]
        message = submission.obj
        edited = {
            "type": "edited",
            "room": room_id,
            "seq": seq,
            "status": events.frame_status(message, own=True),
        }
        return [edited, *_crisis(submission.verdict, message.pathway)]


@_on_database
def _call(language, check, *args):
    with _in(language):
        return check(*args)


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One socket per client for all its rooms (see chat/README.md for the
    frames). State kept here: which rooms this socket joined (with their
    pathway, for being cut off, and the last number the join's backlog
    covered, so a live event already sent in it is not sent twice), the
    events that came live while a frame was being answered (sent after its
    answer, as Channels would have queued them: a join's backlog comes
    before live traffic, an ack before the message it acknowledges), and the
    reader's blocks, mutes and mute words, for filtering live events.

    A room's events come from this process's room hub (chat/fanout.py), which
    calls `hear` on each socket in the room in turn; the socket's own channel
    is only in its person's group (`chat_user_group`)."""

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        self.rooms: dict[int, dict] = {}
        self.held: list[dict] | None = None
        self.lag: deque[dict] | None = None
        self.typed: dict[int, float] = {}
        self.beat = time.monotonic()
        self.language = _language(self.scope)
        await self.accept()
        if self.user is None or not self.user.is_authenticated:
            await self.send_json(events.error_frame("not_signed_in"))
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.filter = await _open(self.user)
        if not self.filter:
            await self.send_json(events.error_frame("two_factor_required"))
            await self.close(code=CLOSE_TWO_FACTOR)
            return
        self.user_id = self.user.pk
        self.hub = hub_for(self.channel_layer)
        self.user_group = events.chat_user_group(self.user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        await self.send_json({"type": "ready"})

    async def disconnect(self, code):
        if (catching_up := getattr(self, "catching_up", None)) is not None:
            catching_up.cancel()
        if getattr(self, "user_group", None):
            await self.channel_layer.group_discard(self.user_group, self.channel_name)
        rooms = list(getattr(self, "rooms", {}))
        for room_id in rooms:
            await self.hub.discard(room_id, self)
        if rooms:
            await _depart(self.channel_name, rooms)

    # Frames from the client -------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_json(events.error_frame("not_json"))
            return
        if len(text_data) > MAX_FRAME:
            await self.send_json(events.error_frame("too_long"))
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            # RecursionError: nesting deeper than the parser goes ("[" * 8000).
            await self.send_json(events.error_frame("not_json"))
            return
        await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        # Live events that come while the frame is answered wait for it.
        self.held = []
        try:
            await self._answer(content)
        finally:
            await self._release()

    async def _release(self) -> None:
        held = self.held
        try:
            while held:
                await self._handle(held.pop(0))
        finally:
            self.held = None

    async def _answer(self, content) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = self.FRAMES.get(kind) if isinstance(kind, str) else None
        if handler is None:
            await self.send_json(events.error_frame("unknown_frame"))
            return
        room = content.get("room")
        client_id = content.get("client_id")
        try:
            await handler(self, content)
        except FrameError as error:
            await self.send_json(
                events.error_frame("bad_frame", field=error.field, client_id=client_id)
            )
        except RoomNotFound:
            await self.send_json(
                events.error_frame("not_found", room=room, client_id=client_id)
            )
        except ChatError as error:
            await self.send_json(
                events.error_frame(
                    error.code, str(error), room=room, client_id=client_id
                )
            )
        except SafetyError as error:
            await self.send_json(
                events.error_frame(
                    "refused", str(error), room=room, client_id=client_id
                )
            )
        except Exception:
            # Never a dropped socket without a reason: say so, keep it open.
            try:
                await self.send_json(
                    events.error_frame("server_error", room=room, client_id=client_id)
                )
            except OSError:
                # ASGI servers raise an OSError from send() once the client
                # has gone (a page reloaded mid-join): no fault, nobody to tell.
                logger.info("Chat frame %r: the client had gone", kind)
                return
            logger.exception("Chat frame %r failed", kind)

    async def frame_ping(self, content):
        # The heartbeat mends what a Redis restart breaks without a word: the
        # groups live in Redis, and one that came back empty has forgotten
        # this socket while the connection pool reconnected unseen. So join
        # them again, then say how far each joined room has got, so that the
        # client fetches a message whose live copy was lost even when nothing
        # comes after it (docs/decisions/0012-chat-protocol.md).
        await self._join_groups()
        last = {}
        if self.rooms:
            last = await _call(
                self.language, actions.check_last_seqs, self.user, list(self.rooms)
            )
        await self.send_json(
            {"type": "pong", "last_seq": {str(room): n for room, n in last.items()}}
        )
        now = time.monotonic()
        if self.rooms and now - self.beat >= presence.REFRESH_SECONDS:
            self.beat = now
            await _still_here(self.channel_name)

    async def frame_join(self, content):
        room_id = _int(content, "room")
        after = _int(content, "after", required=False)
        changed_since = content.get("changed_since")
        # Hear the room first, then read: whatever commits after the read
        # comes live (held until the backlog is sent: `receive_json`); what
        # came live before the read is dropped by number.
        await self.hub.add(room_id, self)
        try:
            joined = await _join(
                self.user, room_id, after, changed_since, self.channel_name
            )
        except RoomNotFound:
            await self._leave(room_id)  # also out of it if it was joined before
            raise
        self.filter = joined.filter
        self.rooms[room_id] = {
            "pathway": joined.pathway_id,
            "backlog_to": joined.last_seq,
        }
        for frame in joined.frames:
            await self.send_json(frame)

    async def frame_leave(self, content):
        room_id = _int(content, "room")
        await self._leave(room_id)
        await self.send_json({"type": "left", "room": room_id})

    async def frame_history(self, content):
        room_id = _int(content, "room")
        before = _int(content, "before")
        for frame in await _history(self.user, room_id, before):
            await self.send_json(frame)

    async def frame_send(self, content):
        room_id = _int(content, "room")
        client_id = _text(content, "client_id")
        body = _text(content, "body")
        frames = await _send(self.user, room_id, client_id, body, self.language)
        self.typed.pop(room_id, None)  # after a message, typing is news again
        for frame in frames:
            await self.send_json(frame)

    async def frame_edit(self, content):
        room_id, seq = _int(content, "room"), _int(content, "seq")
        body = _text(content, "body")
        for frame in await _edit(self.user, room_id, seq, body, self.language):
            await self.send_json(frame)

    async def frame_delete(self, content):
        room_id, seq = _int(content, "room"), _int(content, "seq")
        await _call(self.language, actions.check_delete, self.user, room_id, seq)
        await self.send_json({"type": "deleted", "room": room_id, "seq": seq})

    async def frame_hide(self, content):
        room_id, seq = _int(content, "room"), _int(content, "seq")
        await _call(self.language, actions.check_hide, self.user, room_id, seq)
        await self.send_json({"type": "hidden", "room": room_id, "seq": seq})

    async def frame_read(self, content):
        room_id, seq = _int(content, "room"), _int(content, "seq")
        cursor = await _call(self.language, actions.check_read, self.user, room_id, seq)
        await self.send_json({"type": "read", "room": room_id, "seq": cursor})

    async def frame_mute(self, content):
        room_id, member = _int(content, "room"), _int(content, "user")
        hours = _int(content, "hours", required=False)
        sanction = await _call(
            self.language, actions.check_mute, self.user, room_id, member, hours
        )
        await self.send_json(
            {
                "type": "muted",
                "room": room_id,
                "user": member,
                "until": sanction.until.isoformat(),
            }
        )

    async def frame_typing(self, content):
        room_id = _int(content, "room")
        now = time.monotonic()
        if now - self.typed.get(room_id, 0.0) < TYPING_EVERY_SECONDS:
            return  # said recently enough
        self.typed[room_id] = now
        await _call(self.language, actions.check_typing, self.user, room_id)

    FRAMES = {
        "ping": frame_ping,
        "join": frame_join,
        "leave": frame_leave,
        "history": frame_history,
        "send": frame_send,
        "edit": frame_edit,
        "delete": frame_delete,
        "hide": frame_hide,
        "read": frame_read,
        "typing": frame_typing,
        "mute": frame_mute,
    }

    async def _join_groups(self) -> None:
        """(Re)join this socket's groups: its person's, and its rooms' through
        the hub (which also takes back a socket that fell behind)."""
        await self.channel_layer.group_add(self.user_group, self.channel_name)
        for room_id in list(self.rooms):
            await self.hub.add(room_id, self)

    async def _leave(self, room_id: int) -> None:
        joined = self.rooms.pop(room_id, None)
        await self.hub.discard(room_id, self)
        if joined is not None:
            await _depart(self.channel_name, [room_id])

    # Events from the channel layer (chat.events) -----------------------------------

    async def dispatch(self, message):
        """Channels closes stale database connections before every handler,
        a hop into the database thread. This consumer reaches the database
        only through `_on_database` (`database_sync_to_async`), which does the
        same before and after each call in that thread, so the extra hop is
        skipped: one per frame, and one per reader of every message
        (bench/chat.py).
        Events for the socket's person come here, between frames."""
        if message.get("type", "").startswith("chat."):
            await self.hear(message)
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            await super().dispatch(message)  # Channels' own error
            return
        await handler(message)

    async def hear(self, event: dict) -> None:
        """An event of a room this socket is in (from the room hub) or of its
        person (from its own channel)."""
        if self.lag is not None:
            if len(self.lag) < self.lag_limit:
                self.lag.append(event)  # its catching up sends it
            return  # beyond the layer's capacity: dropped, as the layer would
        if self.held is not None:
            self.held.append(event)  # sent once the frame is answered
            return
        await self._handle(event)

    async def _handle(self, event: dict) -> None:
        handler = self.EVENTS.get(event["type"])
        if handler is None:
            await super().dispatch(event)  # Channels' own error
            return
        await handler(self, event)

    def fell_behind(self, event: dict) -> None:
        """The hub could not send `event` in time (this connection's buffer
        is full): from now until it has caught up, this socket queues the
        room's events and sends them from a task of its own."""
        if self.lag is not None:
            return
        self.lag = deque([event])
        self.catching_up = asyncio.get_running_loop().create_task(self._catch_up())

    @property
    def lag_limit(self) -> int:
        return getattr(self.channel_layer, "capacity", 100)

    async def _catch_up(self) -> None:
        lag = self.lag
        try:
            while lag:
                await self._handle(lag.popleft())
        except Exception:  # the client has gone: its disconnect cleans up
            logger.debug("A chat socket could not catch up", exc_info=True)
        finally:
            self.lag = None

    def _joined(self, room_id) -> dict | None:
        return self.rooms.get(room_id)

    async def chat_message(self, event):
        joined = self.rooms.get(event["room"])
        if joined is None or event["seq"] <= joined["backlog_to"]:
            return  # not in this room, or already sent with the join
        author = event["author_id"]
        if author != self.user_id and self.filter.hides(author, event["words"]):
            await self.send(text_data=_skip(event))
            return
        await self.send(text_data=event["text"])

    async def chat_update(self, event):
        author = event["author_id"]
        if event["room"] not in self.rooms:
            return
        if event.get("others_only") and author == self.user_id:
            return  # the author's own copy comes to their sockets
        if author != self.user_id and self.filter.hides(author, event["words"]):
            return
        await self.send(text_data=event["text"])

    async def chat_skip(self, event):
        joined = self._joined(event["room"])
        if joined is not None and event["seq"] > joined["backlog_to"]:
            await self.send(text_data=_skip(event))

    async def chat_typing(self, event):
        author = event["author_id"]
        if (
            self._joined(event["room"]) is not None
            and author != self.user_id
            and not self.filter.hides(author)
        ):
            await self.send_json(
                {"type": "typing", "room": event["room"], "name": event["name"]}
            )

    async def chat_support(self, event):
        if self._joined(event["room"]) is not None:
            await self.send_json(
                {
                    "type": "support",
                    "room": event["room"],
                    "picked_up_by": event["picked_up_by"],
                }
            )

    async def chat_support_ended(self, event):
        if self._joined(event["room"]) is not None:
            await self.send_json({"type": "support_ended", "room": event["room"]})

    async def chat_presence(self, event):
        frame = event["frame"]
        if self._joined(frame["room"]) is None:
            return
        here = [p for p in frame["here"] if p["id"] not in self.filter.silenced]
        await self.send_json({**frame, "here": here})

    async def chat_receipt(self, event):
        author = event["author_id"]
        if (
            self._joined(event["frame"]["room"]) is not None
            and author != self.user_id
            and author not in self.filter.silenced
        ):
            await self.send_json(event["frame"])

    async def chat_revoked(self, event):
        """No longer an active member of a pathway: out of its rooms now."""
        for room_id, joined in list(self.rooms.items()):
            if joined["pathway"] == event["pathway"]:
                await self._leave(room_id)
                await self.send_json(events.error_frame("not_found", room=room_id))

    EVENTS = {
        "chat.message": chat_message,
        "chat.update": chat_update,
        "chat.skip": chat_skip,
        "chat.typing": chat_typing,
        "chat.support": chat_support,
        "chat.presence": chat_presence,
        "chat.receipt": chat_receipt,
        "chat.revoked": chat_revoked,
    }


def _skip(event: dict) -> str:
    """The `skip` frame for a number this reader may not see."""
    return json.dumps({"type": "skip", "room": event["room"], "seq": event["seq"]})
