"""community.notifications.worker: the deliveries queue the worker runs (a
batch of ready tasks bounded in number and time, only when the database queue
is configured), and the heartbeat /ready/ reads."""

import importlib
from datetime import timedelta

import pytest
from django.test import TestCase
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.models import WorkerHeartbeat
from community.notifications import deliveries, worker
from community.notifications.models import Delivery, DeliveryState
from tests.factories import make_member

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}


def test_the_queue_runs_ready_tasks_in_bounded_batches(pathway, settings, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    people = [make_member(pathway) for _ in range(3)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        queued = [deliveries.queue_email(p, "Hello", "Words.") for p in people]
    assert DBTaskResult.objects.ready().count() == 3 and mailoutbox == []
    assert worker.run_delivery_queue(max_seconds=0) == 0  # out of time at once
    assert worker.run_delivery_queue(max_tasks=2) == 2
    assert len(mailoutbox) == 2
    assert worker.run_delivery_queue() == 1
    assert worker.run_delivery_queue() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in people)
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    assert {d.pk for d in queued} == set(Delivery.objects.values_list("pk", flat=True))


def test_a_delivery_queued_before_the_move_to_the_wing_is_still_sent(
    pathway, settings, mailoutbox
):
    """Migration 0016 points tasks stored under the old module path at the new
    one; without it the worker could not import them and the email was lost."""
    from django.apps import apps

    settings.TASKS = DATABASE_QUEUE
    with TestCase.captureOnCommitCallbacks(execute=True):
        deliveries.queue_email(make_member(pathway), "Hello", "Words.")
    migration = importlib.import_module(
        "community.migrations.0016_deliveries_task_in_the_notifications_wing"
    )
    DBTaskResult.objects.update(task_path=migration.OLD)
    migration.repoint(migration.OLD, migration.NEW)(apps, None)
    assert worker.run_delivery_queue() == 1
    assert len(mailoutbox) == 1


def test_a_task_not_yet_due_waits(pathway, settings, mailoutbox):
    settings.TASKS = DATABASE_QUEUE
    delivery = deliveries.email_delivery(make_member(pathway), "Hello", "Words.")
    delivery.save()
    deliveries.deliver.using(run_after=timezone.now() + timedelta(minutes=1)).enqueue(
        delivery.pk
    )
    assert worker.run_delivery_queue() == 0
    assert Delivery.objects.get().state == DeliveryState.PENDING


def test_without_the_database_queue_there_is_nothing_to_run(pathway):
    # The test settings run deliveries at once, on commit.
    assert worker.run_delivery_queue() == 0


def test_the_heartbeat_says_how_long_since_any_worker_beat():
    assert worker.worker_heartbeat_age() is None
    now = timezone.now()
    worker.beat(now - timedelta(seconds=30))
    assert worker.worker_heartbeat_age(now) == 30.0
    WorkerHeartbeat.objects.create(name="other-host:1", beat_at=now - timedelta(0, 5))
    assert worker.worker_heartbeat_age(now) == 5.0  # the freshest worker counts
    worker.beat(now)
    assert worker.worker_heartbeat_age(now) == 0.0
    assert WorkerHeartbeat.objects.count() == 2  # one row per process


def test_beats_of_workers_gone_for_a_week_are_forgotten():
    now = timezone.now()
    WorkerHeartbeat.objects.create(name="old-host:7", beat_at=now - timedelta(days=8))
    worker.beat(now)
    assert list(WorkerHeartbeat.objects.values_list("name", flat=True)) == [
        worker.worker_name()
    ]
