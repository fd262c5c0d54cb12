"""The moderation wing's records: moderation cases and reports, decisions and
sanctions, risk alerts with their notes, the labelled examples staff
decisions leave (SafetyLabel), and the duty rota.
Who may see or change these is decided in community/moderation/permissions.py
on the core's access layer; how they change, in this wing's actions (alerts,
rota, cases, labels, submission)."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import Membership, Pathway, User


class CaseState(models.TextChoices):
    OPEN = "open", _("Waiting")
    CLOSED = "closed", _("Decided")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve: show it")
    HIDE = "hide", _("Hide it")
    EDIT_OUT = "edit_out", _("Edit part of it out, then show it")


class ModerationCase(models.Model):
    """One piece of content in its pathway's moderation queue: held, reported,
    or flagged for risk. At most one per content object; reopened when it is
    reported again after a decision."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="moderation_cases"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    held = models.BooleanField(default=False)
    # Whether the case was (re)opened for a held post; a decision clears
    # `held` but never this, so the insights count held posts exactly.
    was_held = models.BooleanField(default=False, db_default=False)
    risk = models.BooleanField(default=False)
    # Only the statistical classifier saw a sign (the review tier): staff
    # should look when they can; no one is paged. Cleared by a label.
    for_review = models.BooleanField(default=False, db_default=False)
    # The language the text was assessed in, for the label staff give it.
    language = models.CharField(max_length=8, default="en", db_default="en")
    report_count = models.PositiveIntegerField(default=0)
    state = models.CharField(
        max_length=8, choices=CaseState.choices, default=CaseState.OPEN
    )
    opened_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="one_case_per_content"
            )
        ]
        indexes = [models.Index(fields=["pathway", "state", "opened_at"])]

    def __str__(self) -> str:
        return f"Case {self.pk} in {self.pathway}"


class ReportReason(models.TextChoices):
    AT_RISK = "at_risk", _("Someone may be at risk")
    UNKIND = "unkind", _("It is unkind or hurtful")
    RULES = "rules", _("It breaks the community's rules")
    SPAM = "spam", _("It is spam or advertising")
    OTHER = "other", _("Something else")


class Report(models.Model):
    """One member's report of one piece of content. Distinct reporters count
    towards hiding it (Pathway.reports_to_hide)."""

    case = models.ForeignKey(
        ModerationCase, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=16, choices=ReportReason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(max_length=16, choices=Decision.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "reporter"], name="one_report_per_reporter"
            )
        ]

    def __str__(self) -> str:
        return f"Report {self.pk}: {self.get_reason_display()}"


class AlertState(models.TextChoices):
    OPEN = "open", _("Waiting for someone to acknowledge")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


# The kinds of imminence (community.safety.imminence.KINDS), for staff.
IMMINENT_KINDS = {
    "plan": _("a plan"),
    "means": _("a means"),
    "time": _("a time"),
    "act": _("something happening now"),
}


