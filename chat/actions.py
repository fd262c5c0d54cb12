"""Business rules of chat: sending, editing, deleting and hiding messages,
reading, typing, and what a socket needs when it joins or pages back.

Every text takes community's submission road (`submit_content`: the
author's pause, the safety pipeline, then `store_content`, which holds it or
raises a risk alert as the verdict says). A message is stored first, with the room's
next number, and announced on commit (chat.events); nothing is announced of a
transaction that rolled back. The `check_*` entries take raw ids from a socket
frame and ask the access layer (chat.permissions) each time.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from community.actions import Refused
from community.audit import audit
from community.models import STAFF_ROLES, ContentStatus, Pathway, User
from community.models.silence import without_silenced
from community.moderation.cases import DEFAULT_MUTE_HOURS, do_sanction_member
from community.moderation.models import Sanction, SanctionKind
from community.moderation.submission import Submission, submit_content
from community.notifications.actions import notify
from community.permissions import direct_refusal, membership_in
from community.safety.pipeline import Action, Verdict
from community.social.actions import do_edit

from . import events
from .errors import ChatError
from .models import Message, ReadCursor, Room, RoomKind, default_room_name
from .permissions import (
    OwnMessage,
    ReaderFilter,
    RoomNotFound,
    access_moderated_message,
    access_own_message,
    access_room,
    can_moderate_room,
    care_team_ids,
    reader_filter,
    visible_messages,
)
from .presence import do_arrive, is_here, receipts_for

MAX_BODY = 4000
PAGE_SIZE = 50
MAX_MISSED = 500
# At most RATE_MESSAGES messages in RATE_SECONDS per person, across rooms.
RATE_MESSAGES = getattr(settings, "HARBOUR_CHAT_RATE_MESSAGES", 20)
RATE_SECONDS = getattr(settings, "HARBOUR_CHAT_RATE_SECONDS", 10)


# Rooms ----------------------------------------------------------------------------


def ensure_default_room(pathway: Pathway) -> Room:
    """The pathway's default room, created if it has none. Idempotent."""
    room = Room.objects.filter(pathway=pathway, is_default=True).first()
    if room is None:
        room = Room.objects.create(
            pathway=pathway,
            kind=RoomKind.PATHWAY,
            name=default_room_name(pathway),
            is_default=True,
        )
    return room


def do_open_direct(user: User, other: User, pathway: Pathway) -> Room:
    """The direct conversation of `user` and `other` in `pathway`, opened if
    they had none (one room per pair and pathway, whoever starts it).
    ChatError("not_allowed") with the reason in words when they may not talk
    directly (permissions.direct_refusal); the caller let `user` see `other`'s
    profile through the access layer."""
    refusal = direct_refusal(user, other, pathway)
    if refusal:
        raise ChatError("not_allowed", refusal)
    first, second = sorted([user, other], key=lambda person: person.pk)
    found = {
        "pathway": pathway,
        "kind": RoomKind.DIRECT,
        "member": first,
        "peer": second,
    }
    room = Room.objects.filter(**found).first()
    if room is None:
        try:
            with transaction.atomic():
                room = Room.objects.create(**found, name="")
        except IntegrityError:  # both opened it at once: the other made it
            room = Room.objects.get(**found)
    return room


def check_direct(user: User, room: Room) -> None:
    """In a direct room, ChatError("not_allowed") when `user` may no longer
    write to the other person (a block, a setting, the pathway's rule, a
    membership ended since it opened). Nothing for other rooms."""
    if room.kind != RoomKind.DIRECT:
        return
    other = room.other_person(user)
    assert other is not None  # noqa: S101 - a direct room has two people
    refusal = direct_refusal(user, other, room.pathway)
    if refusal:
        raise ChatError("not_allowed", refusal)


def direct_url(room: Room) -> str:
    return reverse("chat:direct", kwargs={"room_id": room.pk})


def tell_recipient(message: Message) -> None:
    """A published direct message: its recipient hears of it, once until they
    have read their notices (a conversation is not a notice per message),
    and not while they have the conversation open. Blocks, mutes and
    membership are notify's to check."""
    room = message.room
    if room.kind != RoomKind.DIRECT or not message.is_published:
        return
    other = room.other_person(message.author)
    assert other is not None  # noqa: S101 - a direct room has two people
    url = direct_url(room)
    if other.notifications.filter(url=url, read_at=None).exists():
        return
    if is_here(other, room):
        return
    notify(
        other,
        room.pathway,
        "message",
        _("%(name)s sent you a message.") % {"name": message.author.display_name},
        url,
        actor=message.author,
    )


