"""Deliveries: everything that leaves the site (risk-alert emails, notice
emails, web push), stored, sent by a task queue and retried until it goes or
is given up in plain sight. Why: docs/decisions/0015-durable-deliveries.md.

The road:
- an action calls `queue_email` / `queue_push` (or `queue` for several) inside
  its own transaction: the Delivery rows commit with the alert or notice that
  caused them, or not at all;
- on commit, each row's id goes to the `deliver` task on the "deliveries"
  backend (django-tasks; the database queue in production, which
  `harbour_worker` runs; at once in tests);
- `deliver` locks the row, checks it may still leave the site (blocks, mutes,
  membership, the member's choices, the phone), sends it and marks it sent in
  the same transaction;
- a failed attempt is tried again after HARBOUR_DELIVERY_BACKOFF_SECONDS,
  doubling up to HARBOUR_DELIVERY_MAX_BACKOFF_SECONDS; after the last attempt
  the delivery is `failed`, audited, and `delivery_failed` is sent in the same
  transaction (community/moderation/signals.py: the pathway's leads and the site
  administrators are told, and a risk alert whose every delivery at its level
  failed escalates at once);
- `retry_due_deliveries`, the worker's sweeper, hands the queue whatever is
  due and has no task: one lost between the commit and the enqueue, one whose
  worker died mid-send, every retry where the backend cannot defer.

"Once": the row stays locked while it is sent and is marked sent in that
transaction, so a second worker skips it and a sent delivery never goes again.
SMTP and push are at-least-once underneath: a process that dies after the
server accepted the message and before the commit leaves the row pending, and
it goes a second time. Nothing here ever holds member text: subjects, bodies
and payloads are Harbour's words, `last_error` a class name or status code.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

import pywebpush
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django_tasks import task
from django_tasks_db.utils import exclusive_transaction

from community.audit import audit
from community.models import EmailFrequency, Membership, MembershipStatus, Pathway, User
from community.models.silence import silencing
from community.moderation.models import RiskAlert
from community.notifications.models import (
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Notification,
    PushSubscription,
)

logger = logging.getLogger(__name__)

# The django-tasks backend deliveries are queued on (settings.TASKS).
BACKEND = "deliveries"
# Push services keep a notice this long for a phone that is offline.
PUSH_TTL_SECONDS = 12 * 60 * 60
PUSH_TIMEOUT_SECONDS = 5
GONE = frozenset({404, 410})
# The sweeper leaves a due delivery this long to its queued task before it
# queues it again (a backend that cannot defer has no queued task: no wait).
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 200

delivery_failed = Signal()
"""Sent with `delivery=` when a delivery is given up, inside the transaction
that marks it failed (so what receivers write commits with it, and an error in
a receiver leaves the delivery pending for the sweeper to try again)."""


# Leaving the site: the checks again, at send time --------------------------------


def deliverable(notices: QuerySet[Notification]) -> QuerySet[Notification]:
    """Of `notices`, those that may still leave the site: the owner is active
    and, for a notice someone caused, has not blocked or muted them since and
    is still an active member of the notice's pathway."""
    blocked, muted = silencing(OuterRef("user"), OuterRef("actor"))
    member = Membership.objects.filter(
        user=OuterRef("user"),
        pathway=OuterRef("pathway"),
        status=MembershipStatus.ACTIVE,
    )
    return notices.filter(user__is_active=True).filter(
        Q(actor=None)
        | (~Exists(blocked) & ~Exists(muted) & (Q(pathway=None) | Exists(member)))
    )


