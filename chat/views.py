"""The chat page: the room's last messages drawn on the server and a plain
form that sends through the same action as the socket, so a member can read
and write with JavaScript off or the socket down (chat.js enhances it)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.forms import posted
from community.forum_views import submit_member_text
from community.moderation import SafetyError
from community.permissions import (
    Capability,
    access_pathway,
    access_pathway_capability,
    has_capability,
)
from community.queries import landing_url

from . import support as support_actions
from .actions import ChatError, do_send_message, recent_messages
from .forms import MessageForm
from .models import RoomKind
from .permissions import RoomNotFound, access_pathway_room, access_room


def room(request, slug, room_id=None):
    """The pathway's room, or (`room_id`) a support conversation of the
    pathway. `?before=<seq>` pages back to older messages."""
    if room_id is None:
        room = access_pathway_room(request.user, slug)
    else:
        room = access_room(request.user, room_id)
        if room.pathway.slug != slug:
            raise RoomNotFound("No such room")
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
            "is_support": room.kind == RoomKind.SUPPORT,
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
        "pickedUp": _("%(name)s from the care team is here."),
    }


# Support conversations ----------------------------------------------------------


def support(request, slug):
    """Talk to the care team: the member's open conversation, or a button to
    start one; outside support hours, when it opens and the crisis contacts."""
    pathway = access_pathway(request.user, slug)
    mine = support_actions.open_support_room(request.user, pathway)
    if request.method == "POST":
        try:
            mine = support_actions.do_ask_for_support(request.user, pathway)
        except SafetyError as error:
            messages.info(request, str(error))
            return redirect(request.path)
        return redirect(support_actions.room_path(mine))
    return render(
        request,
        "chat/support.html",
        {
            "pathway": pathway,
            "mine": mine,
            "hours": support_actions.support_hours(pathway),
            "is_staff": has_capability(request.user, pathway, Capability.MODERATE),
        },
    )


def support_queue(request, slug):
    """For the pathway's staff: who is waiting, for how long, and who is
    being answered."""
    staff = access_pathway_capability(request.user, slug, Capability.MODERATE)
    waiting, answered = support_actions.support_queue(staff.pathway)
    return render(
        request,
        "chat/support_queue.html",
        {"pathway": staff.pathway, "waiting": waiting, "answered": answered},
    )


@require_POST
def support_action(request, slug, room_id, action):
    """Staff pick up a waiting conversation; the member or staff end one."""
    room = access_room(request.user, room_id)
    if room.pathway.slug != slug or room.kind != RoomKind.SUPPORT:
        raise Http404("No such conversation")
    if action == "pick-up":
        staff = access_pathway_capability(request.user, slug, Capability.MODERATE)
        if not support_actions.do_pick_up(staff, room):
            messages.info(request, _("Someone else has already picked this up."))
        return redirect(support_actions.room_path(room))
    if action == "close":
        support_actions.do_close_support(request.user, room)
        messages.success(request, _("The conversation has ended."))
        return redirect("chat:support", slug=slug)
    raise Http404("No such action")
