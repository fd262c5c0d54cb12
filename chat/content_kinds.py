"""Chat messages join the safety mechanism as a kind of member content:
reports, the pathway's moderation queue and outcome notices then work for
them (community.safety.registry)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from community.safety.registry import register

from .actions import direct_url, message_published, note_changed
from .models import Message, Room, RoomKind
from .permissions import rooms_visible_to


def room_url(room: Room) -> str:
    if room.kind == RoomKind.DIRECT:
        return direct_url(room)
    if room.is_default:
        return reverse("chat:room", kwargs={"slug": room.pathway.slug})
    return reverse(
        "chat:support_room", kwargs={"slug": room.pathway.slug, "room_id": room.pk}
    )


def message_url(message: Message) -> str:
    """The room's page from this message back (so an old one is on it too),
    at the message."""
    return f"{room_url(message.room)}?before={message.seq + 1}#message-{message.seq}"


register(
    Message,
    name="chat",
    label=_("chat message"),
    url=message_url,
    # A held message a moderator approves appears in the room, in its place;
    # one hidden or edited out (by a decision or by reports) changes there.
    published=message_published,
    changed=note_changed,
    # A support conversation is only its member's and the staff's: nobody else
    # may even report one of its messages by guessing an id.
    readable=lambda user, messages: messages.filter(
        room__in=rooms_visible_to(user).values("pk")
    ),
)
