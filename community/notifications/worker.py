"""The background worker's own parts (the loop is the `harbour_worker`
command): running the deliveries task queue, and the heartbeat /ready/ reads.

The queue is django-tasks-db's: rows in the database, claimed under a row
lock (`skip_locked`), so several workers share it and none runs a task twice.
`run_delivery_queue` claims and runs ready tasks the way its `db_worker`
command does, but for a bounded batch and without that command's loop,
signals and connection handling, so one process can go round deliveries every
second and still escalate alerts and send digests between them.
"""

import os
import socket
import time
from datetime import datetime, timedelta

from django.db.models import Max
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from community.models import WorkerHeartbeat
from community.notifications.deliveries import BACKEND

# A heartbeat older than this belongs to a worker long gone: forgotten.
HEARTBEAT_KEPT = timedelta(days=7)


def worker_name() -> str:
    """This process, as its heartbeat row and its task claims name it."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def run_delivery_queue(max_tasks: int = 100, max_seconds: float = 5.0) -> int:
    """Run ready tasks of the deliveries backend, up to `max_tasks` or until
    `max_seconds` have gone (a task under way is finished: at most an SMTP or
    push timeout more), then return how many ran. Bounded so the worker's
    loop comes back to its heartbeat and its escalation pass even while a
    mail server makes every attempt wait. Does nothing (0) unless that
    backend is the database queue (in tests it runs tasks at once, on
    commit). A database busy with another worker's claim (SQLite) ends the
    batch early; the next round goes on."""
    if not isinstance(task_backends[BACKEND], DatabaseBackend):
        return 0
    name = worker_name()
    worker = Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name=BACKEND,
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id=name,
        excluded_queue_names=[],
    )
    ran = 0
    stop_at = time.monotonic() + max_seconds
    while ran < max_tasks and time.monotonic() < stop_at:
        ready = DBTaskResult.objects.ready().filter(backend_name=BACKEND)
        try:
            with exclusive_transaction(ready.db):
                claimed = ready.get_locked()
                if claimed is not None:
                    claimed.claim(name)
        except OperationalError as error:
            if is_locked_database_exception(error):
                break
            raise
        if claimed is None:
            break
        worker.run_task(claimed)
        ran += 1
    return ran


def beat(now: datetime | None = None) -> None:
    """Record that this worker process is alive now, and forget the beats
    of workers gone for a week."""
    now = now or timezone.now()
    WorkerHeartbeat.objects.update_or_create(
        name=worker_name(), defaults={"beat_at": now}
    )
    WorkerHeartbeat.objects.filter(beat_at__lt=now - HEARTBEAT_KEPT).delete()


def worker_heartbeat_age(now: datetime | None = None) -> float | None:
    """Seconds since any background worker last beat (the freshest of them),
    or None if none ever has. /ready/ calls this: a worker that stopped means
    alerts stop escalating and deliveries stop going."""
    last = WorkerHeartbeat.objects.aggregate(last=Max("beat_at"))["last"]
    if last is None:
        return None
    return max(((now or timezone.now()) - last).total_seconds(), 0.0)
