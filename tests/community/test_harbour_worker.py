"""The background worker runs the deliveries queue, escalates overdue alerts,
queues again deliveries that are due, sends the notification digests once a
day and beats its heart (one pass with --once)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from community.forums import actions as forums
from community.models import EmailFrequency, Role
from community.moderation.models import RiskAlert
from community.notifications import actions as notifications
from community.notifications import worker
from community.notifications.models import Delivery
from tests.factories import make_forum, make_member, make_trusted, put_on_duty

pytestmark = pytest.mark.django_db


def test_one_pass_escalates_what_is_overdue(pathway, caplog):
    caplog.set_level("INFO", logger="harbour.worker")
    first = make_member(pathway, Role.CLINICIAN)
    lead = make_member(pathway, Role.LEAD)
    put_on_duty(pathway, first)
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "x", "I want to kill myself"
    )
    call_command("harbour_worker", "--once")
    assert RiskAlert.objects.get().notified == first
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        call_command("harbour_worker", "--once")
    alert = RiskAlert.objects.get()
    assert alert.to_leads and alert.notified == lead
    assert "Escalated 1 alert" in caplog.text


def test_the_digest_goes_once_a_day_from_the_digest_hour(
    pathway, settings, mailoutbox, caplog
):
    caplog.set_level("INFO", logger="harbour.worker")
    settings.HARBOUR_DIGEST_HOUR = 8
    london = ZoneInfo("Europe/London")
    reader = make_member(
        pathway, email_notifications=EmailFrequency.DAILY, notice_details=True
    )
    with time_machine.travel(datetime(2026, 11, 25, 7, 30, tzinfo=london), tick=False):
        notifications.notify(reader, pathway, "moderation", "Your post is back.")
        call_command("harbour_worker", "--once")
    assert mailoutbox == []
    with time_machine.travel(datetime(2026, 11, 25, 8, 0, tzinfo=london), tick=False):
        call_command("harbour_worker", "--once")
        call_command("harbour_worker", "--once")
    assert [m.to for m in mailoutbox] == [[reader.email]]
    assert "Your post is back." in mailoutbox[0].body
    assert "Sent 1 daily digest" in caplog.text
    # The next morning's run sends only what is new since.
    with time_machine.travel(datetime(2026, 11, 26, 8, 1, tzinfo=london), tick=False):
        notifications.notify(reader, pathway, "moderation", "Another outcome.")
        call_command("harbour_worker", "--once")
    assert len(mailoutbox) == 2
    assert "Another outcome." in mailoutbox[1].body
    assert "Your post is back." not in mailoutbox[1].body


def test_one_pass_sends_what_the_queue_holds_and_beats_its_heart(
    pathway, settings, mailoutbox, caplog
):
    caplog.set_level("INFO", logger="harbour.worker")
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
        "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
    eager = make_member(pathway, email_notifications=EmailFrequency.IMMEDIATE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        notifications.notify(eager, pathway, "moderation", "Seen to.")
    assert mailoutbox == [] and worker.worker_heartbeat_age() is None
    call_command("harbour_worker", "--once")
    assert [m.to for m in mailoutbox] == [[eager.email]]
    assert Delivery.objects.get().state == "sent"
    assert "Ran 1 delivery task(s)." in caplog.text
    assert worker.worker_heartbeat_age() < 60


def test_a_failing_step_is_reported_and_the_others_still_run(
    pathway, monkeypatch, caplog
):
    from community.management.commands import harbour_worker

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(harbour_worker, "do_escalate_overdue_alerts", broken)
    with caplog.at_level("INFO", logger="harbour.worker"):
        call_command("harbour_worker", "--once")
    (failure,) = [r for r in caplog.records if r.levelname == "ERROR"]
    assert failure.getMessage() == "Escalation pass failed"
    assert "RuntimeError: database gone" in caplog.text
    assert worker.worker_heartbeat_age() is not None
