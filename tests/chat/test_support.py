"""Support conversations: asking opens a private room and tells the staff on
duty; the queue shows who waits and for how long; staff pick up; support
hours are kept, with when it opens and crisis contacts outside them."""

import uuid
from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from chat.actions import ChatError, do_send_message
from chat.events import room_group
from chat.models import Room, RoomKind
from chat.support import (
    do_ask_for_support,
    do_close_support,
    do_pick_up,
    support_hours,
    support_queue,
)
from community.actions import SafetyError
from community.models import AuditEvent, Role
from community.notifications.models import Notification
from tests.factories import enrol_totp, make_member, membership, put_on_duty

pytestmark = pytest.mark.django_db


def at(hour, minute=0):
    return timezone.make_aware(datetime(2026, 11, 24, hour, minute))


def test_support_hours_by_day_overnight_and_unset(pathway):
    assert support_hours(pathway, at(3)).open  # no hours set: always open
    pathway.support_chat_opens, pathway.support_chat_closes = time(9), time(17)
    assert support_hours(pathway, at(10)).open
    early = support_hours(pathway, at(7))
    assert not early.open and early.opens_at == at(9)
    late = support_hours(pathway, at(18))
    assert not late.open and late.opens_at == at(9) + timedelta(days=1)
    pathway.support_chat_opens, pathway.support_chat_closes = time(18), time(8)
    assert support_hours(pathway, at(23)).open and support_hours(pathway, at(3)).open
    assert support_hours(pathway, at(12)).opens_at == at(18)


def test_asking_opens_one_room_and_tells_the_staff_on_duty(
    pathway, member, clinician, django_capture_on_commit_callbacks
):
    peer = make_member(pathway, Role.PEER)
    put_on_duty(pathway, clinician)
    with django_capture_on_commit_callbacks(execute=True):
        room = do_ask_for_support(member, pathway)
    assert (room.kind, room.member, room.picked_up_by) == (
        RoomKind.SUPPORT,
        member,
        None,
    )
    assert do_ask_for_support(member, pathway) == room  # still the one
    notice = Notification.objects.get(kind="support")
    assert notice.user == clinician and notice.url.endswith("/support/queue/")
    assert not Notification.objects.filter(user=peer).exists()


def test_with_nobody_on_duty_every_staff_member_hears(pathway, member, clinician):
    peer = make_member(pathway, Role.PEER)
    do_ask_for_support(member, pathway)
    told = set(Notification.objects.values_list("user", flat=True))
    assert told == {clinician.pk, peer.pk}


def test_outside_hours_nobody_can_start_one(pathway, member):
    now = timezone.localtime()
    pathway.support_chat_opens = (now + timedelta(hours=2)).time()
    pathway.support_chat_closes = (now + timedelta(hours=3)).time()
    pathway.save()
    with pytest.raises(SafetyError, match="closed"):
        do_ask_for_support(member, pathway)
    assert not Room.objects.filter(kind=RoomKind.SUPPORT).exists()


def test_the_queue_shows_waiting_times_and_staff_pick_up_once(
    pathway, member, clinician
):
    other = make_member(pathway)
    first = do_ask_for_support(member, pathway)
    Room.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - timedelta(minutes=12)
    )
    second = do_ask_for_support(other, pathway)
    waiting, answered = support_queue(pathway)
    assert [(w.room, w.minutes) for w in waiting] == [(first, 12), (second, 0)]
    assert answered == []
    staff = membership(clinician, pathway)
    assert do_pick_up(staff, first)
    peer = membership(make_member(pathway, Role.PEER), pathway)
    assert not do_pick_up(peer, first)  # taken already
    waiting, answered = support_queue(pathway)
    assert [w.room for w in waiting] == [second]
    assert [a.room.picked_up_by for a in answered] == [clinician]
    assert AuditEvent.objects.filter(action="support.picked_up").count() == 1


def test_the_member_hears_who_picked_up(
    pathway, member, clinician, broadcasts, django_capture_on_commit_callbacks
):
    room = do_ask_for_support(member, pathway)
    with django_capture_on_commit_callbacks(execute=True):
        do_pick_up(membership(clinician, pathway), room)
    assert (
        room_group(room.pk),
        {
            "type": "chat.support",
            "room": room.pk,
            "picked_up_by": "Dr Birch",
        },
    ) in broadcasts


def test_an_ended_conversation_takes_no_more_messages(pathway, member):
    room = do_ask_for_support(member, pathway)
    do_send_message(member, room, uuid.uuid4(), "Hello?")
    do_close_support(member, room)
    room.refresh_from_db()
    with pytest.raises(ChatError) as error:
        do_send_message(member, room, uuid.uuid4(), "Still there?")
    assert error.value.code == "closed"
    assert do_ask_for_support(member, pathway) != room  # a new one may start