def push_available() -> bool:
    """Whether this site can send web push (both VAPID keys are set)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


# Queueing, inside the caller's transaction ------------------------------------------


def email_delivery(
    recipient: User | None,
    subject: str,
    body: str,
    *,
    pathway: Pathway | None = None,
    notification: Notification | None = None,
    risk_alert: RiskAlert | None = None,
) -> Delivery:
    """An unsaved email delivery of Harbour's words to `recipient` (the
    address is read when it is sent). Hand it to `queue`."""
    return Delivery(
        channel=DeliveryChannel.EMAIL,
        recipient=recipient,
        pathway=pathway,
        notification=notification,
        risk_alert=risk_alert,
        alert_level=risk_alert.level if risk_alert is not None else None,
        subject=subject[:200],
        body=body,
    )


def out_of_hours_delivery(
    pathway: Pathway, subject: str, body: str, *, risk_alert: RiskAlert
) -> Delivery:
    """An unsaved email of Harbour's words about `risk_alert` to `pathway`'s
    out-of-hours crisis team (its `out_of_hours_email`, read when it is sent,
    so the row holds no address; none by then cancels it). Hand it to
    `queue`."""
    delivery = email_delivery(
        None, subject, body, pathway=pathway, risk_alert=risk_alert
    )
    delivery.out_of_hours = True
    return delivery


def push_delivery(
    subscription: PushSubscription,
    payload: str,
    *,
    pathway: Pathway | None = None,
    notification: Notification | None = None,
    risk_alert: RiskAlert | None = None,
) -> Delivery:
    """An unsaved push of `payload` (JSON of Harbour's words) to one phone of
    the subscription's owner. Hand it to `queue`."""
    return Delivery(
        channel=DeliveryChannel.PUSH,
        recipient_id=subscription.user_id,
        push_subscription=subscription,
        pathway=pathway,
        notification=notification,
        risk_alert=risk_alert,
        alert_level=risk_alert.level if risk_alert is not None else None,
        payload=payload,
    )


def queue(deliveries: Iterable[Delivery]) -> list[Delivery]:
    """Store `deliveries` in the caller's transaction (one insert) and, once
    it commits, hand each to the `deliver` task. A rolled-back transaction
    sends nothing; an enqueue that fails after the commit is logged and left
    to `retry_due_deliveries`."""
    deliveries = list(deliveries)
    if not deliveries:
        return []
    now = timezone.now()
    for delivery in deliveries:
        delivery.created_at = delivery.next_attempt_at = now
    stored = Delivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in stored]
    transaction.on_commit(lambda: _enqueue_all(ids), robust=True)
    return stored


def queue_email(recipient: User, subject: str, body: str, **about) -> Delivery:
    """`queue` one email (see `email_delivery` for `about`)."""
    return queue([email_delivery(recipient, subject, body, **about)])[0]


def queue_out_of_hours_email(
    pathway: Pathway, subject: str, body: str, **about
) -> Delivery:
    """`queue` one email to the pathway's out-of-hours route (see
    `out_of_hours_delivery`)."""
    return queue([out_of_hours_delivery(pathway, subject, body, **about)])[0]


def queue_push(subscription: PushSubscription, payload: str, **about) -> Delivery:
    """`queue` one push (see `push_delivery` for `about`)."""
    return queue([push_delivery(subscription, payload, **about)])[0]


def _enqueue_all(ids: list[int]) -> None:
    for delivery_id in ids:
        _enqueue(delivery_id)


def _enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    """Hand `delivery_id` to the queue, at `run_after` if the backend can
    wait (else the sweeper sends it when it is due). Never raises: the row
    is stored, so the sweeper finds whatever did not get queued."""
    job = deliver
    try:
        if run_after is not None:
            if not job.get_backend().supports_defer:
                return
            job = job.using(run_after=run_after)
        job.enqueue(delivery_id)
    except Exception:  # noqa: BLE001 - the sweeper picks it up
        logger.exception("Could not queue delivery %s", delivery_id)


# Sending ---------------------------------------------------------------------------


@task(backend=BACKEND)
def deliver(delivery_id: int) -> str:
    """The queue's task: one attempt at delivery `delivery_id` (`attempt`).
    Returns what became of it, or "skipped"."""
    return attempt(delivery_id)


class _PushGone(Exception):
    """The push service says the phone is gone (404, 410)."""


class _PushRefused(Exception):
    """The push service answered with another error status."""

    def __init__(self, status: int | None):
        super().__init__(status)
        self.status = status


