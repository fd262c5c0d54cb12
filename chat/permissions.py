"""The access layer for chat: who may join a room, read its messages and act
in it. Every entry (page, form, socket frame) asks here each time, so a member
removed from a pathway is cut off from its rooms at their next step.

Missing and forbidden answer alike (`RoomNotFound`, an Http404): a stranger
cannot tell that a room or a pathway exists.
"""

import functools
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from cms.db import prepared_cursor
from community.inputs import whole_number, with_id
from community.models import (
    STAFF_ROLES,
    ContentStatus,
    Membership,
    MembershipStatus,
    Pathway,
    User,
)
from community.models.silence import silencing
from community.permissions import (
    Capability,
    access_pathway,
    capabilities_of,
    forget_mute_words,
    has_capability,
    may_use_signed_in_endpoints,
    mute_words_of,
    visible_content,
)

from . import rows
from .errors import ChatError
from .models import Message, ReadCursor, Room, RoomKind


class RoomNotFound(Http404):
    """No such room for this person (missing or forbidden, alike)."""


def rooms_visible_to(user: User) -> QuerySet[Room]:
    """Every room `user` may read, by `access_room`'s rule, as a queryset
    (`room_open_to` is the same rule for one room)."""
    if not user.is_authenticated:
        return Room.objects.none()
    # One filter() call: every condition on memberships is about the same
    # row, the user's own active membership of the room's pathway.
    return Room.objects.filter(
        Q(kind=RoomKind.PATHWAY)
        | Q(kind=RoomKind.SUPPORT, member=user)
        | Q(kind=RoomKind.SUPPORT, pathway__memberships__role__in=STAFF_ROLES)
        | Q(kind=RoomKind.DIRECT, member=user)
        | Q(kind=RoomKind.DIRECT, peer=user),
        pathway__memberships__user=user,
        pathway__memberships__status=MembershipStatus.ACTIVE,
    )


def room_open_to(room: Room, membership: Membership) -> bool:
    """`rooms_visible_to`'s rule for one room and the reader's active
    membership of its pathway: a pathway's room is every member's; a support
    conversation its member's and the staff's; a direct one its two people's."""
    user_id = membership.user_id
    if room.kind == RoomKind.SUPPORT:
        return room.member_id == user_id or membership.role in STAFF_ROLES
    if room.kind == RoomKind.DIRECT:
        return user_id in (room.member_id, room.peer_id)
    return room.kind == RoomKind.PATHWAY


def access_room(user: User, room_id: object) -> Room:
    """Room `room_id` with its pathway if `user` is an active member of that
    pathway and, for a support conversation, the member who asked or one of
    the pathway's staff (peer supporters, clinicians, leads); for a direct
    conversation, one of its two people (whether they may still write in it
    is `direct_refusal`'s question); else RoomNotFound.

    The user's membership comes with it, as `room.membership`, for what they
    may do there. One statement (`_room_and_membership`)."""
    number = whole_number(room_id)
    found = (
        _room_and_membership(user.pk, number)
        if user.is_authenticated and number is not None
        else None
    )
    if found is None or not room_open_to(*found):
        raise RoomNotFound("No such room")
    room, membership = found
    room.membership = membership
    return room


@functools.cache
def _room_and_membership_sql() -> str:
    selected = ", ".join(part.sql for part in _room_and_membership_columns())
    on_pathway = f"r.{rows.column(Room, 'pathway')}"
    return (
        f"SELECT {selected} FROM {rows.table(Room)} r "  # noqa: S608 - names from the models
        f"INNER JOIN {rows.table(Pathway)} p "
        f"ON p.{rows.column(Pathway, 'id')} = {on_pathway} "
        f"INNER JOIN {rows.table(Membership)} m "
        f"ON m.{rows.column(Membership, 'pathway')} = {on_pathway} "
        f"AND m.{rows.column(Membership, 'user')} = %s "
        f"AND m.{rows.column(Membership, 'status')} = %s "
        f"WHERE r.{rows.column(Room, 'id')} = %s"
    )


def _room_and_membership_columns() -> tuple[
    rows.Columns[Room], rows.Columns[Pathway], rows.Columns[Membership]
]:
    return (
        rows.columns(Room, "r"),
        rows.columns(Pathway, "p"),
        rows.columns(Membership, "m"),
    )