# Sending --------------------------------------------------------------------------


@dataclass
class Sent:
    """What became of a send: the stored message (or none when the author is
    asked to rewrite) and the pipeline's answer (none for a repeated client
    id, which was answered the first time). Quacks like a Submission, so page
    forms show it with community.moderation.forms.submit_member_text."""

    message: Message | None
    submission: Submission | None = None

    @property
    def duplicate(self) -> bool:
        return self.submission is None

    @property
    def obj(self) -> Message | None:
        return self.message

    @property
    def needs_rewrite(self) -> bool:
        return self.submission is not None and self.submission.needs_rewrite

    @property
    def verdict(self) -> Verdict:
        if self.submission is None:
            return Verdict(text="", action=Action.PUBLISH)
        return self.submission.verdict

    def errors(self) -> dict[str, list[str]]:
        return self.submission.errors() if self.submission else {}


def parse_client_id(value: object) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise ChatError(
            "bad_client_id", _("Each message needs its own id (a UUID).")
        ) from None


def check_rate(user: User) -> None:
    """ChatError("rate_limited") past RATE_MESSAGES sends in RATE_SECONDS
    (a fixed window in the cache, shared by every process on Redis)."""
    window = int(timezone.now().timestamp()) // RATE_SECONDS
    key = f"chat-rate:{user.pk}:{window}"
    # The window's count is counted up first, made only by its first send:
    # on Redis one round trip fewer a message than making sure it exists.
    try:
        count = cache.incr(key)
    except ValueError:  # the window's first send
        count = 1 if cache.add(key, 1, RATE_SECONDS * 2) else cache.incr(key)
    if count > RATE_MESSAGES:
        raise ChatError(
            "rate_limited",
            _(
                "You're sending messages very quickly. Please wait a few "
                "seconds, then send again."
            ),
        )


def check_body(body: object) -> str:
    """`body` as the text of a message, for any caller (it reads and locks
    nothing, and nobody hears of it); ChatError("bad_frame") when it is not
    text, ChatError("too_long") past MAX_BODY characters."""
    if not isinstance(body, str):
        raise ChatError("bad_frame", _("Please write a message."))
    if len(body) > MAX_BODY:
        raise ChatError(
            "too_long",
            _("Please keep a message to %(n)s characters or fewer.") % {"n": MAX_BODY},
        )
    return body


def _stored(room: Room, user: User, client_id: uuid.UUID) -> Message | None:
    """`user`'s message with `client_id` in `room`, if stored (at most one:
    a unique constraint)."""
    try:
        return Message.objects.select_related("author").get(
            room=room, author=user, client_id=client_id
        )
    except Message.DoesNotExist:
        return None


def do_send_message(
    user: User, room: Room, client_id: object, body: object, language: str = "en"
) -> Sent:
    """`user` (whom the access layer let into `room`; its `room.membership`,
    when there, is not looked up again) sends `body` with their own
    `client_id`. A client id already stored for them in this room returns
    that message again: nothing is stored twice. Otherwise the text goes
    through the safety pipeline: a rewrite stores nothing (see
    `Sent.errors`); else the message is stored with the room's next number,
    published or held, with any risk alert raised by store_content, all in
    one transaction that locks the room's counter. On commit a published
    message goes to everyone in the room, a held one to its author only.
    Raises ChatError (too long, too fast, bad id) and Refused (the author
    is muted), and ChatError("closed") in a support conversation that has
    ended, and ChatError("not_allowed") in a direct conversation the two may
    no longer have (check_direct).

    The store is asked for the client id only when the send would not store
    a message (a refusal, a rewrite, or the unique constraint on the id): a
    first send, nearly every send, costs no lookup. So a resend counts
    towards the rate limit and runs the pipeline again (without effects:
    what it finds is acted on by store_content, which a stored id rolls
    back), and is still answered with the message it sent."""
    message_id = parse_client_id(client_id)
    text = check_body(body)

    def build(submission: Submission) -> Message:
        return Message(
            room=room,
            pathway=room.pathway,
            author=user,
            client_id=message_id,  # its number is taken as it is saved
            body=submission.clean["body"],
        )

    def announce(submission: Submission) -> None:
        message = submission.obj
        assert isinstance(message, Message)  # noqa: S101 - what build made
        assert submission.membership is not None  # noqa: S101 - a room's pathway
        staff = submission.membership.role in STAFF_ROLES
        events.announce_message(message, frozenset([user.pk]) if staff else frozenset())
        tell_recipient(message)

    try:
        _may_send(user, room)
        # Announced by `announce`, new (announce=False: the kind's `published`
        # hook is for a held message a moderator approves later).
        submission = submit_content(
            user,
            getattr(room, "membership", None) or room.pathway,
            {"body": text},
            build,
            language=language,
            announce=False,
            then=announce,
        )
    except (ChatError, Refused):
        # Sent before the refusal applied (a lost ack, then a pause or a
        # closed conversation): the author hears it was stored after all.
        if (existing := _stored(room, user, message_id)) is not None:
            return Sent(existing)
        raise
    except IntegrityError:
        # The client id is stored (a resend, or a send racing with this one
        # that the counter's lock let in first): answer with that message.
        existing = _stored(room, user, message_id)
        if existing is None:
            raise
        return Sent(existing)
    if submission.needs_rewrite:
        # A rule pack changed since this id was stored: the stored one stands.
        existing = _stored(room, user, message_id)
        return Sent(existing) if existing else Sent(None, submission)
    message = submission.obj
    assert isinstance(message, Message)  # noqa: S101 - what build made
    return Sent(message, submission)


