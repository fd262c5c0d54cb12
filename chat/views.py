"""The chat page: the room's last messages drawn on the server and a plain
form that sends through the same action as the socket, so a member can read
and write with JavaScript off or the socket down (chat.js enhances it)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.actions import SafetyError
from community.inputs import whole_number
from community.moderation.forms import submit_member_text
from community.permissions import (
    Capability,
    access_pathway,
    access_pathway_capability,
    access_profile,
    direct_refusal,
    has_capability,
    shared_pathways,
)
from community.queries import landing_url
from community.social.actions import can_edit
from community.web.forms import posted

from . import support as support_actions
from .actions import (
    ChatError,
    check_delete,
    check_hide,
    check_mute,
    do_edit_message,
    do_open_direct,
    do_send_message,
    recent_messages,
)
from .content_kinds import room_url
from .forms import EditMessageForm, MessageForm
from .models import RoomKind
from .permissions import (
    access_direct_room,
    access_message,
    access_moderated_message,
    access_pathway_room,
    access_room,
    access_staff_support_room,
    access_support_room,
    care_team_ids,
    direct_rooms_of,
)
from .presence import on_duty_names

INBOX_SIZE = 100


def _room_for(user, slug, room_id):
    """The room a chat URL names, through the access layer: the pathway's
    room (`slug`), a support conversation of the pathway (`slug` and
    `room_id`) or a direct conversation (`room_id` alone)."""
    if room_id is None:
        return access_pathway_room(user, slug)
    if slug is None:
        return access_direct_room(user, room_id)
    return access_support_room(user, slug, room_id)


def room(request, slug=None, room_id=None):
    """A chat room's page: the pathway's room, a support conversation or a
    direct conversation. `?before=<seq>` pages back to older messages. In a
    direct conversation the two may no longer have (a block, a setting), the
    messages stay readable and the form gives way to the reason."""
    room = _room_for(request.user, slug, room_id)
    other = room.other_person(request.user)
    refusal = other and direct_refusal(request.user, other, room.pathway)
    form = MessageForm(posted(request))

    def send(data):
        try:
            return do_send_message(
                request.user, room, data["client_id"], data["body"], get_language()
            )
        except ChatError as error:
            raise error.as_safety_error() from error

    sent = None if refusal else submit_member_text(request, form, send)
    if refusal and request.method == "POST":
        messages.info(request, refusal)
    if sent:
        return redirect(f"{request.path}#message-{sent.obj.seq}")
    # The room's last number before its messages are read: what the page's
    # socket asks to resume from (docs/decisions/0012-chat-protocol.md).
    last_seq = room.last_seq
    at = timezone.now()  # changes after this reach the page's socket
    before = whole_number(request.GET.get("before", ""))
    paged = before is not None
    shown, older = recent_messages(request.user, room, before)
    return render(
        request,
        "chat/room.html",
        {
            "pathway": room.pathway,
            "room": room,
            "chat_messages": shown,
            "editable": {m.seq for m in shown if can_edit(request.user, m)},
            "care_team": care_team_ids(room.pathway_id),
            "older": older,
            "paged": paged,
            "last_seq": max([last_seq] + [m.seq for m in shown[-1:]]),
            "at": at.isoformat(),
            "on_duty": on_duty_names(room),
            "form": form,
            "can_moderate": has_capability(
                request.user, room.pathway, Capability.MODERATE
            ),
            "is_support": room.kind == RoomKind.SUPPORT,
            "other": other,
            "refusal": refusal,
            "title": room_title(room, request.user),
            "back_url": reverse("chat:inbox") if other else landing_url(room.pathway),
            "chat_strings": chat_strings(),
        },
    )


def room_title(room, user) -> str:
    other = room.other_person(user)
    if other is not None:
        return _("You and %(name)s") % {"name": other.display_name}
    return room.name


def chat_strings() -> dict[str, str]:
    """The words chat.js shows, in the page's language."""
    return {
        "sending": _("Sending…"),
        "held": _("Waiting for a moderator: only you can see it for now"),
        "reported": _("Hidden from others while a moderator looks at it"),
        "failed": _("Not sent. Please try again."),
        "edited": _("edited"),
        "report": _("Report"),
        "typing": _("%(name)s is typing…"),
        "offline": _(
            "Live updates have paused. Trying to reconnect… You can still "
            "send: the page will reload."
        ),
        "offlineQueued": _(
            "You're offline. What you send waits here and goes as soon as "
            "you're back online."
        ),
        "queued": _("Not sent yet: waiting for a connection"),
        "empty": _("Write your message first."),
        "notConnected": _(
            "That needs the live connection, which is coming back. Please try "
            "again in a moment."
        ),
        "pickedUp": _("%(name)s from the care team is here."),
        "ended": _("This conversation has ended."),
        "here": _("Here now: %(names)s"),
        "andMore": _("and %(n)s more"),
        "careTeam": _("%(name)s (care team)"),
        "onDuty": _("On duty from the care team: %(names)s"),
        "nobodyOnDuty": _(
            "No one from the care team is on duty just now. If you need help "
            "now, use Get help now."
        ),
        "seen": _("Seen"),
        "seenBy": _("Seen by %(n)s"),
        "hide": _("Hide"),
        "pause": _("Pause posting"),
        "confirmHide": _("Hide this message from everyone?"),
        "confirmPause": _("Pause %(name)s's posting here for 24 hours?"),
        "paused": _("Posting is paused for this member until %(time)s."),
        "edit": _("Edit"),
        "delete": _("Delete"),
        "confirmDelete": _("Delete your message? Others will no longer see it."),
    }