def _room_and_membership(user_id: int, room_id: int) -> tuple[Room, Membership] | None:
    """Room `room_id` with its pathway, and `user_id`'s active membership of
    that pathway (holding the same pathway), or None when either is missing.
    One statement written out: this is asked on every socket frame, and
    building it cost the ORM four times what running it did (chat/rows.py)."""
    with prepared_cursor() as cursor:
        cursor.execute(
            _room_and_membership_sql(), [user_id, MembershipStatus.ACTIVE, room_id]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    rooms, pathways, memberships = _room_and_membership_columns()
    room = rooms.make(row)
    room.pathway = pathways.make(row, rooms.width)
    membership = memberships.make(row, rooms.width + pathways.width)
    membership.pathway = room.pathway
    return room, membership


def access_direct_room(user: User, room_id: object) -> Room:
    """Direct conversation `room_id` for one of its two people (as
    `access_room`, with `room.membership`); RoomNotFound for any other room,
    so a direct URL never opens a pathway's room or a support conversation."""
    room = access_room(user, room_id)
    if room.kind != RoomKind.DIRECT:
        raise RoomNotFound("No such room")
    return room


def access_support_room(user: User, slug: str, room_id: object) -> Room:
    """Support conversation `room_id` of pathway `slug` for its member or the
    pathway's staff (as `access_room`, with `room.membership`); RoomNotFound
    when it is another kind of room, of another pathway, or not theirs."""
    room = access_room(user, room_id)
    if room.kind != RoomKind.SUPPORT or room.pathway.slug != slug:
        raise RoomNotFound("No such room")
    return room


def access_staff_support_room(user: User, slug: str, room_id: object) -> Room:
    """`access_support_room` for staff who may pick the conversation up (a
    role with the MODERATE capability in its pathway); RoomNotFound for the
    member who asked, as for a stranger. `room.membership` is the staff
    member's, with its pathway."""
    room = access_support_room(user, slug, room_id)
    if Capability.MODERATE not in capabilities_of(room.membership):
        raise RoomNotFound("No such room")
    return room


def access_pathway_room(user: User, slug: str) -> Room:
    """The default room of pathway `slug` for an active member; else Http404."""
    pathway = access_pathway(user, slug)
    room = Room.objects.filter(pathway=pathway, is_default=True).first()
    if room is None:
        raise RoomNotFound("No such room")
    room.pathway = pathway
    return room


def visible_messages(user: User, room: Room) -> QuerySet[Message]:
    """Messages of `room` that `user` may read, oldest first, with their
    authors: published ones, the reader's own while held or hidden by
    reports; none deleted, none by people the reader blocked or muted, none
    with the reader's mute words (community.permissions.visible_content).
    The caller has asked `access_room` first."""
    return visible_content(
        user, Message.objects.filter(room=room, deleted_at=None), room.pathway
    ).select_related("author")


def access_message(user: User, room_id: object, seq: object) -> Message:
    """Message `seq` of room `room_id` if `user` may read it; else
    RoomNotFound (also when the room is not theirs)."""
    room = access_room(user, room_id)
    message = with_id(visible_messages(user, room), seq, "seq").first()
    if message is None:
        raise RoomNotFound("No such message")
    message.room = room
    return message


class OwnMessage(StrEnum):
    """What the author means to do with their message (`access_own_message`)."""

    EDIT = "edit"
    DELETE = "delete"


def access_own_message(
    user: User, room_id: object, seq: object, to: OwnMessage = OwnMessage.EDIT
) -> Message:
    """Message `seq` of room `room_id` if `user` wrote it (to edit or delete
    it): RoomNotFound, as `access_message`, when they may not read it, it is
    deleted or missing; ChatError("not_allowed") when they may read it but
    someone else wrote it (nothing leaks: they can see it)."""
    message = access_message(user, room_id, seq)
    if message.author_id != user.pk:
        refusal = {
            OwnMessage.EDIT: _("You can only edit your own messages."),
            OwnMessage.DELETE: _("You can only delete your own messages."),
        }[OwnMessage(to)]
        raise ChatError("not_allowed", refusal)
    return message


def access_moderated_message(user: User, room_id: object, seq: object) -> Message:
    """Any message `seq` of room `room_id`, whatever its status, for a
    moderator of the room's pathway; RoomNotFound for anyone else."""
    room = access_room(user, room_id)
    if not has_capability(user, room.pathway, Capability.MODERATE):
        raise RoomNotFound("No such message")
    message = (
        with_id(Message.objects.filter(room=room), seq, "seq")
        .select_related("author")
        .first()
    )
    if message is None:
        raise RoomNotFound("No such message")
    message.room = room
    return message


def direct_rooms_of(user: User) -> QuerySet[Room]:
    """`user`'s direct conversations (the inbox), the most recently active
    first, each with `last_at` (its newest message's time, else when it was
    opened) and `unread` (the other person's messages after `user`'s read
    cursor)."""
    if not user.is_authenticated:
        return Room.objects.none()
    cursor = ReadCursor.objects.filter(room=OuterRef("pk"), user_id=user.pk).values(
        "last_read_seq"
    )
    unread = (
        Message.objects.filter(
            room=OuterRef("pk"),
            seq__gt=Coalesce(Subquery(cursor), 0),
            status=ContentStatus.PUBLISHED,
            deleted_at=None,
        )
        .exclude(author_id=user.pk)
        .order_by()
        .values("room")
        .annotate(n=Count("pk"))
        .values("n")
    )
    newest = Message.objects.filter(room=OuterRef("pk")).order_by("-seq")
    return (
        rooms_visible_to(user)
        .filter(kind=RoomKind.DIRECT)
        .select_related("pathway", "member", "peer")
        .annotate(
            last_at=Coalesce(
                Subquery(newest.values("created_at")[:1]), F("created_at")
            ),
            unread=Coalesce(Subquery(unread), 0),
        )
        .order_by("-last_at", "-pk")
    )


def care_team_ids(pathway_id: int) -> frozenset[int]:
    """Ids of the pathway's active staff (peer supporters, clinicians,
    leads): their messages are marked as the care team's."""
    return frozenset(
        Membership.objects.filter(
            pathway_id=pathway_id,
            status=MembershipStatus.ACTIVE,
            role__in=STAFF_ROLES,
        ).values_list("user_id", flat=True)
    )


def can_moderate_room(user: User, room: Room) -> bool:
    return has_capability(user, room.pathway, Capability.MODERATE)


def may_open_socket(user: User) -> bool:
    """Signed in, and, for staff, with two-factor set up: the one rule of
    community.permissions for everything that passes no page middleware."""
    return may_use_signed_in_endpoints(user)


@dataclass(frozen=True)
class ReaderFilter:
    """What one reader does not want to see, for live events that do not pass
    through a query: the same rules as `visible_content` (blocked and muted
    authors, mute words), checked in memory by the socket."""

    user_id: int
    silenced: frozenset[int]
    mute_words: tuple[str, ...]

    def hides(self, author_id: int | None, body: str = "") -> bool:
        if author_id is not None and author_id in self.silenced:
            return True
        if not self.mute_words:
            return False  # most readers: no text to fold for every message
        text = (body or "").lower()
        return any(word in text for word in self.mute_words)

    def as_seen(self, frame: dict) -> dict:
        """A message frame as this reader sees it: emptied and "removed" when
        it is someone else's and its text has one of their mute words."""
        author = frame["author"]["id"]
        if author != self.user_id and self.hides(author, frame["body"]):
            return {**frame, "body": "", "status": "removed"}
        return frame


def reader_filter(user: User) -> ReaderFilter:
    """`user`'s blocks, mutes and mute words, read afresh when a socket opens
    and joins a room. The mute words read here are also what the backlog's
    `visible_content` uses for this User object from then on, so the two
    always agree."""
    blocks, mutes = silencing(reader=user)
    silenced = set(blocks.values_list("blocked_id", flat=True))
    silenced.update(mutes.values_list("muted_id", flat=True))
    forget_mute_words(user)
    words = mute_words_of(user)
    return ReaderFilter(
        user_id=user.pk,
        silenced=frozenset(silenced),
        mute_words=tuple(word.lower() for word in words),
    )
