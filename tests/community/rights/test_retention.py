"""Retention: each kind goes after its period, a dry run removes nothing,
the clinical record stays, and the worker applies it once a day."""

import io
import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from chat.models import Message, Room
from community.audit import audit, purge_audit_rows
from community.models import AuditEvent, ContentStatus
from community.moderation.models import ModerationCase, RiskAlert
from community.notifications.models import Notification
from community.rights.models import DataExport, ExportState
from community.rights.retention import apply_retention, run_daily_retention_if_due
from tests.factories import make_forum, make_member

pytestmark = pytest.mark.django_db
LONG_AGO = timezone.now() - timedelta(days=9 * 365)


@pytest.fixture
def old_rows(pathway):
    member = make_member(pathway)
    Notification.objects.create(
        user=member, kind="reply", message="old", created_at=LONG_AGO
    )
    fresh = Notification.objects.create(user=member, kind="reply", message="new")
    room = Room.objects.get(pathway=pathway, is_default=True)

    def message(body):
        return Message.objects.create(
            room=room,
            pathway=pathway,
            author=member,
            body=body,
            seq=room.allocate_seq(),
            client_id=uuid.uuid4(),
            created_at=LONG_AGO,
        )

    message("an old chat message")
    alerted = message("an old message a risk alert was raised on")
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(Message),
        object_id=alerted.pk,
        author=member,
    )
    RiskAlert.objects.create(pathway=pathway, case=case, author=member)
    forum = make_forum(pathway)
    forum.topics.create(
        pathway=pathway,
        author=member,
        title="Held",
        body="held",
        status=ContentStatus.HELD,
        created_at=LONG_AGO,
    )
    export = DataExport.objects.create(
        user=member,
        state=ExportState.READY,
        expires_at=timezone.now() - timedelta(days=1),
    )
    export.file.save("x.zip", ContentFile(b"zip"))
    # Written long ago (an insert: the append-only trigger refuses backdating).
    AuditEvent.objects.create(action="test.old", created_at=LONG_AGO)
    return {"fresh": fresh, "alerted": alerted, "export": export}


def test_a_dry_run_counts_and_removes_nothing(old_rows):
    before = AuditEvent.objects.count()
    counts = apply_retention(dry_run=True)
    assert counts["notifications"] == 1
    assert counts["chat_messages"] == 1  # not the one an alert was raised on
    assert counts["held_posts"] == 1
    assert counts["exports"] == 1
    assert counts["audit"] == 1
    assert Notification.objects.count() == 2
    assert AuditEvent.objects.count() == before
    assert DataExport.objects.count() == 1


def test_retention_removes_what_is_past_its_period_and_keeps_the_clinical_record(
    old_rows, django_capture_on_commit_callbacks
):
    name = old_rows["export"].file.name
    storage = old_rows["export"].file.storage
    with django_capture_on_commit_callbacks(execute=True):
        counts = apply_retention()
    assert counts["notifications"] == 1 and counts["chat_messages"] == 1
    assert list(Notification.objects.all()) == [old_rows["fresh"]]
    assert list(Message.objects.all()) == [old_rows["alerted"]]
    assert RiskAlert.objects.count() == 1
    assert not DataExport.objects.exists()
    assert not storage.exists(name)
    assert not AuditEvent.objects.filter(action="test.old").exists()
    purged = AuditEvent.objects.get(action="retention.purged")
    assert purged.data["count"] == 1
    assert AuditEvent.objects.filter(action="retention.applied").count() >= 3


def test_purge_audit_rows_deletes_before_and_audits_itself():
    audit(None, "test.kept")
    AuditEvent.objects.create(action="test.gone", created_at=LONG_AGO)
    assert purge_audit_rows(LONG_AGO + timedelta(days=1)) == 1
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "test.kept",
        "retention.purged",
    }


def test_the_worker_applies_it_once_a_day(old_rows):
    assert run_daily_retention_if_due() is not None
    assert run_daily_retention_if_due() is None
    assert Notification.objects.count() == 1


def test_the_command_reports_per_kind(old_rows):
    out = io.StringIO()
    call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "notifications: 1 would go (kept 365 days)" in text
    assert "audit: 1 would go (kept 2920 days)" in text
    assert Notification.objects.count() == 2