class RiskAlert(models.Model):
    """A sign that someone may be at risk, for the pathway's on-duty staff.

    `level` counts escalations: the alert goes to the rota's first on duty, then
    the next, and when the rota is exhausted (or empty) to the service leads
    (`to_leads`). Unacknowledged alerts escalate at `escalate_at`.

    An `urgent` alert (a plan, a means, a time or an act in progress) goes to
    everyone on duty at once, escalates after the pathway's
    `urgent_acknowledge_minutes` along the rota ordered clinicians, leads,
    then peer supporters; with no one on duty it goes to the service leads
    and the pathway's out-of-hours route at once."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="risk_alerts"
    )
    case = models.ForeignKey(
        ModerationCase, on_delete=models.CASCADE, related_name="alerts"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    categories = models.JSONField(default=list)
    reported = models.BooleanField(
        default=False, help_text=_("Raised by a member's report, not detection.")
    )
    for_review = models.BooleanField(
        default=False,
        help_text=_("Only the statistical classifier saw a sign: please review."),
    )
    urgent = models.BooleanField(
        default=False,
        db_default=False,
        help_text=_("A plan, a means, a time or an act in progress."),
    )
    # What made it urgent: "plan", "means", "time", "act" (never the words).
    kinds = models.JSONField(default=list, db_default=[], blank=True)
    state = models.CharField(
        max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    created_at = models.DateTimeField(default=timezone.now)
    level = models.PositiveSmallIntegerField(default=0)
    to_leads = models.BooleanField(default=False)
    notified = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalate_at = models.DateTimeField(null=True, blank=True, db_index=True)
    acknowledged_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["pathway", "state", "created_at"])]

    def __str__(self) -> str:
        return f"Risk alert {self.pk} in {self.pathway}"

    @property
    def kind_labels(self) -> list[str]:
        """What made it urgent, in words for staff."""
        return [str(IMMINENT_KINDS.get(kind, kind)) for kind in self.kinds]


class LabelDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed: a real sign of risk")
    NOT_A_RISK = "not_a_risk", _("Not a risk")


class LabelReason(models.TextChoices):
    EVERYDAY = "everyday", _("An everyday phrase or idiom")
    PAST = "past", _("About the past, not now")
    SOMEONE_ELSE = "someone_else", _("About someone else, a story or the news")
    MISREAD = "misread", _("The words were misread")
    RISK_STATED = "risk_stated", _("They say they are at risk")
    PLAN_OR_ACT = "plan_or_act", _("A plan, a means or an act in progress")
    OTHER = "other", _("Something else")


# Which reasons fit which decision (the form offers these; others are refused).
LABEL_REASONS = {
    LabelDecision.NOT_A_RISK: (
        LabelReason.EVERYDAY,
        LabelReason.PAST,
        LabelReason.SOMEONE_ELSE,
        LabelReason.MISREAD,
        LabelReason.OTHER,
    ),
    LabelDecision.CONFIRMED: (
        LabelReason.RISK_STATED,
        LabelReason.PLAN_OR_ACT,
        LabelReason.OTHER,
    ),
}


class SafetyLabel(models.Model):
    """A staff decision on what risk detection found in one piece of member
    content: confirmed, or not a risk, and why. Kept as a labelled example
    for the trust to retrain the detector on (`manage.py
    export_safety_labels`); it never leaves the database otherwise.

    Retention: a label keeps the text as it was assessed, so it is member
    content and follows it. It belongs to the content's moderation case and
    to its author (both CASCADE): when a member's data is erased (their
    account deleted, taking their content and cases with it) their labels go
    too; no de-identified copy is kept. One label per case: a later decision
    replaces the earlier one."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="safety_labels"
    )
    case = models.OneToOneField(
        ModerationCase, on_delete=models.CASCADE, related_name="label"
    )
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=8, default="en")
    text = models.TextField(help_text=_("The text as it was assessed."))
    tier = models.CharField(max_length=8)
    categories = models.JSONField(default=list, blank=True)
    decision = models.CharField(max_length=16, choices=LabelDecision.choices)
    reason = models.CharField(max_length=16, choices=LabelReason.choices)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["pathway", "decided_at"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({self.pathway_id}, {self.tier})"


class RiskAlertNote(models.Model):
    """A staff note on an alert: what was done, who was called."""

    alert = models.ForeignKey(RiskAlert, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True)
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note on alert {self.alert_id}"


class DutyShift(models.Model):
    """A staff member on the pathway's rota from `starts_at` to `ends_at`.
    Lower `position` is alerted first; the next position is escalated to."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="shifts"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    position = models.PositiveSmallIntegerField(
        default=1, help_text=_("1 is alerted first; 2 next; and so on.")
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "position"]
        indexes = [models.Index(fields=["pathway", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} on duty from {self.starts_at:%Y-%m-%d %H:%M}"


class SanctionKind(models.TextChoices):
    WARN = "warn", _("Warning")
    MUTE = "mute", _("Muted for a while")
    SUSPEND = "suspend", _("Suspended")


class Sanction(models.Model):
    """A strike against a membership: a warning, a mute or a suspension."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=8, choices=SanctionKind.choices)
    until = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        ModerationCase, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for membership {self.membership_id}"