def _may_send(user: User, room: Room) -> None:
    """The checks of chat's own before a message takes the submission road.
    Raises ChatError as do_send_message says."""
    if room.closed_at is not None:
        raise ChatError("closed", _("This conversation has ended."))
    check_rate(user)
    check_direct(user, room)


def check_send(
    user: User, room_id: object, client_id: object, body: object, language: str = "en"
) -> Sent:
    """A socket's send: access to the room is checked again, then
    `do_send_message`."""
    return do_send_message(user, access_room(user, room_id), client_id, body, language)


# Editing, deleting, hiding --------------------------------------------------------


def note_changed(message: Message) -> None:
    """`message` now reads or shows otherwise (an edit, a deletion, a
    moderator's decision): stamp when, so a resyncing client is sent it
    again, and tell the room on commit. Runs inside the change's
    transaction; content_kinds registers it for community's decisions."""
    message.changed_at = timezone.now()
    Message.objects.filter(pk=message.pk).update(changed_at=message.changed_at)
    events.announce_update(message, care_team_ids(message.pathway_id))


def message_published(message: Message) -> None:
    """A held message a moderator approved: it appears in its place, and in
    a direct conversation its recipient hears of it."""
    note_changed(message)
    tell_recipient(message)


def do_edit_message(
    user: User, message: Message, body: object, language: str = "en"
) -> Submission:
    """The author edits their message within the edit window (as forum
    posts: community.social.actions.do_edit keeps the old text for moderators and
    runs the pipeline; a rewrite changes nothing). The caller asked the
    access layer (`access_own_message`, or `access_message` and `can_edit`,
    which do_edit asks again). The room hears of the change on commit."""
    text = check_body(body)
    with transaction.atomic():
        submission = do_edit(user, message, {"body": text}, language)
        if not submission.needs_rewrite:
            note_changed(message)
    return submission


def do_delete_message(user: User, message: Message) -> None:
    """The author (the caller asked `access_own_message`) deletes their
    message: it is gone for readers (its number stays, empty), kept for any
    moderation case it has. Audited; the room hears of it on commit."""
    if message.deleted_at is not None:
        return
    with transaction.atomic():
        message.deleted_at = timezone.now()
        message.save(update_fields=["deleted_at"])
        audit(user, "chat.deleted", pathway=message.pathway, target=message)
        note_changed(message)


def do_hide_message(moderator: User, message: Message, reason: str = "") -> None:
    """A moderator of the message's pathway (the caller used
    `access_moderated_message`) hides it from everyone. Audited; the room
    hears of it on commit. Reports on it stay in the queue."""
    if message.status == ContentStatus.HIDDEN:
        return
    with transaction.atomic():
        message.status = ContentStatus.HIDDEN
        message.save(update_fields=["status"])
        audit(
            moderator,
            "chat.hidden",
            pathway=message.pathway,
            target=message,
            reason=reason,
        )
        note_changed(message)


def check_edit(
    user: User, room_id: object, seq: object, body: object, language: str = "en"
) -> Submission:
    """The author edits message `seq` of room `room_id` (`access_own_message`,
    then `do_edit_message`)."""
    message = access_own_message(user, room_id, seq, OwnMessage.EDIT)
    return do_edit_message(user, message, body, language)


