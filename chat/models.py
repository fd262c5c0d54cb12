"""Chat rooms, their messages and each reader's place in them.

A message is member content (community.models.MemberContent): it goes through
the safety pipeline, can be reported and lands in the pathway's moderation
queue like a forum reply. What chat adds is order: every message has a number
`seq`, one more than the room's last, so a client that knows the last number
it saw can ask for exactly what it missed (docs/decisions/0012-chat-protocol.md).
"""

import functools

from django.db import connections, models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.db import prepared_cursor
from community.models import MemberContent, Membership, Pathway, User

from . import rows


class RoomKind(models.TextChoices):
    PATHWAY = "pathway", _("Pathway room")
    SUPPORT = "support", _("Support conversation")
    DIRECT = "direct", _("Direct messages")


class Room(models.Model):
    """A place to talk inside one pathway. Each pathway has one default room
    (created with the pathway, see chat.signals); a member asking for support
    opens a support room that only they and the pathway's staff can enter;
    two members talking directly share a direct room (`member` the one with
    the lower id, `peer` the other: one room per pair and pathway).
    `last_seq` is the number of the room's newest message."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="chat_rooms"
    )
    kind = models.CharField(
        max_length=16, choices=RoomKind.choices, default=RoomKind.PATHWAY
    )
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(default=False)
    last_seq = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # A support conversation: the member who asked, and the staff member who
    # picked it up (the pathway's staff can all read it).
    member = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A direct conversation: the second person (`member` is the first).
    peer = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    picked_up_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    picked_up_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # The reader's membership of the pathway, set by chat.permissions.access_room.
    membership: Membership

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway"],
                condition=Q(is_default=True),
                name="chat_one_default_room_per_pathway",
            ),
            models.UniqueConstraint(
                fields=["pathway", "member"],
                condition=Q(kind="support", closed_at=None),
                name="chat_one_open_support_per_member",
            ),
            models.UniqueConstraint(
                fields=["pathway", "member", "peer"],
                condition=Q(kind="direct"),
                name="chat_one_direct_room_per_pair",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.pathway})"

    def other_person(self, user: User) -> User | None:
        """In a direct room, the person `user` talks to."""
        if self.kind != RoomKind.DIRECT:
            return None
        return self.peer if self.member_id == user.pk else self.member

    def allocate_seq(self) -> int:
        """The next message number of this room. Must run inside the
        transaction that stores the message: the UPDATE locks the room's row
        (PostgreSQL) or takes the database's write lock (SQLite) until that
        transaction ends, so concurrent senders queue and each number is used
        once, and a rolled-back message gives its number back.

        One statement, UPDATE ... RETURNING (PostgreSQL, and SQLite from
        3.35), which the ORM cannot write: this is on every message's path."""
        with prepared_cursor() as cursor:
            cursor.execute(next_seq_statement(), [self.pk])
            row = cursor.fetchone()
        if row is None:
            raise Room.DoesNotExist(f"no room {self.pk} to number a message in")
        (self.last_seq,) = row
        return self.last_seq


@functools.cache
def next_seq_statement() -> str:
    """A room counter's UPDATE ... RETURNING its new value, for the room
    whose id is its one parameter: `Room.allocate_seq` runs it alone, a
    message's INSERT on PostgreSQL as its WITH clause (`Message._do_insert`)."""
    table, key, seq = (
        rows.table(Room),
        rows.column(Room, "id"),
        rows.column(Room, "last_seq"),
    )
    return (
        f"UPDATE {table} SET {seq} = {seq} + 1 "  # noqa: S608 - names from the model
        f"WHERE {key} = %s RETURNING {seq}"
    )


def default_room_name(pathway: Pathway) -> str:
    return str(_("%(pathway)s chat") % {"pathway": pathway.name})


