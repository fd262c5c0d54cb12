"""Sending through the safety pipeline with the room's next number, once per
client id; editing, deleting, hiding, reading; and what each broadcasts after
commit, to whom."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from chat import actions
from chat.actions import ChatError
from chat.events import chat_user_group, event_frame, room_group
from chat.models import Message, ReadCursor
from chat.permissions import RoomNotFound
from community.actions import Refused, do_block
from community.models import (
    AuditEvent,
    ContentRevision,
    ContentStatus,
    Membership,
    MembershipStatus,
)
from community.moderation.cases import do_decide_case, do_report
from community.moderation.models import ModerationCase, ReportReason, RiskAlert
from community.notifications.actions import do_mark_notifications_read
from community.notifications.models import Notification
from community.safety.registry import kind_of
from tests.chat.conftest import at_once, stored
from tests.factories import make_member, make_trusted, put_on_duty

pytestmark = pytest.mark.django_db


def send(user, room, body, client_id=None, capture=None):
    client_id = client_id or uuid.uuid4()
    if capture is None:
        return actions.do_send_message(user, room, client_id, body)
    with capture(execute=True):
        return actions.do_send_message(user, room, client_id, body)


def test_a_published_message_is_numbered_stored_then_sent_to_the_room(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    sent = send(member, room, "Hello all", capture=django_capture_on_commit_callbacks)
    message = Message.objects.get()
    assert sent.message == message and not sent.duplicate
    assert (message.seq, message.status, message.body) == (1, "published", "Hello all")
    [(group, event)] = broadcasts
    assert group == room_group(room.pk)
    assert event["type"] == "chat.message" and event["author_id"] == member.pk
    # Encoded once for every reader, with what a socket filters it by.
    assert (event["room"], event["seq"], event["words"]) == (room.pk, 1, "hello all")
    assert event_frame(event) | {"created_at": None} == {
        "type": "message",
        "room": room.pk,
        "seq": 1,
        "id": message.pk,
        "client_id": str(message.client_id),
        "author": {"id": member.pk, "name": "Maple", "staff": False},
        "body": "Hello all",
        "status": "published",
        "edited": False,
        "created_at": None,
    }


def test_nothing_is_broadcast_before_commit_or_of_a_rollback(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(member, room, "Hello")
    assert broadcasts == [] and len(callbacks) == 1


def test_a_repeated_client_id_is_answered_again_and_stored_once(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    client_id = uuid.uuid4()
    first = send(member, room, "Hi", client_id, django_capture_on_commit_callbacks)
    again = send(member, room, "Hi", client_id, django_capture_on_commit_callbacks)
    assert again.duplicate and again.message == first.message
    assert Message.objects.count() == 1 and len(broadcasts) == 1
    room.refresh_from_db()
    assert room.last_seq == 1
    # The same id from someone else is their own message.
    other = make_member(room.pathway)
    Membership.objects.filter(user=other).update(approved_posts=10)
    assert send(other, room, "Hi", client_id).message.seq == 2


def test_a_resend_the_checks_would_now_refuse_is_answered_with_its_message(
    room, member, monkeypatch, one_rate_window
):
    """A phone whose ack was lost resends after something changed: the rate
    limit was reached, a moderator paused the author, the pathway took up a
    rule pack. The message it stored is still the answer; a new one is not."""
    monkeypatch.setattr(actions, "RATE_MESSAGES", 1)
    client_id = uuid.uuid4()
    first = send(member, room, "I weigh 45kg today", client_id)
    assert send(member, room, "I weigh 45kg today", client_id).message == first.message
    with pytest.raises(ChatError, match="very quickly"):
        send(member, room, "Something new")

    monkeypatch.setattr(actions, "RATE_MESSAGES", 100)
    Membership.objects.filter(user=member).update(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    assert send(member, room, "I weigh 45kg today", client_id).message == first.message
    with pytest.raises(Refused):
        send(member, room, "Something new")

    Membership.objects.filter(user=member).update(muted_until=None)
    room.pathway.rule_packs = ["eating_disorders"]
    room.pathway.save(update_fields=["rule_packs"])
    again = send(member, room, "I weigh 45kg today", client_id)
    assert again.duplicate and again.message == first.message
    assert send(member, room, "I weigh 45kg today").needs_rewrite
    assert Message.objects.count() == 1


def test_a_rewrite_stores_nothing_and_uses_no_number(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    room.pathway.rule_packs = ["eating_disorders"]
    room.pathway.save()
    sent = send(
        member, room, "I was 7 stone", capture=django_capture_on_commit_callbacks
    )
    assert sent.needs_rewrite and sent.message is None
    assert "body" in sent.errors()
    assert not Message.objects.exists() and broadcasts == []
    assert send(member, room, "A better day").message.seq == 1


def test_a_new_members_message_is_held_and_only_its_author_hears_of_it(
    room, broadcasts, django_capture_on_commit_callbacks
):
    newcomer = make_member(room.pathway)
    sent = send(newcomer, room, "Hello", capture=django_capture_on_commit_callbacks)
    message = sent.message
    assert message.status == ContentStatus.HELD
    assert ModerationCase.objects.get().content == message
    assert sent.verdict.messages  # "a moderator will check it"
    to_room, to_author = broadcasts
    assert to_room == (
        room_group(room.pk),
        {"type": "chat.skip", "room": room.pk, "seq": 1},
    )
    assert to_author[0] == chat_user_group(newcomer.pk)
    assert event_frame(to_author[1])["status"] == "held"
    assert event_frame(to_author[1])["body"] == "Hello"


def test_a_held_message_a_moderator_approves_appears_in_the_room(
    room, clinician, broadcasts, django_capture_on_commit_callbacks
):
    from community.moderation.models import Decision

    newcomer = make_member(room.pathway)
    message = send(newcomer, room, "Hello").message
    case = ModerationCase.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        do_decide_case(Membership.objects.get(user=clinician), case, Decision.APPROVE)
    [(group, event)] = [(g, e) for g, e in broadcasts if e["type"] == "chat.update"]
    assert group == room_group(room.pk)
    assert (event_frame(event)["seq"], event_frame(event)["status"]) == (
        message.seq,
        "published",
    )
    assert event_frame(event)["body"] == "Hello"


def test_risk_alerts_the_one_on_duty_and_shows_crisis_contacts(
    room, member, clinician, django_capture_on_commit_callbacks
):
    put_on_duty(room.pathway, clinician)
    sent = send(
        member,
        room,
        "I want to kill myself",
        capture=django_capture_on_commit_callbacks,
    )
    assert sent.message.status == ContentStatus.PUBLISHED
    assert sent.verdict.show_crisis_contacts
    alert = RiskAlert.objects.get()
    assert alert.notified == clinician and alert.case.content == sent.message


def test_too_long_too_fast_bad_ids_and_muted_members_are_refused(room, member):
    with pytest.raises(ChatError) as error:
        send(member, room, "x" * (actions.MAX_BODY + 1))
    assert error.value.code == "too_long"
    with pytest.raises(ChatError) as error:
        actions.do_send_message(member, room, "not-a-uuid", "hi")
    assert error.value.code == "bad_client_id"
    # The limit counts per RATE_SECONDS window: with the clock still, the
    # sends cannot straddle two windows (on a slow database they did, and the
    # one too many went through).
    with time_machine.travel(timezone.now(), tick=False):
        for n in range(actions.RATE_MESSAGES):
            send(member, room, f"message {n}")
        with pytest.raises(ChatError) as error:
            send(member, room, "one too many")
    assert error.value.code == "rate_limited"
    assert "wait a few seconds" in str(error.value)
    assert Message.objects.count() == actions.RATE_MESSAGES


def test_a_muted_member_is_told_until_when(room, member):
    Membership.objects.filter(user=member).update(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(Refused, match="paused your posting"):
        send(member, room, "hello")


def test_check_send_asks_the_access_layer_each_time(room, member):
    actions.check_send(member, room.pk, uuid.uuid4(), "first")
    Membership.objects.filter(user=member).update(status=MembershipStatus.SUSPENDED)
    with pytest.raises(RoomNotFound):
        actions.check_send(member, room.pk, uuid.uuid4(), "second")
    assert Message.objects.count() == 1


def test_a_muted_member_is_refused_on_the_socket_too(room, member):
    Membership.objects.filter(user=member).update(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(Refused, match="paused your posting"):
        actions.check_send(member, room.pk, uuid.uuid4(), "hello")
    assert not Message.objects.exists()


def test_a_send_asks_the_database_five_times_on_postgresql(
    room, member, django_assert_num_queries
):
    """A trusted member's message in a pathway's room: the room with the
    membership (the access layer, one statement), the row with its number
    (one statement on PostgreSQL, two on SQLite: Message._do_insert), the
    insights' summaries (who wrote on which day, their latest post, the
    kind's hour: one statement on PostgreSQL, three on SQLite, in the same
    transaction: community/insights/summary.add_written), plus the
    transaction's savepoint and its release in a test. Each is on every
    message's path (bench/chat.py, round trip); the client id is looked up
    only when a send is not stored, the rota only when the verdict turns on
    it."""
    from django.db import connection

    actions.check_send(member, room.pk, uuid.uuid4(), "warm the caches")
    on_postgresql = connection.vendor == "postgresql"
    row, summaries = (1, 1) if on_postgresql else (2, 3)
    with django_assert_num_queries(3 + row + summaries):
        actions.check_send(member, room.pk, uuid.uuid4(), "Hello, how is everyone?")


@pytest.mark.django_db(transaction=True)
def test_a_client_id_sent_twice_at_once_is_stored_once_and_both_answered(room, member):
    """A phone that resends on reconnect while its first send is still in
    flight: two threads, two connections, one client id. One message is
    stored; both sends answer with it."""
    client_id = uuid.uuid4()
    answers = at_once(
        lambda: actions.check_send(member, room.pk, client_id, "Hello"), threads=2
    )
    assert Message.objects.count() == 1
    stored_once = Message.objects.get()
    assert [answer.message.pk for answer in answers] == [stored_once.pk] * 2
    assert stored_once.seq == 1


def test_the_author_edits_within_the_window_and_the_room_hears(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    message = send(member, room, "Helo").message
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_edit(member, room.pk, message.seq, "Hello")
    message.refresh_from_db()
    assert message.body == "Hello" and message.edited_at is not None
    assert ContentRevision.objects.get().body == "Helo"
    [(group, event)] = broadcasts
    assert group == room_group(room.pk) and event["type"] == "chat.update"
    assert event_frame(event)["body"] == "Hello" and event_frame(event)["edited"]
    other = make_member(room.pathway)
    with pytest.raises(ChatError):
        actions.check_edit(other, room.pk, message.seq, "Not mine")


def test_the_author_deletes_their_message_and_readers_lose_its_text(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    message = send(member, room, "Oops").message
    other = make_member(room.pathway)
    with pytest.raises(ChatError):
        actions.check_delete(other, room.pk, message.seq)
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_delete(member, room.pk, message.seq)
    message.refresh_from_db()
    assert message.deleted_at is not None and message.body == "Oops"
    assert AuditEvent.objects.filter(action="chat.deleted").exists()
    [(group, event)] = broadcasts
    assert (
        event_frame(event)["status"] == "removed" and event_frame(event)["body"] == ""
    )
    with pytest.raises(RoomNotFound):
        actions.check_delete(member, room.pk, message.seq)


def test_moderators_hide_any_message_and_members_cannot(
    room, member, clinician, broadcasts, django_capture_on_commit_callbacks
):
    message = send(member, room, "Something unkind").message
    with pytest.raises(RoomNotFound):
        actions.check_hide(member, room.pk, message.seq)
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_hide(clinician, room.pk, message.seq)
    message.refresh_from_db()
    assert message.status == ContentStatus.HIDDEN
    audit = AuditEvent.objects.get(action="chat.hidden")
    assert audit.actor == clinician
    assert [event_frame(event)["status"] for _group, event in broadcasts] == ["removed"]


def test_a_held_edit_is_removed_for_others_and_shown_to_its_author(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    message = send(member, room, "Fine").message
    room.pathway.hold_all_when_unstaffed = True
    room.pathway.save()
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_edit(member, room.pk, message.seq, "Fine, really")
    to_room, to_author = broadcasts
    assert to_room[1]["others_only"] and event_frame(to_room[1])["status"] == "removed"
    assert to_author[0] == chat_user_group(member.pk)
    assert event_frame(to_author[1])["status"] == "held"


def test_a_read_cursor_only_moves_forward_and_not_past_the_end(room, member):
    for n in range(3):
        send(member, room, f"m{n}")
    assert actions.check_read(member, room.pk, 2) == 2
    assert actions.check_read(member, room.pk, 1) == 2
    assert actions.check_read(member, room.pk, 99) == 3
    assert ReadCursor.objects.get(user=member).last_read_seq == 3


def test_typing_is_broadcast_and_not_stored(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.check_typing(member, room.pk)
    assert broadcasts == [
        (
            room_group(room.pk),
            {
                "type": "chat.typing",
                "room": room.pk,
                "author_id": member.pk,
                "name": "Maple",
            },
        )
    ]


def test_a_join_brings_what_was_missed_in_order_and_the_last_number(
    room, member, monkeypatch
):
    other = make_member(room.pathway)
    for n in range(5):
        stored(room, other, f"m{n + 1}")
    stored(room, other, "held", status=ContentStatus.HELD)
    backlog = actions.check_join(member, room.pk, after=2)
    assert [m.body for m in backlog.messages] == ["m3", "m4", "m5"]
    assert backlog.last_seq == 6 and backlog.complete
    monkeypatch.setattr(actions, "MAX_MISSED", 2)
    backlog = actions.check_join(member, room.pk, after=0)
    assert [m.seq for m in backlog.messages] == [4, 5] and not backlog.complete
    monkeypatch.setattr(actions, "PAGE_SIZE", 3)
    fresh = actions.check_join(member, room.pk)
    assert [m.seq for m in fresh.messages] == [3, 4, 5] and not fresh.complete
    older, more = actions.check_history(member, room.pk, before=3)
    assert [m.seq for m in older] == [1, 2] and not more


def test_members_who_are_suspended_or_removed_are_told_to_their_sockets(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    membership = Membership.objects.get(user=member)
    with django_capture_on_commit_callbacks(execute=True):
        membership.status = MembershipStatus.SUSPENDED
        membership.save()
        membership.delete()
    revoked = {"type": "chat.revoked", "pathway": room.pathway_id}
    assert broadcasts == [(chat_user_group(member.pk), revoked)] * 2


def test_chat_messages_are_reported_into_the_pathways_queue(room, member):
    message = send(member, room, "Hello").message
    reader = make_member(room.pathway)
    do_report(reader, message, ReportReason.UNKIND)
    case = ModerationCase.objects.get()
    assert case.content == message and case.pathway == room.pathway
    kind = kind_of(message)
    assert (kind.name, str(kind.label)) == ("chat", "chat message")
    assert kind.url(message) == (
        f"/community/{room.pathway.slug}/chat/?before=2#message-1"
    )


# Changes reach open rooms, and resyncing clients -------------------------------


@pytest.mark.parametrize("decision", ["hide", "edit_out"])
def test_a_moderators_queue_decision_changes_the_message_in_open_rooms(
    room, member, clinician, decision, broadcasts, django_capture_on_commit_callbacks
):
    message = send(member, room, "You are all hopeless").message
    do_report(make_member(room.pathway), message, ReportReason.UNKIND)
    case = ModerationCase.objects.get()
    broadcasts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_decide_case(
            Membership.objects.get(user=clinician),
            case,
            decision,
            edited_text="[removed by a moderator]",
        )
    [frame] = [event_frame(e) for g, e in broadcasts if e["type"] == "chat.update"]
    message.refresh_from_db()
    assert message.changed_at is not None and frame["seq"] == message.seq
    if decision == "hide":
        assert (frame["status"], frame["body"]) == ("removed", "")
    else:
        assert (frame["status"], frame["body"]) == (
            "published",
            "[removed by a moderator]",
        )


def test_content_hidden_by_reports_leaves_open_rooms_at_once(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    room.pathway.reports_to_hide = 1
    room.pathway.save()
    message = send(member, room, "Hello").message
    broadcasts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_report(make_member(room.pathway), message, ReportReason.SPAM)
    updates = [(g, e) for g, e in broadcasts if e["type"] == "chat.update"]
    public = [e for g, e in updates if g == room_group(room.pk)]
    own = [e for g, e in updates if g == chat_user_group(member.pk)]
    assert event_frame(public[0])["status"] == "removed"
    assert event_frame(own[0])["status"] == "reported"


def test_a_sockets_join_is_one_call_with_all_it_sends_and_keeps(
    room, member, other_pathway
):
    """`check_socket_join` gives the consumer its frames (the backlog as the
    reader sees it, then `joined`), the room's pathway, the last number and
    the reader's filter, and counts the socket among those here."""
    from chat.models import Presence
    from community.actions import do_block

    other, blocked = make_member(room.pathway), make_member(room.pathway)
    stored(room, other, "hello")
    stored(room, blocked, "not for you")
    do_block(member, blocked)
    joined = actions.check_socket_join(member, room.pk, None, None, "socket-1")
    assert [f["body"] for f in joined.frames if "body" in f] == ["hello"]
    assert joined.frames[-1]["type"] == "joined"
    assert joined.pathway_id == room.pathway_id and joined.last_seq == 2
    assert blocked.pk in joined.filter.silenced
    assert Presence.objects.filter(room=room, user=member).exists()
    frames = actions.check_history_frames(member, room.pk, 2)
    assert [f.get("body") for f in frames[:-1]] == ["hello"]
    assert frames[-1]["type"] == "history"
    with pytest.raises(RoomNotFound):
        actions.check_socket_join(
            make_member(other_pathway), room.pk, None, None, "socket-2"
        )