def attempt(delivery_id: int) -> str:
    """Try to send delivery `delivery_id` if it is pending and due; returns
    its state after, or "skipped" when there was nothing to do (sent, given
    up, not due, or locked by another worker, which has it).

    Locks the row for the whole attempt and marks the outcome in that
    transaction (PostgreSQL: `skip_locked`, so a second worker moves on;
    SQLite, which cannot lock a row: the transaction is exclusive, so a
    second worker waits, then finds it sent). The outcome: sent (and a
    notice's `emailed_at`); gone (the phone, which is forgotten); cancelled
    (may no longer leave the site); pending with the next attempt after
    back-off, re-queued on commit; or failed, audited, with `delivery_failed`
    sent."""
    now = timezone.now()
    with exclusive_transaction():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "push_subscription", "pathway")
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .filter(next_attempt_at__lte=now)
            .first()
        )
        if delivery is None:
            return "skipped"
        withheld = _withheld(delivery)
        if withheld:
            delivery.state = withheld
            delivery.save(update_fields=["state"])
            return withheld
        delivery.attempts += 1
        delivery.last_attempt_at = now
        try:
            _send(delivery)
        except _PushGone:
            delivery.state = DeliveryState.GONE
            delivery.last_error = "HTTP gone"
            delivery.save()
            assert delivery.push_subscription_id is not None  # noqa: S101 - a push
            PushSubscription.objects.filter(pk=delivery.push_subscription_id).delete()
        except Exception as error:  # noqa: BLE001 - any failure is tried again
            _failed_attempt(delivery, _error_label(error), now)
        else:
            delivery.state = DeliveryState.SENT
            delivery.sent_at = now
            delivery.last_error = ""
            delivery.save()
            if delivery.channel == DeliveryChannel.EMAIL and delivery.notification_id:
                Notification.objects.filter(
                    pk=delivery.notification_id, emailed_at=None
                ).update(emailed_at=now)
    return delivery.state


def _withheld(delivery: Delivery) -> str | None:
    """Why `delivery` must not go now (the state to mark it), or None."""
    if delivery.out_of_hours:
        # The trust's crisis team, not a person with choices: it goes while
        # the pathway still names an address.
        if delivery.pathway is None or not delivery.pathway.out_of_hours_email:
            return DeliveryState.CANCELLED
        return None
    recipient = delivery.recipient
    assert recipient is not None  # noqa: S101 - out of hours has none
    if not recipient.is_active:
        return DeliveryState.CANCELLED
    if (
        delivery.notification_id is not None
        and not deliverable(
            Notification.objects.filter(pk=delivery.notification_id)
        ).exists()
    ):
        return DeliveryState.CANCELLED
    if delivery.channel == DeliveryChannel.EMAIL:
        if not recipient.email:
            return DeliveryState.CANCELLED
        # A notice's email goes only while the member still wants them as they
        # happen; a risk alert's own email goes to staff whatever they chose.
        if (
            delivery.notification_id is not None
            and recipient.email_notifications != EmailFrequency.IMMEDIATE
        ):
            return DeliveryState.CANCELLED
        return None
    subscription = delivery.push_subscription
    if subscription is None or subscription.user_id != recipient.pk:
        return DeliveryState.GONE  # forgotten, or the phone is someone else's now
    if not push_available() or not recipient.web_push:
        return DeliveryState.CANCELLED
    return None


def _send(delivery: Delivery) -> None:
    """One try over the wire; raises on any failure."""
    if delivery.channel == DeliveryChannel.EMAIL:
        if delivery.out_of_hours:
            assert delivery.pathway is not None  # noqa: S101 - else _withheld cancels
            address = delivery.pathway.out_of_hours_email
        else:
            assert delivery.recipient is not None  # noqa: S101 - as in _withheld
            address = delivery.recipient.email
        message = EmailMessage(delivery.subject, delivery.body, to=[address])
        if message.send() != 1:
            raise RuntimeError("the mail backend sent nothing")
        return
    subscription = delivery.push_subscription
    assert subscription is not None  # noqa: S101 - else _withheld: gone
    try:
        pywebpush.webpush(
            subscription_info={
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            },
            data=delivery.payload,
            vapid_private_key=settings.VAPID_PRIVATE_KEY,
            # pywebpush adds to the claims it is given: a fresh dict each time.
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            timeout=PUSH_TIMEOUT_SECONDS,
            ttl=PUSH_TTL_SECONDS,
        )
    except pywebpush.WebPushException as error:
        status = getattr(error.response, "status_code", None)
        if status in GONE:
            raise _PushGone from error
        raise _PushRefused(status) from error


