"""community.notifications.deliveries: what leaves the site is stored with
what caused it, sent by the task queue, retried with back-off until it goes,
once, or given up in plain sight, and a risk alert that reached nobody
escalates at once.

The outage tests are real: a local SMTP server (aiosmtpd) that is stopped and
started again, and a local push service (http.server) that answers 500, then
201, or 410, reached by pywebpush with real VAPID and encryption keys. They run
the database queue (django-tasks-db) through `harbour_worker --once`, as
production does; the rest use the test settings' immediate backend, where a
retry waits for the sweeper."""

import base64
import json
import os
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import http_ece
import pytest
import time_machine
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test import TestCase
from django.utils import timezone

from community.forums import actions as forums
from community.models import AuditEvent, EmailFrequency, Role
from community.moderation.models import AlertState, RiskAlert
from community.notifications import actions as notifications
from community.notifications import deliveries
from community.notifications.models import (
    Delivery,
    DeliveryState,
    Notification,
    PushSubscription,
)
from tests.factories import (
    UserFactory,
    make_forum,
    make_member,
    make_trusted,
    put_on_duty,
)

pytestmark = pytest.mark.django_db

RISKY = "I want to kill myself tonight"
DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def raise_alert(pathway):
    """A member posts words of risk; returns the alert it raised."""
    forums.do_start_topic(make_trusted(pathway), make_forum(pathway), "Hi", RISKY)
    return RiskAlert.objects.get()


def worker_pass():
    """One pass of the worker, as in production, where each attempt commits
    (and queues its retry) on its own; here inside the test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("harbour_worker", "--once", stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def database_queue(settings):
    """Deliveries go through the database queue the worker runs."""
    settings.TASKS = DATABASE_QUEUE


# A local mail server --------------------------------------------------------------


class MailServer:
    """An SMTP server on loopback that can be stopped and started on the same
    port, and made to refuse every message (554)."""

    def __init__(self):
        self.port = free_port()
        self.received = []
        self.refuse = False
        self.controller = None

    def start(self):
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "554 5.7.1 Refused"
        self.received.append(envelope)
        return "250 2.0.0 Accepted"


@pytest.fixture
def smtp(settings, django_mail_patch_dns):
    server = MailServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


def alert_emails():
    return Delivery.objects.filter(channel="email", risk_alert__isnull=False)


def test_an_alert_email_outlasts_a_mail_server_outage_and_arrives_once(
    pathway, smtp, database_queue, django_capture_on_commit_callbacks
):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(pathway)
    [delivery] = alert_emails()
    assert (delivery.recipient, delivery.alert_level) == (clinician, 0)
    assert smtp.received == []  # the request only stored it

    smtp.stop()
    worker_pass()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 1)
    assert delivery.last_error == "ConnectionRefusedError"

    smtp.start()
    worker_pass()  # the next attempt waits its back-off
    assert smtp.received == []

    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        worker_pass()
    [envelope] = smtp.received
    assert envelope.rcpt_tos == [clinician.email]
    message = envelope.content.decode()
    assert "Harbour risk alert" in message
    assert f"/alerts/{alert.pk}/" in message
    assert RISKY not in message
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)

    # Later passes, the sweeper included, never send it again.
    for minutes in (5, 60):
        with time_machine.travel(timezone.now() + timedelta(minutes=minutes)):
            worker_pass()
    assert len(smtp.received) == 1


def test_a_mail_server_that_keeps_refusing_fails_the_alert_email_tells_the_leads_and_admins_and_escalates_at_once(  # noqa: E501
    pathway, smtp, database_queue, django_capture_on_commit_callbacks
):
    first = make_member(pathway, Role.CLINICIAN)
    second = make_member(pathway, Role.PEER)
    lead = make_member(pathway, Role.LEAD)
    admin = UserFactory(is_superuser=True, is_staff=True)
    put_on_duty(pathway, first, position=1)
    put_on_duty(pathway, second, position=2)
    smtp.refuse = True
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            alert = raise_alert(pathway)
        [delivery] = alert_emails()
        waits = []
        for _ in range(4):  # HARBOUR_DELIVERY_ALERT_MAX_ATTEMPTS
            worker_pass()
            delivery.refresh_from_db()
            waits.append(delivery.next_attempt_at - timezone.now())
            clock.shift(delivery.next_attempt_at - timezone.now() + timedelta(0, 1))
    assert waits[:3] == [timedelta(seconds=s) for s in (30, 60, 120)]
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 4)
    assert delivery.last_error == "SMTPDataError 554"
    assert smtp.received == []

    failed = AuditEvent.objects.get(action="delivery.failed")
    assert failed.data["risk_alert"] == alert.pk and failed.actor is None
    assert first.email not in json.dumps(failed.data)
    told = Notification.objects.filter(kind="delivery_failed")
    assert {n.user for n in told} == {lead, admin}
    assert all("risk alert (email)" in n.message for n in told)

    # Nobody got the alert at level 0: it went on to the next on the rota at
    # once, 3.5 minutes in, not after the 15 minutes to acknowledge.
    alert.refresh_from_db()
    assert (alert.state, alert.level, alert.notified) == (AlertState.OPEN, 1, second)
    escalated = AuditEvent.objects.get(action="alert.escalated")
    assert escalated.data == {"level": 1, "to_leads": False, "because": "undelivered"}
    [next_email] = alert_emails().filter(alert_level=1)
    assert next_email.recipient == second
    assert next_email.state == DeliveryState.PENDING


def test_an_alert_that_reached_someone_does_not_escalate_when_another_delivery_fails(
    pathway, settings, django_capture_on_commit_callbacks, monkeypatch
):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = "public", "private"
    first = make_member(pathway, Role.CLINICIAN, web_push=True)
    PushSubscription.objects.create(
        user=first, endpoint="https://fcm.googleapis.com/x", p256dh="k", auth="a"
    )
    put_on_duty(pathway, first)
    put_on_duty(pathway, make_member(pathway, Role.PEER), position=2)
    monkeypatch.setattr(deliveries.pywebpush, "webpush", lambda **kwargs: None)
    monkeypatch.setattr(
        mail.EmailMessage, "send", lambda self, **kw: (_ for _ in ()).throw(OSError)
    )
    with django_capture_on_commit_callbacks(execute=True):
        alert = raise_alert(pathway)
    email = alert_emails().get()
    push = Delivery.objects.get(risk_alert=alert, channel="push")
    assert push.state == DeliveryState.SENT  # the phone got it
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            clock.shift(timedelta(minutes=5))
            deliveries.retry_due_deliveries()
    email.refresh_from_db()
    assert email.state == DeliveryState.FAILED
    alert.refresh_from_db()
    assert alert.level == 0 and alert.notified == first


# A local push service -------------------------------------------------------------


class PushService(ThreadingHTTPServer):
    """Answers each POST with the next of `statuses` (then 201), and keeps
    what it was sent."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), PushHandler)
        self.statuses = []
        self.received = []

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.server_address[1]}/push/phone-1"


class PushHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = self.server.statuses.pop(0) if self.server.statuses else 201
        self.server.received.append(
            {
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
                "status": status,
            }
        )
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def push_service(settings, monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    out = StringIO()
    call_command("make_vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_SUBJECT = "mailto:team@example.org"
    service = PushService()
    thread = threading.Thread(target=service.serve_forever, daemon=True)
    thread.start()
    yield service
    service.shutdown()
    service.server_close()


def phone_of(user, endpoint):
    """A browser's subscription, with real keys (kept for decrypting). Stored
    directly: check_push_subscription takes only https push services, and
    this one is plain http on loopback."""
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = os.urandom(16)
    public = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    user.web_push = True
    user.save(update_fields=["web_push"])
    subscription = PushSubscription.objects.create(
        user=user, endpoint=endpoint, p256dh=b64(public), auth=b64(auth)
    )
    return subscription, browser_key, auth


def test_a_push_service_answering_500_then_201_gets_the_push_once(
    pathway, push_service, database_queue, django_capture_on_commit_callbacks
):
    owner = make_member(pathway, notice_details=True)
    _phone, browser_key, auth = phone_of(owner, push_service.endpoint)
    push_service.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        notice = notifications.notify(owner, pathway, "moderation", "Seen to.")
    worker_pass()
    delivery = Delivery.objects.get(notification=notice)
    assert (delivery.state, delivery.last_error) == (DeliveryState.PENDING, "HTTP 500")
    worker_pass()  # not due yet
    assert len(push_service.received) == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        worker_pass()
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        worker_pass()
    assert [r["status"] for r in push_service.received] == [500, 201]
    accepted = push_service.received[1]
    assert accepted["headers"]["authorization"].startswith("vapid t=")
    payload = http_ece.decrypt(
        accepted["body"], private_key=browser_key, auth_secret=auth
    )
    assert json.loads(payload) == {
        "title": "Harbour",
        "body": "Seen to.",
        "url": "http://testserver/notifications/",
        "tag": f"harbour-{notice.pk}",
    }
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 2)


def test_a_push_service_answering_410_forgets_the_phone(
    pathway, push_service, database_queue, django_capture_on_commit_callbacks
):
    owner = make_member(pathway)
    phone, _key, _auth = phone_of(owner, push_service.endpoint)
    push_service.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        notice = notifications.notify(owner, pathway, "moderation", "Seen to.")
    worker_pass()
    delivery = Delivery.objects.get(notification=notice)
    assert delivery.state == DeliveryState.GONE
    assert delivery.push_subscription is None
    assert not PushSubscription.objects.filter(pk=phone.pk).exists()
    assert Notification.objects.filter(pk=notice.pk).exists()  # the bell has it


# Stored with what caused it -------------------------------------------------------


def test_deliveries_commit_with_what_caused_them_or_not_at_all(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            raise_alert(pathway)
            assert alert_emails().count() == 1 and mailoutbox == []
            raise RuntimeError("the post failed after the alert was raised")
    assert not RiskAlert.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == []


def test_back_off_doubles_from_30_seconds_up_to_the_cap(settings):
    settings.HARBOUR_DELIVERY_MAX_BACKOFF_SECONDS = 30 * 60
    waits = [deliveries.backoff(n).total_seconds() for n in range(1, 9)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800]


def test_a_notice_email_is_given_up_after_the_last_attempt(
    pathway, settings, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    settings.HARBOUR_DELIVERY_MAX_ATTEMPTS = 3
    lead = make_member(pathway, Role.LEAD)
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    real_send = mail.EmailMessage.send
    monkeypatch.setattr(
        mail.EmailMessage, "send", lambda self, **kw: (_ for _ in ()).throw(OSError)
    )
    with django_capture_on_commit_callbacks(execute=True):
        notice = notifications.notify(eager, pathway, "moderation", "Seen to.")
    delivery = Delivery.objects.get(notification=notice)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(3):
            clock.shift(timedelta(minutes=5))
            deliveries.retry_due_deliveries()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, 3)
    assert Notification.objects.filter(user=lead, kind="delivery_failed").exists()
    # A lead tries it again once the mail server is back: it goes.
    monkeypatch.setattr(mail.EmailMessage, "send", real_send)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries.do_retry_delivery(lead, delivery) is True
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT and len(mailoutbox) == 1
    assert AuditEvent.objects.filter(action="delivery.retried", actor=lead).exists()
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    # Only a failed delivery is retried.
    assert deliveries.do_retry_delivery(lead, delivery) is False


# The sweeper ----------------------------------------------------------------------


def test_the_sweeper_sends_a_delivery_whose_task_was_never_queued(
    pathway, database_queue, mailoutbox, django_capture_on_commit_callbacks
):
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=False):
        # The process dies between the commit and the enqueue: the on-commit
        # callbacks never run.
        notice = notifications.notify(eager, pathway, "moderation", "Seen to.")
    delivery = Delivery.objects.get(notification=notice)
    worker_pass()
    assert mailoutbox == []  # no task, and a task may still be on its way
    with time_machine.travel(timezone.now() + deliveries.SWEEP_GRACE):
        worker_pass()  # queued again by the sweeper, run by the same pass
    assert len(mailoutbox) == 1
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.SENT
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        worker_pass()
    assert len(mailoutbox) == 1


def test_a_delivery_whose_worker_died_mid_send_is_sent_by_the_sweeper(
    pathway, database_queue, mailoutbox, django_capture_on_commit_callbacks
):
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(eager, pathway, "moderation", "Seen to.")
    # A worker claimed the task and died: the task stays "running" for ever.
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.update(status="RUNNING")
    worker_pass()
    assert mailoutbox == []
    with time_machine.travel(timezone.now() + deliveries.SWEEP_GRACE):
        worker_pass()
    assert len(mailoutbox) == 1


def test_two_workers_never_send_one_delivery_twice(
    transactional_db, pathway, mailoutbox, monkeypatch
):
    """Both try the same delivery at the same moment (PostgreSQL: the second
    skips the locked row; SQLite: the second waits for the first's exclusive
    transaction, then finds it sent)."""
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    delivery = deliveries.email_delivery(eager, "A new notification", "Words.")
    delivery.save()  # stored, not queued: the two workers below are the queue
    real_send = mail.EmailMessage.send
    sending = threading.Barrier(2)

    def slow_send(self, fail_silently=False):
        threading.Event().wait(0.5)  # the other worker arrives meanwhile
        return real_send(self, fail_silently)

    monkeypatch.setattr(mail.EmailMessage, "send", slow_send)
    outcomes = []

    def worker():
        try:
            sending.wait(timeout=10)
            outcomes.append(deliveries.attempt(delivery.pk))
        except Exception as error:  # noqa: BLE001 - a locked SQLite is a refusal
            outcomes.append(type(error).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(mailoutbox) == 1
    assert "sent" in outcomes and len(outcomes) == 2
    assert set(outcomes) - {"sent"} <= {"skipped", "OperationalError"}
    if connection.vendor == "postgresql":
        assert sorted(outcomes) == ["sent", "skipped"]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.SENT, 1)


def test_what_may_no_longer_leave_the_site_is_cancelled_not_sent(
    pathway, mailoutbox, django_capture_on_commit_callbacks
):
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        notifications.notify(eager, pathway, "moderation", "Seen to.")
    notifications.do_set_notification_settings(eager, email_notifications="off")
    for callback in queued:
        callback()
    assert mailoutbox == []
    assert Delivery.objects.get().state == DeliveryState.CANCELLED
