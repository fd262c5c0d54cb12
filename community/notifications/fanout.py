"""Notices to many people, off the request path.

A forum reply can have a thousand followers. Storing a notice for each,
queueing its deliveries and sending each to the bell inside the POST made a
reply's cost grow with its followers (issue #18). Instead:

- the request (the content kind's `published` hook, inside the transaction
  that publishes it) calls `fan_out_on_commit`: one NoticeFanOut row beside
  the content and, once it commits, one `fan_out` task on the deliveries
  queue (django-tasks' database backend, which `harbour_worker` runs within a
  second; in tests the backend runs it at once, on commit);
- the task (`run_fan_out`) locks the row and does nothing unless it is
  pending, so a job run twice, or by two workers, tells nobody twice: the
  notices and the row's `state = sent` commit together;
- it reads the content again: held, hidden or gone since means withheld and
  nobody is told (publishing it again, a moderator's approval, queues it
  again);
- it asks the kind's plan (registered here by the wing that owns the kind,
  with `plan`) whom to tell what, and stores each group's notices in bulk
  with the checks every notice has (`notify_people`: active members of the
  pathway, never the author, nobody who blocked or muted them), each person
  told once;
- the bell events go on commit, in one go (`broadcast_many_on_commit`).

`retry_due_fan_outs`, in the worker's pass, queues again a pending row whose
task never came (lost between the commit and the enqueue, or its worker died).
Why: docs/decisions/0021-notice-fan-out.md.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from community.models import MemberContent, User
from community.notifications.actions import notify_people
from community.notifications.deliveries import BACKEND
from community.notifications.models import FanOutState, NoticeFanOut
from community.safety.registry import kind_named, kind_of

logger = logging.getLogger(__name__)

# Ahead of deliveries on the shared queue: a fan-out is a few statements and
# its notices should reach the bell within a second or two, while one email
# can wait seconds on a slow mail server.
PRIORITY = 10
# The sweeper leaves a pending fan-out this long to its queued task.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 200


@dataclass(frozen=True)
class Notices:
    """One notice to a group of people. `people` is a queryset the task
    evaluates (narrowed by `notify_people`), so the request never loads it."""

    people: QuerySet[User]
    kind: str
    message: str
    url: str


Plan = Callable[[Any], list[Notices]]
_PLANS: dict[str, Plan] = {}


def plan(kind_name: str) -> Callable[[Plan], Plan]:
    """Register (as a decorator) whom a published piece of content of the
    kind `kind_name` tells what: a function of the content returning
    `Notices` in order; someone in two groups hears only from the first.
    Runs in the task, in the language of the request that published it."""

    def register(function: Plan) -> Plan:
        _PLANS[kind_name] = function
        return function

    return register


def fan_out_on_commit(obj: MemberContent) -> NoticeFanOut:
    """Inside the transaction that publishes `obj` (a kind with a `plan`):
    record that its notices are to go, and queue the `fan_out` task once the
    transaction commits. Constant work whatever the number of people to
    tell. Content that already told its people is not told of again; content
    withheld when its task ran (held since) goes again now."""
    kind = kind_of(obj)
    if kind.name not in _PLANS:
        raise LookupError(f"no notice plan for {kind.name}")
    with transaction.atomic():
        row, created = NoticeFanOut.objects.select_for_update().get_or_create(
            content_kind=kind.name,
            object_id=obj.pk,
            defaults={
                "pathway": obj.pathway,
                "actor": obj.author,
                "language": translation.get_language() or settings.LANGUAGE_CODE,
            },
        )
        if not created:
            if row.state == FanOutState.SENT:
                return row
            if row.state == FanOutState.WITHHELD:
                row.state, row.done_at = FanOutState.PENDING, None
                row.queued_at = timezone.now()
                row.save(update_fields=["state", "done_at", "queued_at"])
        row_id = row.pk
        transaction.on_commit(lambda: _enqueue(row_id), robust=True)
    return row


def _enqueue(fan_out_id: int) -> None:
    """Hand `fan_out_id` to the queue. Never raises: the row is stored, so
    the sweeper finds a fan-out that did not get queued."""
    try:
        fan_out.enqueue(fan_out_id)
    except Exception:  # noqa: BLE001 - the sweeper picks it up
        logger.exception("Could not queue fan-out %s", fan_out_id)


@task(backend=BACKEND, priority=PRIORITY)
def fan_out(fan_out_id: int) -> str:
    """The queue's task: `run_fan_out`."""
    return run_fan_out(fan_out_id)


def run_fan_out(fan_out_id: int) -> str:
    """Store and announce the notices of fan-out `fan_out_id` if it is
    pending; returns its state after, or "skipped" (sent already, withheld,
    or locked by another worker, which has it).

    Locks the row for the whole run and marks it in the same transaction as
    the notices (PostgreSQL: `skip_locked`; SQLite: an exclusive
    transaction), so the notices are stored once whatever runs it twice. The
    content is read again: no longer published, it is withheld and nobody is
    told. Otherwise each group of its plan gets its notices in bulk
    (`notify_people`), leaving out whoever an earlier group told."""
    with exclusive_transaction():
        row = (
            NoticeFanOut.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("pathway", "actor")
            .filter(pk=fan_out_id, state=FanOutState.PENDING)
            .first()
        )
        if row is None:
            return "skipped"
        kind = kind_named(row.content_kind)
        make_plan = _PLANS.get(row.content_kind)
        obj: MemberContent | None = None
        if kind is not None and make_plan is not None:
            model: type[MemberContent] = kind.model
            obj = model._default_manager.filter(pk=row.object_id).first()
        row.done_at = timezone.now()
        if obj is None or make_plan is None or not obj.is_published:
            row.state = FanOutState.WITHHELD
            row.save(update_fields=["state", "done_at"])
            return row.state
        told: set[int] = set()
        with translation.override(row.language or settings.LANGUAGE_CODE):
            for notices in make_plan(obj):
                sent = notify_people(
                    notices.people.exclude(pk__in=told),
                    row.pathway,
                    notices.kind,
                    notices.message,
                    notices.url,
                    row.actor,
                )
                told.update(n.user_id for n in sent)
        row.state, row.notices = FanOutState.SENT, len(told)
        row.save(update_fields=["state", "done_at", "notices"])
    return row.state


def retry_due_fan_outs(now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Queue again each fan-out pending for longer than SWEEP_GRACE since it
    was queued (its task was lost between the commit and the enqueue, or its
    worker died). Returns how many were queued. Harmless when a task does
    hold one: `run_fan_out` skips a fan-out that is no longer pending or is
    locked. Each one queued waits another grace period before it is swept
    again."""
    now = now or timezone.now()
    ids = list(
        NoticeFanOut.objects.filter(
            state=FanOutState.PENDING, queued_at__lte=now - SWEEP_GRACE
        )
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    NoticeFanOut.objects.filter(pk__in=ids, state=FanOutState.PENDING).update(
        queued_at=now
    )
    for fan_out_id in ids:
        _enqueue(fan_out_id)
    return len(ids)
