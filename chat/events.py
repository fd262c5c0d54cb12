"""Chat's real-time events and the frames a client receives, written down in
one place.

Two kinds of dict live here:
- channel-layer events (`type` "chat.<handler>"), sent by actions through
  `community.notifications.events.broadcast_on_commit`, so only after the
  message is stored;
- client frames (`type` "message", "ack", "error"...), the JSON a socket
  sends. The protocol is in chat/README.md.

Groups: each process's room hub (chat/fanout.py, one per process, for all its
sockets in the room) is in `room_group(room)`, and every chat socket of one
person in `chat_user_group(user)` (for what only they may see: their own held
message, being removed from a pathway). This is not the notifications
socket's group: its consumer has no chat handlers.

A message or an update is the same for every reader who may see it, so its
event carries the client frame already encoded (`text`), once per message,
beside what a socket filters it by (`room`, `seq`, `author_id`, and the body
folded to lower case, `words`, for mute words): a socket sends `text` as it is
(docs/decisions/0025-chat-fan-out.md). `event_frame` decodes it for tests and
tools.
"""

import json

from community.models import ContentStatus
from community.notifications.events import broadcast_on_commit

from .models import Message, Room


def room_group(room_id: int) -> str:
    return f"chat-room-{room_id}"


def chat_user_group(user_id: int) -> str:
    return f"chat-user-{user_id}"


# Client frames --------------------------------------------------------------------


def frame_status(message: Message, *, own: bool) -> str:
    """How a message shows: "published"; to its author also "held" (waiting
    for a moderator) or "reported" (hidden from others meanwhile); anything
    else (deleted, hidden, someone else's held message) is "removed"."""
    if message.deleted_at is not None:
        return "removed"
    if message.status == ContentStatus.PUBLISHED:
        return "published"
    if own and message.status == ContentStatus.HELD:
        return "held"
    if own and message.status == ContentStatus.HIDDEN_BY_REPORTS:
        return "reported"
    return "removed"


def message_frame(
    message: Message, *, own: bool, care_team: frozenset[int] = frozenset()
) -> dict:
    """`message`: one message as its author (`own`) or anyone else sees it;
    `care_team` holds the ids of the pathway's staff, so their messages are
    marked. A removed message keeps its number and loses its text."""
    status = frame_status(message, own=own)
    return {
        "type": "message",
        "room": message.room_id,
        "seq": message.seq,
        "id": message.pk,
        "client_id": str(message.client_id),
        "author": {
            "id": message.author_id,
            "name": message.author.display_name,
            "staff": message.author_id in care_team,
        },
        "body": message.body if status != "removed" else "",
        "status": status,
        "edited": message.edited_at is not None,
        "created_at": message.created_at.isoformat(),
    }


def reader_frame(
    message: Message, user_id: int, care_team: frozenset[int] = frozenset()
) -> dict:
    return message_frame(message, own=message.author_id == user_id, care_team=care_team)


def joined_frame(backlog) -> dict:
    """`joined` (for an actions.Backlog): the missed and changed messages
    have all been sent (`complete` False when there were too many: page
    back with `history`); live ones follow. `at` is what the next join
    gives as `changed_since`."""
    return {
        "type": "joined",
        "room": backlog.room.pk,
        "name": backlog.room.name,
        "last_seq": backlog.last_seq,
        "complete": backlog.complete,
        "at": backlog.at.isoformat(),
    }


def history_frame(room_id: int, before: int, has_more: bool) -> dict:
    """`history`: the page of older messages just sent is complete."""
    return {"type": "history", "room": room_id, "before": before, "more": has_more}


def ack_frame(message: Message, client_id: str) -> dict:
    """`ack`: the message is stored as number `seq`."""
    return {
        "type": "ack",
        "room": message.room_id,
        "client_id": client_id,
        "seq": message.seq,
        "status": frame_status(message, own=True),
    }


def receipt_frame(room_id: int, user, seq: int) -> dict:
    """`receipt`: `user` has read the room up to number `seq`."""
    return {
        "type": "receipt",
        "room": room_id,
        "user": {"id": user.pk, "name": user.display_name},
        "seq": seq,
    }


def error_frame(code: str, message: str = "", **extra) -> dict:
    """`error`: what went wrong; the socket stays open."""
    frame = {"type": "error", "code": code}
    if message:
        frame["message"] = message
    frame.update({key: value for key, value in extra.items() if value is not None})
    return frame


