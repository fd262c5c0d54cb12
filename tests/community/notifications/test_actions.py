"""community.notifications.actions: who a notice reaches, and how it leaves the site.
Blocks, mutes and pathways hold notices back when stored and again when sent;
email and push are deliveries stored with the notice and sent by the task
queue (at once on commit in tests; the database queue in the test that says
so), only to those who chose them and never with member text; the daily digest
goes from the worker; web push goes through pywebpush (faked here) and forgets
phones the push service says are gone. A delivery given up is told to the
pathway's leads and the site administrators. How deliveries retry:
tests/community/notifications/test_deliveries.py."""

import base64
import json
import logging
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import pywebpush
from django.core import mail
from django.db import transaction
from django.utils import timezone

from community.actions import do_block, do_mute
from community.forums import actions as forums
from community.models import EmailFrequency, Membership, MembershipStatus, Role
from community.moderation.models import RiskAlert
from community.notifications import actions as notifications
from community.notifications.actions import PushSubscriptionError
from community.notifications.models import (
    Delivery,
    DeliveryState,
    Notification,
    PushSubscription,
)
from community.notifications.worker import run_delivery_queue
from community.social import actions as social
from tests.caches import clear_cache
from tests.factories import (
    UserFactory,
    make_failed_delivery,
    make_forum,
    make_member,
    make_trusted,
)

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/phone-1"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def subscription(endpoint=ENDPOINT, p256dh=b"\x04" + bytes(range(64)), auth=b"a" * 16):
    """What a browser's PushSubscription.toJSON() sends."""
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64(p256dh), "auth": b64(auth)},
    }


def member(pathway, email=EmailFrequency.OFF, web_push=False, **fields):
    """A member who chose to see who and where in their emails and pushes
    (most tests read the notice's words); discretion has its own test."""
    fields.setdefault("notice_details", True)
    return make_member(pathway, email_notifications=email, web_push=web_push, **fields)


