"""Who is here, who from the care team is on duty, and how far others have
read: what a room shows about people rather than messages.

Presence is one row per open socket per room (chat.models.Presence), so every
server process answers alike; a socket that dies without a goodbye stops
counting once its last heartbeat is older than HERE_SECONDS. Changes are
announced to the room on commit (chat.events) and each socket filters them
through its reader's blocks and mutes, as it does messages.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from community.models import Membership, User
from community.moderation.rota import on_duty_shifts

from . import events
from .models import Presence, ReadCursor, Room, RoomKind

# The page pings every 20 s; a socket not heard for longer than this is gone.
HERE_SECONDS = 75
# A socket refreshes its row at most this often (a ping is every 20 s).
REFRESH_SECONDS = 30
# At most this many names are listed; a busy room says how many more.
MAX_LISTED = 30
# In a pathway's room only the most recent readers' cursors are sent.
MAX_RECEIPTS = 30


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    staff: bool

    def as_frame(self) -> dict:
        return {"id": self.id, "name": self.name, "staff": self.staff}


def people_here(room: Room, now=None) -> list[Person]:
    """Everyone with a live socket in `room` who lets others see it
    (`User.show_presence`), staff first, then by name (at most MAX_LISTED
    plus the caller's own count of the rest)."""
    since = (now or timezone.now()) - timedelta(seconds=HERE_SECONDS)
    users = (
        User.objects.filter(
            pk__in=Presence.objects.filter(room=room, seen_at__gte=since).values(
                "user"
            ),
            show_presence=True,
        )
        .order_by("display_name")
        .values_list("pk", "display_name")
    )
    staff = set(
        Membership.objects.active_staff()
        .filter(pathway_id=room.pathway_id)
        .values_list("user_id", flat=True)
    )
    people = [Person(pk, name, pk in staff) for pk, name in users]
    return sorted(people, key=lambda person: not person.staff)


def is_here(user: User, room: Room, now=None) -> bool:
    """Whether `user` has a live socket in `room` now, whether or not they
    show it to others (for not telling someone what they are reading)."""
    since = (now or timezone.now()) - timedelta(seconds=HERE_SECONDS)
    return Presence.objects.filter(room=room, user=user, seen_at__gte=since).exists()


def on_duty_names(room: Room) -> list[str]:
    """The care team on duty in the room's pathway now, first to be alerted
    first."""
    return [shift.user.display_name for shift in on_duty_shifts(room.pathway)]


def do_arrive(user: User, room: Room, channel_name: str) -> None:
    """`user`'s socket `channel_name` joined `room` (the caller asked the
    access layer). Forgets sockets of the room that stopped beating, and
    tells the room who is here, on commit."""
    now = timezone.now()
    with transaction.atomic():
        Presence.objects.filter(
            room=room, seen_at__lt=now - timedelta(seconds=HERE_SECONDS)
        ).delete()
        try:
            with transaction.atomic():
                Presence.objects.create(
                    room=room, user=user, channel_name=channel_name, seen_at=now
                )
        except IntegrityError:  # joined again on the same socket
            Presence.objects.filter(room=room, channel_name=channel_name).update(
                seen_at=now
            )
        events.announce_presence(presence_frame(room.pk))


def do_depart(channel_name: str, room_ids) -> None:
    """Socket `channel_name` left these rooms (or closed): the rooms hear
    who is still here, on commit."""
    with transaction.atomic():
        Presence.objects.filter(channel_name=channel_name, room__in=room_ids).delete()
        for room_id in room_ids:
            events.announce_presence(presence_frame(room_id))


def announce_rooms_of(user: User) -> None:
    """`user` chose to show or hide that they are here: every room they have
    a socket in hears who is here now, on commit."""
    room_ids = set(Presence.objects.filter(user=user).values_list("room", flat=True))
    for room_id in sorted(room_ids):
        events.announce_presence(presence_frame(room_id))


def do_still_here(channel_name: str) -> None:
    """A heartbeat from socket `channel_name`: it still counts as here."""
    Presence.objects.filter(channel_name=channel_name).update(seen_at=timezone.now())


def presence_frame(room_id: int) -> dict:
    """`presence` for room `room_id`: who is here and who is on duty (the
    socket leaves out people its reader blocked or muted)."""
    room = Room.objects.select_related("pathway").get(pk=room_id)
    people = people_here(room)
    return {
        "type": "presence",
        "room": room.pk,
        "here": [person.as_frame() for person in people[:MAX_LISTED]],
        "more": max(0, len(people) - MAX_LISTED),
        "on_duty": on_duty_names(room),
    }


def receipts_for(room: Room, user: User) -> list[dict]:
    """How far others who share it (`User.share_read_receipts`) have read
    `room`: everyone in a direct or support conversation, the MAX_RECEIPTS
    most recent readers in a pathway's room."""
    cursors = (
        ReadCursor.objects.filter(
            room=room, last_read_seq__gt=0, user__share_read_receipts=True
        )
        .exclude(user=user)
        .select_related("user")
        .order_by("-updated_at")
    )
    if room.kind == RoomKind.PATHWAY:
        cursors = cursors[:MAX_RECEIPTS]
    return [events.receipt_frame(room.pk, c.user, c.last_read_seq) for c in cursors]