class Message(MemberContent):
    """One chat message. `client_id` is the sender's own id for it, so a send
    repeated after a dropped connection is recognised and not stored twice."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    seq = models.PositiveBigIntegerField()
    client_id = models.UUIDField()
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: gone for readers; kept for any moderation case.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # When its text or how it shows last changed after it was sent (an edit,
    # a deletion, a moderator's decision): a client that resyncs is sent the
    # messages it already had that changed since it last joined.
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="chat_message_seq"),
            models.UniqueConstraint(
                fields=["room", "author", "client_id"], name="chat_message_client_id"
            ),
        ]
        indexes = [
            models.Index(
                fields=["room", "changed_at"],
                condition=Q(changed_at__isnull=False),
                name="chat_message_changed",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.seq} in room {self.room_id}"

    def _do_insert(self, manager, using, fields, returning_fields, raw):
        """Django's INSERT (its hook for one, with `save`'s signals and the
        rest around it unchanged), except that a message saved without a
        number takes its room's next, by `Room.allocate_seq`'s rule: on
        PostgreSQL in the INSERT itself, the counter's UPDATE ... RETURNING
        as its WITH clause (one round trip and one query for Django to build
        fewer on every message); elsewhere by allocate_seq just before."""
        if self.seq is None and not raw:
            if connections[using].vendor == "postgresql":
                values = rows.insert_values(self, fields, using)
                if values is not None:
                    return self._insert_numbered(
                        using, fields, values, returning_fields
                    )
            self.seq = self._room_counter().allocate_seq()
        return super()._do_insert(manager, using, fields, returning_fields, raw)

    def _room_counter(self) -> Room:
        """The room whose counter numbers this message: the one in hand (it
        is told its new last number) or one made from its id."""
        if Message.room.is_cached(self):
            return self.room
        return Room(pk=self.room_id)

    def _insert_numbered(self, using, fields, values, returning_fields):
        """INSERT this message with its room's next number, in one statement
        (`_do_insert`); returns what Django's INSERT would have."""
        seq = Message._meta.get_field("seq")
        with prepared_cursor(using) as cursor:
            cursor.execute(
                _numbered_insert(using, tuple(fields), tuple(returning_fields)),
                [
                    self.room_id,
                    *(v for f, v in zip(fields, values, strict=True) if f is not seq),
                ],
            )
            (self.seq, *returned) = cursor.fetchone()
        if Message.room.is_cached(self):
            self.room.last_seq = self.seq
        return [tuple(returned)]


@functools.cache
def _numbered_insert(using: str, fields: tuple, returning_fields: tuple) -> str:
    """The text of `Message._insert_numbered`'s statement for these fields,
    made once per process (the same on every message; prepared by its text):
    the room counter's UPDATE as its WITH clause, the number from it, and the
    number and `returning_fields` back."""
    quote = connections[using].ops.quote_name
    seq = Message._meta.get_field("seq")
    taken = f"(SELECT {rows.column(Room, 'last_seq')} FROM next)"  # noqa: S608 - names from the model
    placeholders = ", ".join(taken if field is seq else "%s" for field in fields)
    returning = [seq, *returning_fields]
    return (
        f"WITH next AS ({next_seq_statement()}) "  # noqa: S608 - names from the models
        f"INSERT INTO {rows.table(Message)} "
        f"({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES ({placeholders}) "
        f"RETURNING {', '.join(quote(field.column) for field in returning)}"
    )


class ReadCursor(models.Model):
    """How far one person has read in one room."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="read_cursors"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_read_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="chat_read_cursor")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read room {self.room_id} to #{self.last_read_seq}"


class Presence(models.Model):
    """One open socket in one room: who is here now. Kept in the database so
    every server process sees the same room; a socket that dies without
    saying so stops counting when `seen_at` is older than a heartbeat or two
    (chat.presence.HERE_SECONDS)."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["room", "channel_name"], name="chat_presence_socket"
            )
        ]
        indexes = [
            models.Index(fields=["room", "seen_at"], name="chat_presence_recent")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in room {self.room_id}"