def test_emails_and_pushes_are_discreet_unless_the_member_asks(
    pathway, mailoutbox, pushes, push_on, django_capture_on_commit_callbacks
):
    quiet = member(
        pathway, EmailFrequency.IMMEDIATE, web_push=True, notice_details=False
    )
    PushSubscription.objects.create(
        user=quiet, endpoint=ENDPOINT, p256dh="k" * 87, auth="a" * 22
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(quiet, pathway, "present", "Birch sent you a present.")
    [email] = mailoutbox
    assert "Birch" not in email.body + email.subject
    assert pathway.name not in email.body + email.subject
    assert "new notification" in email.body
    [call] = pushes.calls
    assert json.loads(call["data"])["body"] == "Something new for you on Harbour."


@pytest.fixture
def push_on(settings):
    settings.VAPID_PUBLIC_KEY = "public-key-for-tests"
    settings.VAPID_PRIVATE_KEY = "private-key-for-tests"
    settings.VAPID_SUBJECT = "mailto:team@example.org"


@pytest.fixture
def pushes(monkeypatch):
    """Every call to pywebpush.webpush, answered by `pushes.answer(endpoint)`:
    None for success, or an HTTP status for a refusal."""
    calls = []
    statuses = {}

    def fake_webpush(**kwargs):
        calls.append(kwargs)
        status = statuses.get(kwargs["subscription_info"]["endpoint"])
        if status:
            raise pywebpush.WebPushException(
                "refused", response=SimpleNamespace(status_code=status, text="")
            )
        return SimpleNamespace(status_code=201)

    monkeypatch.setattr(pywebpush, "webpush", fake_webpush)
    return SimpleNamespace(calls=calls, statuses=statuses)


# Stored: blocks, mutes, pathways ---------------------------------------------------


def test_a_notice_someone_caused_is_held_back_by_blocks_mutes_and_pathways(
    pathway, other_pathway
):
    actor = make_member(pathway)
    blocker, muter, outsider, friend = (make_member(pathway) for _ in range(4))
    outsider.memberships.update(pathway=other_pathway)
    do_block(blocker, actor)
    do_mute(muter, actor)
    sent = notifications.notify_many(
        [blocker, muter, outsider, friend, actor],
        pathway,
        "reply",
        "A reply",
        "/x/",
        actor=actor,
    )
    assert [n.user for n in sent] == [friend]
    assert notifications.notify(blocker, pathway, "reply", "Hi", actor=actor) is None
    # Harbour's own notices (no actor) always go.
    assert notifications.notify(blocker, pathway, "moderation", "Seen") is not None


def test_a_notice_is_not_sent_to_someone_no_longer_active_in_the_pathway(pathway):
    actor, gone = make_member(pathway), make_member(pathway)
    Membership.objects.filter(user=gone).update(status=MembershipStatus.SUSPENDED)
    assert notifications.notify(gone, pathway, "wall", "Hi", actor=actor) is None


# Email as they happen ---------------------------------------------------------------


def test_an_immediate_email_goes_on_commit_to_those_who_chose_it(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    actor = make_member(pathway)
    eager = member(pathway, EmailFrequency.IMMEDIATE)
    daily = member(pathway, EmailFrequency.DAILY)
    quiet = member(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        sent = notifications.notify_many(
            [eager, daily, quiet],
            pathway,
            "present",
            "Someone sent you a present: a cup of tea.",
            "/people/1/#present-3",
            actor=actor,
        )
        assert len(sent) == 3 and mailoutbox == []  # nothing before the commit
    assert [m.to for m in mailoutbox] == [[eager.email]]
    body = mailoutbox[0].body
    assert "Someone sent you a present: a cup of tea." in body
    assert "http://testserver/people/1/#present-3" in body
    assert "http://testserver/account/notifications/" in body
    assert mailoutbox[0].subject == "A new notification on Harbour"
    assert Notification.objects.get(user=eager).emailed_at is not None
    assert Notification.objects.get(user=daily).emailed_at is None


def test_the_email_about_a_reply_carries_no_member_text(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    forum = make_forum(pathway)
    author = make_trusted(pathway)
    follower = make_trusted(
        pathway, email_notifications=EmailFrequency.IMMEDIATE, notice_details=True
    )
    topic = forums.do_start_topic(author, forum, "Private title words", "Hello").obj
    social.do_follow_topic(follower, topic)
    with django_capture_on_commit_callbacks(execute=True):
        forums.do_reply(author, topic, "Something only members should read")
    [email] = mailoutbox
    assert email.to == [follower.email]
    assert "replied to a topic you follow" in email.body
    assert "only members should read" not in email.body
    assert "Private title words" not in email.body + email.subject


def test_a_rolled_back_notice_sends_nothing(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    eager = member(pathway, EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            notifications.notify(eager, pathway, "moderation", "Seen")
            raise RuntimeError("the action failed")
    assert mailoutbox == [] and not Notification.objects.exists()


def test_risk_alerts_are_not_emailed_twice(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    clinician = make_member(
        pathway, Role.CLINICIAN, email_notifications=EmailFrequency.IMMEDIATE
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(clinician, pathway, "risk_alert", "Risk alert", "/a/")
    assert mailoutbox == []  # moderation.py sends the alert's own email


def test_a_failed_email_is_logged_kept_for_another_try_and_the_notice_stays(
    pathway, mailoutbox, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    eager = member(pathway, EmailFrequency.IMMEDIATE)

    def broken(self, fail_silently=False):
        raise OSError("mail server down")

    monkeypatch.setattr(mail.EmailMessage, "send", broken)
    with (
        caplog.at_level(logging.WARNING),
        django_capture_on_commit_callbacks(execute=True),
    ):
        notice = notifications.notify(eager, pathway, "moderation", "Seen")
    notice.refresh_from_db()
    assert notice.emailed_at is None
    delivery = Delivery.objects.get(notification=notice)
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.last_error == "OSError"  # the class, never the message
    assert f"Delivery {delivery.pk} attempt 1 failed" in caplog.text


def test_a_block_made_after_the_email_was_queued_still_holds_it_back(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    eager = member(pathway, EmailFrequency.IMMEDIATE)
    actor = make_member(pathway)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notice = notifications.notify(eager, pathway, "wall", "Hi", actor=actor)
    do_block(eager, actor)  # before the queue gets to it
    for callback in queued:
        callback()
    assert mailoutbox == []
    assert Delivery.objects.get(notification=notice).state == DeliveryState.CANCELLED


def test_links_leaving_the_site_are_absolute_and_stay_on_it():
    assert notifications.absolute_url("/feed/") == "http://testserver/feed/"
    assert (
        notifications.absolute_url("http://testserver/help/")
        == "http://testserver/help/"
    )
    for elsewhere in ("https://evil.example/", "//evil.example/", ""):
        assert (
            notifications.absolute_url(elsewhere) == "http://testserver/notifications/"
        )


# The daily digest -------------------------------------------------------------------


def notice_for(user, pathway, message, actor=None, **fields):
    notice = notifications.notify(user, pathway, "wall", message, "/w/", actor=actor)
    if fields:
        Notification.objects.filter(pk=notice.pk).update(**fields)
    return notice


def test_the_digest_sends_one_email_per_member_and_marks_what_it_listed(
    pathway, mailoutbox
):
    earlier = timezone.now() - timedelta(days=2)
    daily, other = member(pathway, EmailFrequency.DAILY), member(pathway)
    listed = [notice_for(daily, pathway, f"Notice {n}") for n in range(3)]
    notice_for(daily, pathway, "Read already", read_at=timezone.now())
    notice_for(daily, pathway, "Too old", created_at=earlier)
    notice_for(daily, pathway, "Emailed already", emailed_at=earlier)
    notice_for(other, pathway, "Not wanted by email")
    now = timezone.now()
    assert notifications.do_send_daily_digests(now) == 1
    [email] = mailoutbox
    assert email.to == [daily.email]
    assert email.subject == "3 new notifications on Harbour"
    for text in ("Notice 0", "Notice 1", "Notice 2"):
        assert text in email.body
    for text in ("Read already", "Too old", "Emailed already"):
        assert text not in email.body
    assert set(
        Notification.objects.filter(emailed_at=now).values_list("pk", flat=True)
    ) == {n.pk for n in listed}


def test_the_digest_is_safe_to_run_twice(pathway, mailoutbox):
    daily = member(pathway, EmailFrequency.DAILY)
    notice_for(daily, pathway, "Hello")
    now = timezone.now()
    assert notifications.do_send_daily_digests(now) == 1
    notice_for(daily, pathway, "A later one")
    assert notifications.do_send_daily_digests(now + timedelta(hours=1)) == 0
    assert len(mailoutbox) == 1


@pytest.mark.parametrize("since", ["block", "mute", "leave"])
def test_the_digest_leaves_out_what_a_block_mute_or_leaving_holds_back(
    pathway, mailoutbox, since
):
    daily = member(pathway, EmailFrequency.DAILY)
    actor = make_member(pathway, display_name="Loud Gull")
    notice_for(daily, pathway, "Loud Gull wrote on your wall.", actor=actor)
    notice_for(daily, pathway, "A moderator has looked at your report.")
    if since == "block":
        do_block(daily, actor)
    elif since == "mute":
        do_mute(daily, actor)
    else:
        Membership.objects.filter(user=daily).update(status=MembershipStatus.SUSPENDED)
    assert notifications.do_send_daily_digests() == 1
    assert "Loud Gull" not in mailoutbox[0].body
    assert "looked at your report" in mailoutbox[0].body


def test_a_failed_digest_email_is_tried_again_next_run(
    pathway, mailoutbox, monkeypatch
):
    daily = member(pathway, EmailFrequency.DAILY)
    notice = notice_for(daily, pathway, "Hello")
    real_send = mail.EmailMessage.send
    monkeypatch.setattr(
        mail.EmailMessage,
        "send",
        lambda self, fail_silently=False: (_ for _ in ()).throw(OSError("down")),
    )
    assert notifications.do_send_daily_digests() == 0
    notice.refresh_from_db()
    assert notice.emailed_at is None
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    assert notifications.do_send_daily_digests() == 1 and len(mailoutbox) == 1


def test_the_daily_step_runs_once_a_day_from_the_digest_hour(
    pathway, mailoutbox, settings
):
    settings.HARBOUR_DIGEST_HOUR = 8
    morning = timezone.make_aware(datetime(2026, 11, 25, 7, 59))
    daily = member(pathway, EmailFrequency.DAILY)
    notice_for(daily, pathway, "Hello", created_at=morning - timedelta(hours=3))
    assert notifications.run_daily_digest_if_due(morning) is None
    eight = morning + timedelta(minutes=2)
    assert notifications.run_daily_digest_if_due(eight) == 1
    assert notifications.run_daily_digest_if_due(eight + timedelta(hours=2)) is None
    # A restart that forgot the day's record sends nothing twice.
    clear_cache()
    notice_for(daily, pathway, "Later", created_at=eight + timedelta(hours=1))
    assert notifications.run_daily_digest_if_due(eight + timedelta(hours=2)) == 0
    assert len(mailoutbox) == 1


# Web push ----------------------------------------------------------------------------


def test_a_notice_is_pushed_to_each_phone_of_those_who_turned_push_on(
    pathway, push_on, pushes, django_capture_on_commit_callbacks
):
    phone_owner, no_push = member(pathway), member(pathway)
    notifications.do_add_push_subscription(phone_owner, subscription())
    notifications.do_add_push_subscription(
        no_push, subscription(endpoint=ENDPOINT + "-other")
    )
    notifications.do_set_notification_settings(no_push, web_push=False)
    with django_capture_on_commit_callbacks(execute=True):
        [notice, _] = notifications.notify_many(
            [phone_owner, no_push], pathway, "present", "You got a present.", "/p/"
        )
        assert pushes.calls == []  # nothing before the commit
    [call] = pushes.calls
    assert call["subscription_info"]["endpoint"] == ENDPOINT
    assert call["vapid_private_key"] == "private-key-for-tests"
    assert call["vapid_claims"] == {"sub": "mailto:team@example.org"}
    assert call["timeout"] > 0
    assert json.loads(call["data"]) == {
        "title": "Harbour",
        "body": "You got a present.",
        "url": "http://testserver/p/",
        "tag": f"harbour-{notice.pk}",
    }


def test_push_waits_for_vapid_keys(pathway, pushes, django_capture_on_commit_callbacks):
    phone_owner = member(pathway, web_push=True)
    PushSubscription.objects.create(
        user=phone_owner, endpoint=ENDPOINT, p256dh="k", auth="a"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(phone_owner, pathway, "moderation", "Seen")
    assert pushes.calls == [] and not notifications.push_available()


def test_a_blocked_actor_pushes_nothing(
    pathway, push_on, pushes, django_capture_on_commit_callbacks
):
    phone_owner, actor = member(pathway), make_member(pathway)
    notifications.do_add_push_subscription(phone_owner, subscription())
    do_block(phone_owner, actor)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(phone_owner, pathway, "wall", "Hi", actor=actor)
    assert pushes.calls == []


@pytest.mark.parametrize(
    "status, kept, state",
    [
        (410, False, DeliveryState.GONE),
        (404, False, DeliveryState.GONE),
        (500, True, DeliveryState.PENDING),  # tried again later
    ],
)
def test_a_phone_the_push_service_calls_gone_is_forgotten(
    pathway, push_on, pushes, django_capture_on_commit_callbacks, status, kept, state
):
    phone_owner = member(pathway)
    notifications.do_add_push_subscription(phone_owner, subscription())
    pushes.statuses[ENDPOINT] = status
    with django_capture_on_commit_callbacks(execute=True):
        notice = notifications.notify(phone_owner, pathway, "moderation", "Seen")
    assert len(pushes.calls) == 1
    assert PushSubscription.objects.filter(endpoint=ENDPOINT).exists() is kept
    assert Notification.objects.filter(pk=notice.pk).exists()
    assert Delivery.objects.get(notification=notice).state == state


def test_pushes_are_queued_with_the_notice_and_sent_by_the_worker_not_the_request(
    pathway, push_on, pushes, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    phone_owner = member(pathway)
    notifications.do_add_push_subscription(phone_owner, subscription())
    with django_capture_on_commit_callbacks(execute=True):
        notice = notifications.notify(phone_owner, pathway, "moderation", "Hi")
    assert pushes.calls == []  # the request only stored it
    delivery = Delivery.objects.get(notification=notice)
    assert (delivery.channel, delivery.state) == ("push", DeliveryState.PENDING)
    assert run_delivery_queue() == 1
    [call] = pushes.calls
    assert call["subscription_info"]["endpoint"] == ENDPOINT
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and delivery.attempts == 1
    assert run_delivery_queue() == 0 and len(pushes.calls) == 1


def test_a_push_to_a_phone_now_signed_in_as_someone_else_does_not_go(
    pathway, push_on, pushes, django_capture_on_commit_callbacks
):
    first, second = member(pathway), member(pathway)
    notifications.do_add_push_subscription(first, subscription())
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notice = notifications.notify(first, pathway, "moderation", "For the first")
    notifications.do_add_push_subscription(second, subscription())  # same phone
    for callback in queued:
        callback()
    assert pushes.calls == []
    assert Delivery.objects.get(notification=notice).state == DeliveryState.GONE


# Deliveries given up ---------------------------------------------------------------


def test_a_delivery_given_up_is_told_to_leads_and_admins_in_the_site_only(
    pathway, other_pathway, mailoutbox, django_capture_on_commit_callbacks
):
    lead = make_member(pathway, Role.LEAD, email_notifications=EmailFrequency.IMMEDIATE)
    other_lead = make_member(other_pathway, Role.LEAD)
    clinician = make_member(pathway, Role.CLINICIAN)
    admin = UserFactory(is_superuser=True, is_staff=True)
    recipient = make_member(pathway, display_name="Quiet Heron")
    delivery = make_failed_delivery(pathway, recipient)
    with django_capture_on_commit_callbacks(execute=True):
        told = notifications.notify_delivery_failed(delivery)
    assert {n.user for n in told} == {lead, admin}
    by_user = {n.user: n for n in told}
    assert by_user[lead].url == f"/community/{pathway.slug}/moderation/#undelivered"
    assert by_user[admin].url.endswith("/deliveries/")
    message = by_user[lead].message
    assert message == (
        "Harbour could not deliver a notification (email) to Quiet Heron."
    )
    assert recipient.email not in message
    assert not Notification.objects.filter(user__in=[other_lead, clinician]).exists()
    # In the site only: a notice about a failed delivery needs no delivery.
    assert mailoutbox == [] and not Delivery.objects.exclude(pk=delivery.pk).exists()
    # An outage tells each person once while the notice is unread...
    assert (
        notifications.notify_delivery_failed(make_failed_delivery(pathway, lead)) == []
    )
    # ...but a risk alert's failure always.
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "x", "I want to kill myself"
    )
    alert_failure = make_failed_delivery(
        pathway, lead, risk_alert=RiskAlert.objects.get()
    )
    again = notifications.notify_delivery_failed(alert_failure)
    assert {n.user for n in again} == {lead, admin}
    assert "could not deliver a risk alert" in again[0].message


# Members' choices -------------------------------------------------------------------


def test_a_member_chooses_email_and_turning_push_off_forgets_their_phones(pathway):
    me = member(pathway)
    notifications.do_add_push_subscription(me, subscription())
    assert me.web_push is True
    notifications.do_set_notification_settings(me, email_notifications="daily")
    me.refresh_from_db()
    assert me.email_notifications == EmailFrequency.DAILY and me.web_push
    notifications.do_set_notification_settings(me, web_push=False)
    me.refresh_from_db()
    assert not me.web_push and not PushSubscription.objects.exists()
    with pytest.raises(ValueError):
        notifications.do_set_notification_settings(me, email_notifications="hourly")


def test_a_subscription_is_stored_checked_and_moves_with_the_phone(pathway):
    first, second = member(pathway), member(pathway)
    stored = notifications.do_add_push_subscription(first, subscription())
    assert (stored.user, stored.endpoint) == (first, ENDPOINT)
    assert len(stored.p256dh) == 87 and len(stored.auth) == 22
    # The same browser, now signed in as someone else: it is theirs now.
    notifications.do_add_push_subscription(second, subscription())
    assert PushSubscription.objects.get().user == second


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"endpoint": ENDPOINT},
        subscription(endpoint="http://fcm.googleapis.com/fcm/send/x"),
        subscription(endpoint="https://evil.example/fcm.googleapis.com"),
        subscription(endpoint="https://fcm.googleapis.com.evil.example/x"),
        subscription(endpoint="https://127.0.0.1/push"),
        subscription(endpoint="https://user:pw@fcm.googleapis.com/x"),
        subscription(endpoint="https://fcm.googleapis.com:8443/x"),
        subscription(endpoint="https://fcm.googleapis.com/" + "x" * 800),
        subscription(endpoint="not a url"),
        subscription(p256dh=b"\x04" + bytes(10)),
        subscription(p256dh=b"\x05" + bytes(64)),
        subscription(auth=b"short"),
        {"endpoint": ENDPOINT, "keys": {"p256dh": "!!!", "auth": "???"}},
        {"endpoint": ENDPOINT, "keys": {"p256dh": 5, "auth": None}},
    ],
)
def test_a_bad_subscription_is_refused_with_a_reason(pathway, data):
    with pytest.raises(PushSubscriptionError) as refused:
        notifications.do_add_push_subscription(member(pathway), data)
    assert str(refused.value)
    assert not PushSubscription.objects.exists()


def test_push_services_of_the_main_browsers_are_accepted():
    for endpoint in (
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QAbc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ):
        assert notifications.check_push_subscription(subscription(endpoint))


def test_a_renewed_subscription_takes_the_old_one_s_place(pathway):
    """pushsubscriptionchange: the browser's new subscription stays the same
    member's phone; an endpoint Harbour doesn't know renews nothing."""
    me = member(pathway)
    notifications.do_add_push_subscription(me, subscription())
    renewed = subscription(endpoint=ENDPOINT + "-new")
    assert notifications.do_renew_push_subscription(ENDPOINT, renewed) is True
    assert list(PushSubscription.objects.values_list("user", "endpoint")) == [
        (me.pk, ENDPOINT + "-new")
    ]
    # The old one is gone: renewing it again is refused.
    assert notifications.do_renew_push_subscription(ENDPOINT, renewed) is False
    assert notifications.do_renew_push_subscription(None, renewed) is False
    # The same endpoint (only the keys changed) keeps its row.
    same = subscription(endpoint=ENDPOINT + "-new", auth=b"b" * 16)
    assert notifications.do_renew_push_subscription(ENDPOINT + "-new", same) is True
    assert PushSubscription.objects.get().auth == same["keys"]["auth"]
    with pytest.raises(PushSubscriptionError):
        notifications.do_renew_push_subscription(ENDPOINT + "-new", {"endpoint": 1})
    assert PushSubscription.objects.get().user == me


def test_a_member_removes_only_their_own_phone(pathway):
    me, other = member(pathway), member(pathway)
    notifications.do_add_push_subscription(other, subscription())
    assert notifications.do_remove_push_subscription(me, ENDPOINT) is False
    assert PushSubscription.objects.get().user == other
    assert notifications.do_remove_push_subscription(other, ENDPOINT) is True
    other.refresh_from_db()
    assert not other.web_push  # no phone left
    assert notifications.do_remove_push_subscription(other, None) is False
