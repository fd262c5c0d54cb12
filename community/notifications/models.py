"""Notices and what must leave the site. A Notification is one line in a
person's bell. A Delivery is one row per message and channel (a risk-alert
email, a notice's email, a push to one phone), written in the same
transaction as what caused it, so neither commits without the other; the task
queue only carries its id (docs/decisions/0015-durable-deliveries.md). A
PushSubscription is one phone's browser that asked for pushes.
How a delivery is sent, retried and given up is deliveries.py; who may see
the ones that failed, permissions.py. Every subject, body and payload is
Harbour's own words, never a member's text; `last_error` is an exception's
class or a status code, never an address or a server's answer."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Pathway, User
from community.moderation.models import RiskAlert


class Notification(models.Model):
    """Something a member should know about: a moderation outcome, a warning, a
    risk alert for staff. `message` is written by Harbour, never copied from a
    member's text."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32)
    message = models.CharField(max_length=300)
    url = models.CharField(max_length=300, blank=True)
    # Who caused it (a replier, a sender), so blocks and mutes can hold it back.
    actor = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Set once the notice went out by email (at once or in the daily digest).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message


class PushSubscription(models.Model):
    """A browser's web-push endpoint for one member (opt-in)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(max_length=800, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Push endpoint of {self.user}"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("email")
    PUSH = "push", _("phone notification")


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    # Given up after the last attempt: shown to the pathway's leads and the
    # site administrators, who may try it again.
    FAILED = "failed", _("Could not be delivered")
    # The push service says the phone is gone, or the phone is no longer the
    # recipient's: nothing to send to.
    GONE = "gone", _("Phone no longer subscribed")
    # May no longer leave the site: the recipient blocked or muted whoever
    # caused the notice, left the pathway, turned the channel off or was
    # deactivated since it was queued.
    CANCELLED = "cancelled", _("No longer wanted")


# States in which a delivery reached nobody and never will by itself.
UNDELIVERED_STATES = (
    DeliveryState.FAILED,
    DeliveryState.GONE,
    DeliveryState.CANCELLED,
)


class Delivery(models.Model):
    """One message to one person by one channel, and how sending it went."""

    channel = models.CharField(max_length=8, choices=DeliveryChannel.choices)
    # Empty only for the pathway's out-of-hours route (`out_of_hours`).
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    # An urgent alert's email to the pathway's out-of-hours crisis team: the
    # address is the pathway's `out_of_hours_email`, read when it is sent (so
    # the row never holds it).
    out_of_hours = models.BooleanField(default=False, db_default=False)
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A risk alert's own email and the pushes of its notice; `alert_level` is
    # the alert's level when queued, so a level whose every delivery failed
    # can escalate at once.
    risk_alert = models.ForeignKey(
        RiskAlert,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    alert_level = models.PositiveSmallIntegerField(null=True, blank=True)
    # The notice this delivers, checked again when it leaves the site (blocks,
    # mutes, membership); a deleted notice takes its deliveries with it.
    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    push_subscription = models.ForeignKey(
        PushSubscription,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deliveries",
    )
    payload = models.TextField(blank=True)
    state = models.CharField(
        max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            # The sweeper: pending deliveries whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state="pending"),
                name="delivery_pending_due_idx",
            ),
            # The leads' and admins' lists of what could not be delivered.
            models.Index(
                fields=["pathway", "-created_at"],
                condition=Q(state="failed"),
                name="delivery_failed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} delivery {self.pk} ({self.state})"

    @property
    def recipient_name(self) -> str:
        """Who it is for, as staff may see it: a display name, never an
        address."""
        if self.recipient_id is None:
            return str(_("the out-of-hours crisis team"))
        assert self.recipient is not None  # noqa: S101 - recipient_id is set
        return self.recipient.display_name


class FanOutState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    # The content was no longer published when the job ran (held, hidden or
    # removed since): nobody was told. Publishing it again queues it again.
    WITHHELD = "withheld", _("Not published when its turn came")


class NoticeFanOut(models.Model):
    """The notices one published piece of member content sends to many people
    (a forum reply to its topic's followers and the people it mentions),
    stored in the transaction that published it and sent by the `fan_out`
    task, off the request path: community/notifications/fanout.py. One row
    per piece of content ever, and its notices commit with `state = sent`, so
    a job run twice tells nobody twice. Why:
    docs/decisions/0021-notice-fan-out.md."""

    # The content kind's registered name (community.safety.registry) and id.
    content_kind = models.CharField(max_length=32)
    object_id = models.PositiveBigIntegerField()
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    # Who caused the notices (the content's author): blocks and mutes hold
    # them back.
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    # The language the request was in: the notices' words are Harbour's, in
    # the language they would have had when written in the request.
    language = models.CharField(max_length=16, blank=True)
    state = models.CharField(
        max_length=16, choices=FanOutState.choices, default=FanOutState.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When its task was last queued (the sweeper's clock).
    queued_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # How many notices the job stored (none when withheld).
    notices = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_kind", "object_id"], name="fan_out_once_per_content"
            )
        ]
        indexes = [
            # The sweeper: fan-outs still waiting.
            models.Index(
                fields=["queued_at"],
                condition=Q(state="pending"),
                name="fan_out_pending_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"notices of {self.content_kind} {self.object_id} ({self.state})"