def crisis_frame(texts: list[str], contacts, client_id: str | None = None) -> dict:
    """`crisis`: the kind words and the crisis contacts, shown at once."""
    return {
        "type": "crisis",
        "client_id": client_id,
        "messages": list(texts),
        "contacts": [
            {
                "name": contact.name,
                "phone": contact.phone,
                "href": contact.phone_href,
                "description": contact.description,
            }
            for contact in contacts
        ],
    }


# Channel-layer events -------------------------------------------------------------


def message_event(event_type: str, frame: dict, author_id: int | None, **extra) -> dict:
    """A chat.message or chat.update event: `frame` encoded once, for every
    socket that hears it, and what a socket filters by."""
    return {
        "type": event_type,
        "room": frame["room"],
        "seq": frame["seq"],
        "author_id": author_id,
        "words": frame["body"].lower(),
        "text": json.dumps(frame),
        **extra,
    }


def event_frame(event: dict) -> dict:
    """The client frame an encoded event carries (for tests and tools)."""
    return json.loads(event["text"])


def announce_message(message: Message, care_team: frozenset[int]) -> None:
    """A new message, on commit: a published one to everyone in the room; a
    held one to its author's sockets only, and to the room just its number
    (`chat.skip`), so other clients move past it without seeing a gap."""
    room = room_group(message.room_id)
    if message.status == ContentStatus.PUBLISHED:
        frame = message_frame(message, own=False, care_team=care_team)
        broadcast_on_commit(
            room, message_event("chat.message", frame, message.author_id)
        )
        return
    broadcast_on_commit(
        room, {"type": "chat.skip", "room": message.room_id, "seq": message.seq}
    )
    own = message_frame(message, own=True, care_team=care_team)
    broadcast_on_commit(
        chat_user_group(message.author_id),
        message_event("chat.message", own, message.author_id),
    )


def announce_update(message: Message, care_team: frozenset[int]) -> None:
    """An edited, deleted or hidden message, on commit: the room hears how
    others now see it; when its author sees it otherwise (their edit is
    held), their sockets hear that too and ignore the room's copy."""
    public = message_frame(message, own=False, care_team=care_team)
    own = message_frame(message, own=True, care_team=care_team)
    broadcast_on_commit(
        room_group(message.room_id),
        message_event(
            "chat.update", public, message.author_id, others_only=own != public
        ),
    )
    if own != public:
        broadcast_on_commit(
            chat_user_group(message.author_id),
            message_event("chat.update", own, message.author_id),
        )


def announce_typing(room: Room, user) -> None:
    """Someone is typing in `room` (not stored)."""
    broadcast_on_commit(
        room_group(room.pk),
        {
            "type": "chat.typing",
            "room": room.pk,
            "author_id": user.pk,
            "name": user.display_name,
        },
    )


def announce_picked_up(room: Room, staff) -> None:
    """A staff member picked up a support conversation: its sockets say who
    is here."""
    broadcast_on_commit(
        room_group(room.pk),
        {"type": "chat.support", "room": room.pk, "picked_up_by": staff.display_name},
    )


def announce_support_ended(room: Room) -> None:
    """A support conversation ended: its sockets (the member's page) say so
    and show what to do next (the crisis contacts, how to start again)."""
    broadcast_on_commit(
        room_group(room.pk), {"type": "chat.support_ended", "room": room.pk}
    )


def announce_revoked(user_id: int, pathway_id: int) -> None:
    """`user` is no longer an active member of the pathway: their sockets
    leave its rooms at once."""
    broadcast_on_commit(
        chat_user_group(user_id), {"type": "chat.revoked", "pathway": pathway_id}
    )


def announce_presence(frame: dict) -> None:
    """Who is here changed (a `presence` frame, chat.presence): the room
    hears it on commit; each socket leaves out people its reader silenced."""
    broadcast_on_commit(
        room_group(frame["room"]),
        {"type": "chat.presence", "room": frame["room"], "frame": frame},
    )


def announce_receipt(room_id: int, user, seq: int) -> None:
    """`user` has read `room_id` up to `seq`: the others in it hear it."""
    broadcast_on_commit(
        room_group(room_id),
        {
            "type": "chat.receipt",
            "room": room_id,
            "author_id": user.pk,
            "frame": receipt_frame(room_id, user, seq),
        },
    )