def test_a_join_after_a_number_brings_older_messages_changed_since_the_last_join(
    room, member, clinician
):
    other = make_member(room.pathway)
    first = send(member, room, "first").message
    second = send(member, room, "second").message
    earlier = actions.check_join(other, room.pk)
    assert earlier.changed == []
    actions.do_edit_message(member, first, "first, edited")
    actions.do_delete_message(member, second)
    later = actions.check_join(
        other, room.pk, after=earlier.last_seq, changed_since=earlier.at.isoformat()
    )
    assert [(m.seq, m.body, m.deleted_at is not None) for m in later.changed] == [
        (1, "first, edited", False),
        (2, "second", True),
    ]
    # Nothing changed since this join: nothing to replay next time (beyond the
    # margin kept for clocks of other processes).
    again = actions.check_join(
        other,
        room.pk,
        after=later.last_seq,
        changed_since=(later.at + actions.CHANGE_MARGIN).isoformat(),
    )
    assert again.changed == []
    # A time that is not one is ignored, not an error.
    assert actions.check_join(other, room.pk, 2, "yesterday").changed == []


def test_changes_by_people_the_reader_blocked_are_not_replayed(room, member):
    other = make_member(room.pathway)
    message = send(member, room, "first").message
    earlier = actions.check_join(other, room.pk)
    do_block(other, member)
    actions.do_edit_message(member, message, "first, edited")
    later = actions.check_join(other, room.pk, 1, earlier.at.isoformat())
    assert later.changed == []


