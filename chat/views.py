"""The chat page: the room's last messages drawn on the server and a plain
form that sends through the same action as the socket, so a member can read
and write with JavaScript off or the socket down (chat.js enhances it)."""

from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.forms import posted
from community.forum_views import submit_member_text
from community.moderation import SafetyError
from community.permissions import Capability, has_capability
from community.queries import landing_url

from .actions import ChatError, do_send_message, recent_messages
from .forms import MessageForm
from .permissions import access_pathway_room


def room(request, slug):
    """The pathway's room. `?before=<seq>` pages back to older messages."""
    room = access_pathway_room(request.user, slug)
    form = MessageForm(posted(request))

    def send(data):
        try:
            return do_send_message(
                request.user, room, data["client_id"], data["body"], get_language()
            )
        except ChatError as error:
            raise SafetyError(str(error)) from error

    sent = submit_member_text(request, form, send)
    if sent:
        return redirect(f"{request.path}#message-{sent.obj.seq}")
    # The room's last number before its messages are read: what the page's
    # socket asks to resume from (docs/decisions/0012-chat-protocol.md).
    last_seq = room.last_seq
    before = request.GET.get("before", "")
    paged = before.isdigit()
    shown, older = recent_messages(request.user, room, int(before) if paged else None)
    return render(
        request,
        "chat/room.html",
        {
            "pathway": room.pathway,
            "room": room,
            "chat_messages": shown,
            "older": older,
            "paged": paged,
            "last_seq": max([last_seq] + [m.seq for m in shown[-1:]]),
            "landing_url": landing_url(room.pathway),
            "form": form,
            "can_moderate": has_capability(
                request.user, room.pathway, Capability.MODERATE
            ),
            "chat_strings": chat_strings(),
        },
    )


def chat_strings() -> dict[str, str]:
    """The words chat.js shows, in the page's language."""
    return {
        "sending": _("Sending\u2026"),
        "held": _("Waiting for a moderator: only you can see it for now"),
        "reported": _("Hidden from others while a moderator looks at it"),
        "failed": _("Not sent. Please try again."),
        "edited": _("edited"),
        "report": _("Report"),
        "reportFor": _("message by %(name)s"),
        "typing": _("%(name)s is typing\u2026"),
        "offline": _(
            "Live updates have paused. Trying to reconnect\u2026 You can still "
            "send: the page will reload."
        ),
        "rateLimited": _("Please wait a few seconds, then send again."),
    }