def check_delete(user: User, room_id: object, seq: object) -> Message:
    """The author deletes message `seq` of room `room_id`
    (`access_own_message`, then `do_delete_message`)."""
    message = access_own_message(user, room_id, seq, OwnMessage.DELETE)
    do_delete_message(user, message)
    return message


def check_hide(user: User, room_id: object, seq: object) -> Message:
    """A socket's hide: any message `seq` of room `room_id` for a moderator
    of the room's pathway (`access_moderated_message`, RoomNotFound for
    anyone else), then `do_hide_message` (audited, the room hears of it on
    commit). Returns it."""
    message = access_moderated_message(user, room_id, seq)
    do_hide_message(user, message)
    return message


# Reading --------------------------------------------------------------------------


def do_mark_read(user: User, room: Room, seq: int) -> int:
    """`user` has read `room` up to `seq` (never beyond its last message;
    a cursor only moves forward). Returns the cursor; when it moved, the
    others in the room hear it on commit (a read receipt), unless `user`
    keeps their receipts to themselves."""
    seq = max(0, min(int(seq), room.last_seq))
    with transaction.atomic():
        cursor, _created = ReadCursor.objects.select_for_update().get_or_create(
            room=room, user=user
        )
        if seq > cursor.last_read_seq:
            cursor.last_read_seq = seq
            cursor.save(update_fields=["last_read_seq", "updated_at"])
            if user.share_read_receipts:
                events.announce_receipt(room.pk, user, seq)
    return cursor.last_read_seq


def check_read(user: User, room_id: object, seq: int) -> int:
    """A socket's read receipt: room `room_id` as `user` may read it
    (`access_room`, else RoomNotFound), then `do_mark_read` (locks the
    cursor; the others in the room hear of a move unless `user` keeps
    receipts to themselves). Returns the cursor."""
    return do_mark_read(user, access_room(user, room_id), seq)


def check_mute(
    moderator: User, room_id: object, member_id: int, hours: int | None = None
) -> Sanction:
    """A moderator of the room's pathway pauses a member's posting there for
    `hours` (a day unless given; at most 30 days), from the chat. Audited,
    and the member is told (community.moderation.cases.do_sanction_member)."""
    room = access_room(moderator, room_id)
    if not can_moderate_room(moderator, room):
        raise RoomNotFound("No such room")
    member = User.objects.filter(pk=member_id, is_active=True).first()
    if member is None:
        raise RoomNotFound("No such person")
    staff = membership_in(moderator, room.pathway)
    assert staff is not None  # noqa: S101 - can_moderate_room found it
    return do_sanction_member(
        staff,
        member,
        SanctionKind.MUTE,
        note=_("Paused from the chat"),
        mute_hours=hours or DEFAULT_MUTE_HOURS,
    )


def check_typing(user: User, room_id: object) -> None:
    """Tell the room `user` is typing (nothing stored)."""
    events.announce_typing(access_room(user, room_id), user)


def check_last_seqs(user: User, room_ids: Iterable[int]) -> dict[int, int]:
    """The last message number of each room in `room_ids` that `user` may
    still read (the others are left out), for a socket's heartbeat: a client
    behind one of them lost a live copy and joins again. One query a room."""
    found: dict[int, int] = {}
    for room_id in room_ids:
        try:
            found[room_id] = access_room(user, room_id).last_seq
        except RoomNotFound:
            continue
    return found


@dataclass
class Backlog:
    """What a joining socket is owed: the visible messages after its last
    number (oldest first), the ones it already had that changed since it
    last joined (`changed`), the room's last number, read first, so that live
    events above it are the only ones still to come, and the time of the read
    (`at`), for the next join's `changed_since`."""

    room: Room
    messages: list[Message]
    last_seq: int
    complete: bool
    changed: list[Message]
    at: datetime


# Clocks of several server processes differ a little: a resync asks for
# changes from a little earlier than it was told (a change sent twice is
# harmless; the client replaces a message by its number).
CHANGE_MARGIN = timedelta(seconds=10)