# Direct conversations ----------------------------------------------------------


def test_a_direct_conversation_is_one_room_per_pair_whoever_opens_it(room, member):
    birch = make_member(room.pathway)
    opened = actions.do_open_direct(member, birch, room.pathway)
    assert actions.do_open_direct(birch, member, room.pathway) == opened
    assert opened.kind == "direct" and {opened.member, opened.peer} == {member, birch}
    assert opened.other_person(member) == birch
    assert opened.other_person(birch) == member


def test_a_direct_conversation_is_refused_with_the_reason(room, member):
    child = make_member(room.pathway, date_of_birth=None)
    with pytest.raises(ChatError) as refused:
        actions.do_open_direct(member, child, room.pathway)
    assert refused.value.code == "not_allowed" and "under 18" in str(refused.value)


def test_only_its_two_people_can_enter_a_direct_room(room, member, clinician):
    birch = make_member(room.pathway)
    direct = actions.do_open_direct(member, birch, room.pathway)
    assert actions.access_room(birch, direct.pk) == direct
    for outsider in (make_member(room.pathway), clinician):
        with pytest.raises(RoomNotFound):
            actions.access_room(outsider, direct.pk)


def test_a_block_after_opening_stops_sending_but_keeps_the_history(
    room, member, django_capture_on_commit_callbacks
):
    birch = make_trusted(room.pathway)
    direct = actions.do_open_direct(member, birch, room.pathway)
    send(birch, direct, "Hello Maple")
    do_block(member, birch)
    for sender in (birch, member):
        with pytest.raises(ChatError) as refused:
            send(sender, direct, "Still there?")
        assert refused.value.code == "not_allowed"
    assert Message.objects.filter(room=direct).count() == 1
    assert [m.body for m in actions.recent_messages(birch, direct)[0]] == [
        "Hello Maple"
    ]