@require_POST
def message_action(request, room_id, seq, action):
    """From the chat page without JavaScript (chat.js sends the same as
    socket frames): the author deletes their message; a moderator hides one,
    or pauses its author's posting."""
    room = access_room(request.user, room_id)
    done = {
        "delete": (check_delete, _("Your message is deleted.")),
        "hide": (check_hide, _("The message is hidden.")),
        "pause": (_pause_author, _("Their posting here is paused for 24 hours.")),
    }
    if action not in done:
        raise Http404("No such action")
    check, said = done[action]
    try:
        check(request.user, room.pk, seq)
    except (ChatError, SafetyError) as error:
        messages.info(request, str(error))
    else:
        messages.success(request, said)
    return redirect(room_url(room))


def _pause_author(moderator, room_id, seq):
    message = access_moderated_message(moderator, room_id, seq)
    return check_mute(moderator, room_id, message.author_id)


def edit_message(request, room_id, seq):
    """The author corrects their message within the edit window; the new
    text goes through the pipeline as a new one would, and a request to
    rewrite shows the form again with the text kept."""
    message = access_message(request.user, room_id, seq)
    back = f"{room_url(message.room)}#message-{message.seq}"
    if not can_edit(request.user, message):
        messages.info(
            request,
            _(
                "This can no longer be edited: messages can be changed for a "
                "short time after sending."
            ),
        )
        return redirect(back)
    form = EditMessageForm(posted(request), initial={"body": message.body})
    if submit_member_text(
        request,
        form,
        lambda data: do_edit_message(
            request.user, message, data["body"], get_language()
        ),
    ):
        return redirect(back)
    return render(
        request,
        "community/edit.html",
        {
            "pathway": message.pathway,
            "form": form,
            "label": _("chat message"),
            "back": back,
        },
    )


# Direct conversations -----------------------------------------------------------


@login_required
def inbox(request):
    """The member's direct conversations, the most recent first, with what
    is unread; and where their support conversations are."""
    return render(
        request,
        "chat/inbox.html",
        {
            "rooms": [
                (room, room.other_person(request.user))
                for room in direct_rooms_of(request.user)[:INBOX_SIZE]
            ]
        },
    )


@login_required
@require_POST
def start_direct(request, user_id):
    """Open (or go back to) a direct conversation with a person whose
    profile the member may see, in the shared pathway they chose. When the
    two may not talk directly, the profile says why."""
    other = access_profile(request.user, user_id)
    pathway = (
        shared_pathways(request.user, other)
        .filter(slug=request.POST.get("pathway", ""))
        .first()
    )
    if pathway is None:
        messages.info(request, _("Please choose a community you are both in."))
        return redirect("community:profile", user_id=other.pk)
    try:
        room = do_open_direct(request.user, other, pathway)
    except ChatError as error:
        messages.info(request, str(error))
        return redirect("community:profile", user_id=other.pk)
    return redirect("chat:direct", room_id=room.pk)


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
    being answered. `?list=1` is the lists alone, which the page's script
    fetches to keep itself current (chat/static/chat/queue.js)."""
    staff = access_pathway_capability(request.user, slug, Capability.MODERATE)
    waiting, answered = support_actions.support_queue(staff.pathway)
    template = (
        "chat/includes/support_queue_list.html"
        if request.GET.get("list") == "1"
        else "chat/support_queue.html"
    )
    return render(
        request,
        template,
        {"pathway": staff.pathway, "waiting": waiting, "answered": answered},
    )


@require_POST
def support_action(request, slug, room_id, action):
    """Staff pick up a waiting conversation; the member or staff end one."""
    if action == "pick-up":
        room = access_staff_support_room(request.user, slug, room_id)
        if not support_actions.do_pick_up(room.membership, room):
            messages.info(request, _("Someone else has already picked this up."))
        return redirect(support_actions.room_path(room))
    if action == "close":
        room = access_support_room(request.user, slug, room_id)
        support_actions.do_close_support(request.user, room)
        messages.success(request, _("The conversation has ended."))
        return redirect("chat:support", slug=slug)
    raise Http404("No such action")
