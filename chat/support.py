"""Support conversations: a member asks to talk to the care team; a support
room opens that only they and the pathway's staff can enter (chat.permissions);
the on-duty staff hear of it and one of them picks it up from the queue.

Messages in it go through chat.actions like any room's. Support hours come
from Pathway.support_chat_opens/closes (local time; unset means always open);
outside them a member cannot start a conversation and is shown when it opens
and the crisis contacts instead.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import Refused
from community.audit import audit
from community.models import Membership, Pathway, User
from community.moderation.rota import on_duty_shifts
from community.notifications.actions import notify, notify_many

from .events import announce_picked_up, announce_support_ended
from .models import Room, RoomKind


@dataclass(frozen=True)
class SupportHours:
    open: bool
    opens_at: datetime | None  # the next opening, when closed


def support_hours(pathway: Pathway, now: datetime | None = None) -> SupportHours:
    """Whether support chat is open now in `pathway`, and if not, when it next
    opens. Hours may run overnight (opens 18:00, closes 08:00)."""
    opens, closes = pathway.support_chat_opens, pathway.support_chat_closes
    if opens is None or closes is None or opens == closes:
        return SupportHours(True, None)
    local = timezone.localtime(now or timezone.now())
    time = local.time()
    if opens < closes:
        is_open = opens <= time < closes
    else:
        is_open = time >= opens or time < closes
    if is_open:
        return SupportHours(True, None)
    day = local.date() if time < opens else local.date() + timedelta(days=1)
    opens_at = timezone.make_aware(datetime.combine(day, opens), local.tzinfo)
    return SupportHours(False, opens_at)


def room_path(room: Room) -> str:
    return reverse(
        "chat:support_room", kwargs={"slug": room.pathway.slug, "room_id": room.pk}
    )


def open_support_room(user: User, pathway: Pathway) -> Room | None:
    """`user`'s open support conversation in `pathway`, if any."""
    return Room.objects.filter(
        pathway=pathway, kind=RoomKind.SUPPORT, member=user, closed_at=None
    ).first()


def do_ask_for_support(
    user: User, pathway: Pathway, now: datetime | None = None
) -> Room:
    """`user` (an active member of `pathway`: the caller asked the access
    layer) asks to talk to the care team. Returns their open support room,
    made if they had none, and tells the staff on duty (or, with nobody on
    the rota, the pathway's staff) on commit. Refused outside support
    hours."""
    existing = open_support_room(user, pathway)
    if existing is not None:
        return existing
    if not support_hours(pathway, now).open:
        raise Refused(_("Support chat is closed just now."))
    try:
        with transaction.atomic():
            room = Room.objects.create(
                pathway=pathway,
                kind=RoomKind.SUPPORT,
                member=user,
                name=_("Support for %(name)s") % {"name": user.display_name},
            )
            staff = [shift.user for shift in on_duty_shifts(pathway, now)] or list(
                User.objects.staff_of(pathway)
            )
            notify_many(
                staff,
                pathway,
                "support",
                _("Someone in %(pathway)s is waiting to talk in support chat.")
                % {"pathway": pathway.name},
                reverse("chat:support_queue", kwargs={"slug": pathway.slug}),
                actor=user,
            )
    except IntegrityError:  # asked twice at once: the other request made it
        made = open_support_room(user, pathway)
        assert made is not None  # noqa: S101 - the other request made it
        return made
    return room


@dataclass
class Waiting:
    room: Room
    minutes: int


def support_queue(pathway: Pathway, now: datetime | None = None):
    """The pathway's open support conversations, oldest first: those waiting
    for someone and those being answered, each with how long it has been
    open in minutes. The caller is staff (asked the access layer)."""
    now = now or timezone.now()
    rooms = (
        Room.objects.filter(pathway=pathway, kind=RoomKind.SUPPORT, closed_at=None)
        .select_related("member", "picked_up_by", "pathway")
        .order_by("created_at")
    )
    waiting: list[Waiting] = []
    answered: list[Waiting] = []
    for room in rooms:
        entry = Waiting(room, int((now - room.created_at).total_seconds() // 60))
        (answered if room.picked_up_by_id else waiting).append(entry)
    return waiting, answered


def do_pick_up(staff: Membership, room: Room) -> bool:
    """A staff member of the room's pathway takes a waiting conversation.
    False when someone else took it first. Audited; the room's sockets hear
    who picked it up, on commit."""
    with transaction.atomic():
        taken = Room.objects.filter(
            pk=room.pk, picked_up_by=None, closed_at=None
        ).update(picked_up_by=staff.user, picked_up_at=timezone.now())
        if taken:
            audit(staff.user, "support.picked_up", pathway=staff.pathway, target=room)
            announce_picked_up(room, staff.user)
    return bool(taken)


def do_close_support(user: User, room: Room) -> None:
    """The member or a staff member of its pathway ends the conversation (the
    caller asked the access layer). Its messages stay for the record. On
    commit the room's sockets hear it ended (the member's open page shows
    what to do next); when staff ended it, the member is also told by a
    notice (the bell on whatever page they have open, and their choice of
    email or push). Ending an ended conversation does nothing."""
    with transaction.atomic():
        ended = Room.objects.filter(pk=room.pk, closed_at=None).update(
            closed_at=timezone.now()
        )
        if not ended:
            return
        audit(user, "support.closed", pathway=room.pathway, target=room)
        announce_support_ended(room)
        member = room.member
        if member is not None and member.pk != user.pk:
            notify(
                member,
                room.pathway,
                "support",
                _(
                    "Your support conversation has ended. You can start a new "
                    "one any time support chat is open, and the crisis contacts "
                    "are there if you need help now."
                ),
                room_path(room),
            )