def test_the_recipient_hears_of_a_new_conversation_once_until_they_read(
    room, member, django_capture_on_commit_callbacks
):
    birch = make_trusted(room.pathway)
    direct = actions.do_open_direct(birch, member, room.pathway)
    send(birch, direct, "Hello")
    send(birch, direct, "Are you around?")
    [notice] = Notification.objects.filter(user=member)
    assert notice.kind == "message" and notice.url == f"/messages/{direct.pk}/"
    assert birch.display_name in notice.message
    do_mark_notifications_read(member)
    send(birch, direct, "Later, then")
    assert Notification.objects.filter(user=member).count() == 2


def test_a_held_direct_message_is_heard_of_only_when_approved(
    room, member, clinician, django_capture_on_commit_callbacks
):
    from community.moderation.models import Decision

    newcomer = make_member(room.pathway)
    direct = actions.do_open_direct(newcomer, member, room.pathway)
    message = send(newcomer, direct, "Hello").message
    assert message.status == "held"
    assert not Notification.objects.filter(user=member, kind="message").exists()
    do_decide_case(
        Membership.objects.get(user=clinician),
        ModerationCase.objects.get(),
        Decision.APPROVE,
    )
    assert Notification.objects.filter(user=member, kind="message").exists()


def test_no_notice_while_the_recipient_has_the_conversation_open(room, member):
    from chat.presence import do_arrive

    birch = make_trusted(room.pathway)
    direct = actions.do_open_direct(birch, member, room.pathway)
    do_arrive(member, direct, "socket-of-maple")
    send(birch, direct, "Hello")
    assert not Notification.objects.filter(user=member, kind="message").exists()