def _error_label(error: Exception) -> str:
    """What went wrong, without personal data: a status code or an
    exception's class (and SMTP code), never its message (which can name
    addresses)."""
    if isinstance(error, _PushRefused):
        return f"HTTP {error.status}" if error.status else "Push refused"
    label = type(error).__name__
    code = getattr(error, "smtp_code", None)
    if isinstance(code, int):
        label = f"{label} {code}"
    return label[:100]


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt: 30 s, 1, 2,
    4, 8 minutes… up to HARBOUR_DELIVERY_MAX_BACKOFF_SECONDS."""
    seconds = settings.HARBOUR_DELIVERY_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(
        seconds=min(seconds, settings.HARBOUR_DELIVERY_MAX_BACKOFF_SECONDS)
    )


def max_attempts(delivery: Delivery) -> int:
    """A risk alert's deliveries give up sooner: its rota cannot wait."""
    if delivery.risk_alert_id is not None:
        return settings.HARBOUR_DELIVERY_ALERT_MAX_ATTEMPTS
    return settings.HARBOUR_DELIVERY_MAX_ATTEMPTS


def _failed_attempt(delivery: Delivery, error: str, now: datetime) -> None:
    """Record a failed attempt: try again after back-off, or give up."""
    delivery.last_error = error
    if delivery.attempts < max_attempts(delivery):
        delivery.next_attempt_at = now + backoff(delivery.attempts)
        delivery.save()
        logger.warning(
            "Delivery %s attempt %s failed (%s); next at %s",
            delivery.pk,
            delivery.attempts,
            error,
            delivery.next_attempt_at.isoformat(),
        )
        retry_at, delivery_id = delivery.next_attempt_at, delivery.pk
        transaction.on_commit(lambda: _enqueue(delivery_id, retry_at))
        return
    delivery.state = DeliveryState.FAILED
    delivery.save()
    logger.error(
        "Delivery %s given up after %s attempts (%s)",
        delivery.pk,
        delivery.attempts,
        error,
    )
    audit(
        None,
        "delivery.failed",
        pathway=delivery.pathway,
        target=delivery,
        channel=delivery.channel,
        attempts=delivery.attempts,
        error=error,
        risk_alert=delivery.risk_alert_id,
    )
    delivery_failed.send(sender=Delivery, delivery=delivery)


# The sweeper and the people who retry ---------------------------------------------


def retry_due_deliveries(now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """Queue again every pending delivery whose attempt is due and that no
    task seems to hold: due for longer than SWEEP_GRACE when the backend
    defers (its task should have run by now), due at all when it cannot
    (nothing else will try it). Returns how many were queued (at most
    `limit`, most overdue first).

    Harmless if a task does hold it: `attempt` skips a delivery that is sent,
    locked or not due, so a duplicate task does nothing. Each one queued is
    marked due from `now`, so it waits a grace period before being swept
    again."""
    now = now or timezone.now()
    cutoff = now - SWEEP_GRACE if deliver.get_backend().supports_defer else now
    ids = list(
        Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lte=cutoff
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.PENDING).update(
        next_attempt_at=now
    )
    _enqueue_all(ids)
    return len(ids)


def do_retry_delivery(actor: User, delivery: Delivery) -> bool:
    """`actor` tries a failed delivery again, from its first attempt. The
    caller has found it with `permissions.access_failed_delivery` (the
    pathway's service leads, or a site administrator). Locks the row; only a
    failed delivery is retried (returns False otherwise). Audited; queued on
    commit."""
    with transaction.atomic():
        locked = (
            Delivery.objects.select_for_update()
            .filter(pk=delivery.pk, state=DeliveryState.FAILED)
            .first()
        )
        if locked is None:
            return False
        delivery = locked
        delivery.state = DeliveryState.PENDING
        delivery.attempts = 0
        delivery.next_attempt_at = timezone.now()
        delivery.save(update_fields=["state", "attempts", "next_attempt_at"])
        audit(
            actor,
            "delivery.retried",
            pathway=delivery.pathway,
            target=delivery,
            channel=delivery.channel,
        )
        delivery_id = delivery.pk
        transaction.on_commit(lambda: _enqueue(delivery_id), robust=True)
    return True