def _changed_since(room: Room, user: User, after: int, since: object) -> list[Message]:
    """Messages up to number `after` that changed after `since` (an ISO
    time from an earlier `joined` frame), as `user` now sees them: those of
    people they blocked or muted left out (they never saw them)."""
    when = parse_datetime(since) if isinstance(since, str) else None
    if when is None or timezone.is_naive(when):
        return []
    # Blocked and muted authors are left out inside the query, as
    # visible_content does (the socket reads the reader's filter once already).
    changed = Message.objects.filter(
        room=room, seq__lte=after, changed_at__gt=when - CHANGE_MARGIN
    )
    return list(
        without_silenced(changed, user)
        .select_related("author")
        .order_by("seq")[:MAX_MISSED]
    )


def check_join(
    user: User,
    room_id: object,
    after: int | None = None,
    changed_since: object = None,
) -> Backlog:
    """Access to `room_id`, then the messages `user` missed after `after` (a
    number), at most MAX_MISSED of the newest; with no `after`, the last
    page. `complete` is False when older ones were left out (page back).
    With `after` and `changed_since` (the `at` of an earlier join), the
    messages up to `after` that changed since then come too, so an edit, a
    deletion or a moderator's decision made while the client was away is
    not missed. The caller joins the room's group before asking, so nothing
    committed after this read is missed live."""
    room = access_room(user, room_id)
    at = timezone.now()
    last_seq = Room.objects.values_list("last_seq", flat=True).get(pk=room.pk)
    found = visible_messages(user, room).filter(seq__lte=last_seq)
    limit = PAGE_SIZE
    changed: list[Message] = []
    if after is not None:
        after = max(0, int(after))
        found = found.filter(seq__gt=after)
        limit = MAX_MISSED
        changed = _changed_since(room, user, min(after, last_seq), changed_since)
    newest = list(found.order_by("-seq")[: limit + 1])
    return Backlog(
        room, newest[:limit][::-1], last_seq, len(newest) <= limit, changed, at
    )


@dataclass
class Joined:
    """Everything a socket sends and keeps when it joins a room: the frames
    (changed messages, the backlog, read receipts, then `joined`), the room's
    pathway (to be cut off with it), the last number the backlog covers and
    the reader's filter for live events, read afresh."""

    frames: list[dict]
    pathway_id: int
    last_seq: int
    filter: ReaderFilter


def check_socket_join(
    user: User,
    room_id: int,
    after: int | None,
    changed_since: datetime | None,
    channel_name: str,
) -> Joined:
    """A socket's join, in one call: `check_join` (access, then the
    backlog), as `user` sees it (blocked and muted people and mute words
    left out), with the read receipts of the others, then the socket counts
    among those here (presence.do_arrive: the room hears who is here, on
    commit). The caller joined the room's group before asking."""
    backlog = check_join(user, room_id, after, changed_since)
    seen = reader_filter(user)
    team = care_team_ids(backlog.room.pathway_id)
    frames = [
        seen.as_seen(events.reader_frame(m, user.pk, team)) for m in backlog.changed
    ]
    frames += [events.reader_frame(m, user.pk, team) for m in backlog.messages]
    frames += [
        receipt
        for receipt in receipts_for(backlog.room, user)
        if receipt["user"]["id"] not in seen.silenced
    ]
    frames.append(events.joined_frame(backlog))
    # Said after the backlog is read: the room (this socket too) hears who
    # is here once this socket counts among them.
    do_arrive(user, backlog.room, channel_name)
    return Joined(frames, backlog.room.pathway_id, backlog.last_seq, seen)


def check_history(
    user: User, room_id: object, before: int
) -> tuple[list[Message], bool]:
    """Up to PAGE_SIZE visible messages before number `before`, oldest first,
    and whether there are older ones."""
    return recent_messages(user, access_room(user, room_id), max(0, int(before)))


def check_history_frames(user: User, room_id: int, before: int) -> list[dict]:
    """A socket's page back (`check_history`) as the frames it sends: the
    messages, marked where the care team wrote them, then `history`."""
    older, more = check_history(user, room_id, before)
    team = care_team_ids(older[0].pathway_id) if older else frozenset()
    frames = [events.reader_frame(m, user.pk, team) for m in older]
    return [*frames, events.history_frame(room_id, before, more)]


def recent_messages(
    user: User, room: Room, before: int | None = None
) -> tuple[list[Message], bool]:
    """For the page: the last PAGE_SIZE messages (before `before`, when
    paging back), oldest first, and whether there are older ones."""
    found = visible_messages(user, room)
    if before is not None:
        found = found.filter(seq__lt=before)
    newest = list(found.order_by("-seq")[: PAGE_SIZE + 1])
    return newest[:PAGE_SIZE][::-1], len(newest) > PAGE_SIZE