def test_staff_ending_a_conversation_tells_the_member_live_and_by_notice(
    pathway, member, clinician, broadcasts, django_capture_on_commit_callbacks
):
    room = do_ask_for_support(member, pathway)
    with django_capture_on_commit_callbacks(execute=True):
        do_close_support(clinician, room)
        do_close_support(clinician, room)  # twice: once only
    ended = [
        (group, event)
        for group, event in broadcasts
        if event["type"] == "chat.support_ended"
    ]
    assert ended == [
        (room_group(room.pk), {"type": "chat.support_ended", "room": room.pk})
    ]
    notice = Notification.objects.get(user=member, kind="support")
    assert notice.url.endswith(f"/support/{room.pk}/")
    assert AuditEvent.objects.filter(action="support.closed").count() == 1


def test_a_member_ending_their_own_conversation_gets_no_notice(
    pathway, member, broadcasts, django_capture_on_commit_callbacks
):
    room = do_ask_for_support(member, pathway)
    with django_capture_on_commit_callbacks(execute=True):
        do_close_support(member, room)
    assert (
        room_group(room.pk),
        {"type": "chat.support_ended", "room": room.pk},
    ) in broadcasts
    assert not Notification.objects.filter(user=member).exists()


# Pages ----------------------------------------------------------------------------


def test_a_member_asks_for_support_and_talks_in_private(
    client, pathway, member, clinician
):
    client.force_login(member)
    page = client.get(f"/community/{pathway.slug}/support/").content.decode()
    assert "Ask for support" in page
    response = client.post(f"/community/{pathway.slug}/support/")
    room = Room.objects.get(kind=RoomKind.SUPPORT)
    assert response.url == f"/community/{pathway.slug}/support/{room.pk}/"
    page = client.get(response.url).content.decode()
    assert "Waiting for someone from the care team" in page
    client.post(response.url, {"body": "Rough night", "client_id": str(uuid.uuid4())})
    # Another member finds nothing; the clinician sees the queue and picks up.
    client.force_login(make_member(pathway))
    assert client.get(response.url).status_code == 404
    enrol_totp(clinician)
    client.force_login(clinician)
    queue = client.get(f"/community/{pathway.slug}/support/queue/").content.decode()
    assert "Maple" in queue and "waiting 0 minutes" in queue
    client.post(f"/community/{pathway.slug}/support/{room.pk}/pick-up/")
    page = client.get(response.url).content.decode()
    assert "Rough night" in page and "Dr Birch from the care team is here" in page


def test_the_page_tells_the_member_kindly_what_next_when_it_ends(
    client, pathway, member
):
    room = do_ask_for_support(member, pathway)
    client.force_login(member)
    url = f"/community/{pathway.slug}/support/{room.pk}/"
    page = client.get(url).content.decode()
    # Ready for the live end: the words and contacts wait in a <template>.
    assert '<template id="chat-support-ended">' in page
    assert 'id="chat-end"' in page
    do_close_support(member, room)
    page = client.get(url).content.decode()
    assert "This conversation has ended. Thank you for talking with us." in page
    assert "If you need help now" in page
    assert f'href="/community/{pathway.slug}/support/">Start a new conversation' in page
    assert "chat-support-ended" not in page and 'id="chat-form"' not in page


def test_outside_hours_the_page_says_when_it_opens(client, pathway, member):
    now = timezone.localtime()
    pathway.support_chat_opens = (now + timedelta(hours=2)).time()
    pathway.support_chat_closes = (now + timedelta(hours=3)).time()
    pathway.save()
    client.force_login(member)
    page = client.get(f"/community/{pathway.slug}/support/").content.decode()
    assert "Support chat is closed just now" in page
    assert "Ask for support" not in page and "If you need help now" in page


def test_members_cannot_see_the_queue_or_pick_up(client, pathway, member):
    room = do_ask_for_support(make_member(pathway), pathway)
    client.force_login(member)
    assert client.get(f"/community/{pathway.slug}/support/queue/").status_code == 404
    response = client.post(f"/community/{pathway.slug}/support/{room.pk}/pick-up/")
    assert response.status_code == 404
    room.refresh_from_db()
    assert room.picked_up_by is None


def test_staff_find_the_queue_from_the_landing_page(client, pathway, clinician):
    from home.models import PathwayPage

    enrol_totp(clinician)
    client.force_login(clinician)
    page = client.get(PathwayPage.objects.get(pathway=pathway).url).content.decode()
    assert f'href="/community/{pathway.slug}/support/queue/"' in page
