"""Business rules of the safety mechanism, for every kind of member content.

Submitting text (`check_texts`, `store_content`), the duty rota, risk alerts
(urgent ones to everyone on duty, then the out-of-hours route) and their
escalation, reports, moderators' decisions and sanctions, the labels staff
give what risk detection found, blocks and mutes, and the risk phrases leads
add. `check_*` validates; `do_*` writes in
one transaction, writes an audit row for every staff action (never copying
member text) and sends its events on commit.
"""

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from community.audit import audit
from community.inputs import with_id
from community.models import (
    LABEL_REASONS,
    STAFF_ROLES,
    UNDELIVERED_STATES,
    URGENT_ROLE_ORDER,
    AlertState,
    Block,
    CaseState,
    ContentStatus,
    Decision,
    Delivery,
    DutyShift,
    LabelDecision,
    MemberContent,
    Membership,
    MembershipStatus,
    ModerationCase,
    Mute,
    MuteWord,
    Notification,
    Pathway,
    Report,
    ReportReason,
    RiskAlert,
    RiskAlertNote,
    RiskCategory,
    RiskPhrase,
    Role,
    SafetyLabel,
    Sanction,
    SanctionKind,
    User,
)
from community.notifications.actions import notify
from community.notifications.deliveries import queue_email, queue_out_of_hours_email
from community.permissions import moderated_memberships
from community.queries import landing_url
from community.safety.lexicon_store import phrases_changed
from community.safety.pipeline import Action, Verdict, overall, run_pipeline_on_fields
from community.safety.registry import kind_of
from community.safety.risk import Tier, detect_risk
from community.safety.sanitise import sanitise

from .errors import InvalidInput, Refused

logger = logging.getLogger(__name__)

MAX_REPORT_DETAIL = 1000
DEFAULT_MUTE_HOURS = 24


# Submitting member text ---------------------------------------------------------


@dataclass
class Submission:
    """The pipeline's answer for one submission, and what was stored."""

    verdicts: dict[str, Verdict]
    verdict: Verdict
    obj: MemberContent | None = None
    clean: dict[str, str] = field(default_factory=dict)
    language: str = "en"
    membership: Membership | None = None

    @property
    def needs_rewrite(self) -> bool:
        return self.verdict.action == Action.REWRITE

    def errors(self) -> dict[str, list[str]]:
        """Field -> what to change, for showing the form again."""
        return {
            name: verdict.messages
            for name, verdict in self.verdicts.items()
            if verdict.action == Action.REWRITE
        }


def check_can_post(
    user: User, pathway: Pathway, now: datetime | None = None
) -> Membership:
    """The author's active membership of `pathway`; Refused while muted.
    (The caller has already asked the access layer.)"""
    membership = Membership.objects.select_related("pathway").get(
        user=user, pathway=pathway, status=MembershipStatus.ACTIVE
    )
    return check_not_muted(membership, now)


def check_not_muted(membership: Membership, now: datetime | None = None) -> Membership:
    """`membership` (active, found by the access layer) if its member may
    post now; Refused while a moderator has paused their posting."""
    if membership.is_muted(now):
        until = timezone.localtime(membership.muted_until)
        raise Refused(
            _(
                "A moderator has paused your posting in this community until "
                "%(time)s. You can still read, and the contacts under "
                "\u201cGet help now\u201d are always there."
            )
            % {"time": until.strftime("%d %B at %H:%M")}
        )
    return membership


def check_texts(
    membership: Membership,
    fields: dict[str, str],
    language: str = "en",
    optional: frozenset[str] = frozenset(),
) -> Submission:
    """Run the safety pipeline on each field of a submission by `membership`'s
    member, with the pathway's rules, the author's trust and the rota now.
    Fields named in `optional` may be left blank: a blank one is stored empty
    and not checked; with nothing left to check, the verdict is to publish."""
    pathway = membership.pathway
    blank = {
        name: ""
        for name, text in fields.items()
        if name in optional and not (text or "").strip()
    }
    fields = {name: text for name, text in fields.items() if name not in blank}
    if not fields:
        return Submission(
            verdicts={},
            verdict=Verdict(text="", action=Action.PUBLISH),
            clean=blank,
            language=language,
            membership=membership,
        )
    verdicts = run_pipeline_on_fields(
        fields,
        pathway=pathway,
        language=language,
        trusted=membership.is_trusted,
        moderator_on_duty=functools.cache(lambda: anyone_on_duty(pathway)),
        hold_when_unstaffed=pathway.hold_all_when_unstaffed,
    )
    return Submission(
        verdicts=verdicts,
        verdict=overall(verdicts),
        clean={**blank, **{name: verdict.text for name, verdict in verdicts.items()}},
        language=language,
        membership=membership,
    )


def store_content(
    obj: MemberContent, submission: Submission, *, announce: bool = True
) -> MemberContent:
    """Save `obj` (its text fields already set from `submission.clean`) as the
    verdict says: published or held. Held content, and content with any sign
    of risk, opens a moderation case. By tier (`risk.Tier`): a review marks
    the case "please review" and pages no one (no alert, email, push or
    escalation); an alert raises a risk alert to the on-duty staff; an urgent
    one raises an urgent alert (everyone on duty at once; see `_route`).
    Published content runs its kind's `published` hook (the notices it sends)
    unless `announce` is False (an edit). Runs inside the caller's
    transaction."""
    verdict = submission.verdict
    if verdict.action == Action.REWRITE:
        raise ValueError("nothing is stored when the author is asked to rewrite")
    obj.status = (
        ContentStatus.HELD if verdict.action == Action.HOLD else ContentStatus.PUBLISHED
    )
    risk = verdict.risk
    tier = verdict.tier
    obj.risk_categories = risk.categories + risk.review
    obj.save()
    if obj.status == ContentStatus.HELD or tier != Tier.NONE:
        case = _open_case(obj, held=obj.status == ContentStatus.HELD)
        case.language = submission.language
        if tier == Tier.REVIEW:
            case.for_review = True
        elif tier != Tier.NONE:
            case.risk = True
        case.save(update_fields=["language", "for_review", "risk"])
        if tier in (Tier.ALERT, Tier.URGENT):
            do_raise_alert(
                case,
                risk.categories,
                urgent=tier == Tier.URGENT,
                kinds=sorted({match.kind for match in risk.imminent}),
            )
    kind = kind_of(obj)
    if announce and obj.is_published and kind.published:
        kind.published(obj)
    submission.obj = obj
    return obj


def _open_case(obj: MemberContent, *, held: bool = False) -> ModerationCase:
    """The (locked) moderation case of `obj`, created or reopened."""
    content_type = ContentType.objects.get_for_model(obj)
    case, created = ModerationCase.objects.select_for_update().get_or_create(
        content_type=content_type,
        object_id=obj.pk,
        defaults={"pathway": obj.pathway, "author": obj.author, "held": held},
    )
    if not created and case.state == CaseState.CLOSED:
        case.state = CaseState.OPEN
        case.opened_at = timezone.now()
        case.decision = ""
        case.held = held
        case.save()
    return case


# The duty rota and risk alerts -----------------------------------------------------


def _shifts_now(pathway: Pathway, now: datetime | None) -> QuerySet[DutyShift]:
    """Shifts of `pathway` covering `now` held by its active staff."""
    now = now or timezone.now()
    return DutyShift.objects.filter(
        pathway=pathway, starts_at__lte=now, ends_at__gt=now
    ).filter(
        user__memberships__pathway=pathway,
        user__memberships__status=MembershipStatus.ACTIVE,
        user__memberships__role__in=STAFF_ROLES,
    )


def on_duty_shifts(pathway: Pathway, now: datetime | None = None) -> list[DutyShift]:
    """Shifts covering `now`, first to be alerted first, one per person, each
    with its holder's `role` in the pathway."""
    role = Membership.objects.filter(user=OuterRef("user"), pathway=pathway).values(
        "role"
    )[:1]
    shifts = (
        _shifts_now(pathway, now)
        .select_related("user")
        .annotate(role=Subquery(role))
        .order_by("position", "starts_at", "pk")
    )
    seen: set[int] = set()
    result: list[DutyShift] = []
    for shift in shifts:
        if shift.user_id not in seen:
            seen.add(shift.user_id)
            result.append(shift)
    return result


def urgent_order(shifts: list[DutyShift]) -> list[DutyShift]:
    """`shifts` (from `on_duty_shifts`) in the order an urgent alert walks
    them: clinicians, then leads, then peer supporters, each by rota
    position."""

    def rank(shift: DutyShift) -> int:
        role = getattr(shift, "role", None)
        return (
            URGENT_ROLE_ORDER.index(role)
            if role in URGENT_ROLE_ORDER
            else len(URGENT_ROLE_ORDER)
        )

    return sorted(shifts, key=rank)  # stable: rota order within a role


def anyone_on_duty(pathway: Pathway, now: datetime | None = None) -> bool:
    """Whether anyone is on `pathway`'s rota now (`on_duty_shifts` is who)."""
    return _shifts_now(pathway, now).exists()


def service_leads(pathway: Pathway) -> list[User]:
    return list(
        User.objects.filter(
            memberships__pathway=pathway,
            memberships__role=Role.LEAD,
            memberships__status=MembershipStatus.ACTIVE,
        )
    )


def do_raise_alert(
    case: ModerationCase,
    categories: list[str],
    *,
    reported: bool = False,
    for_review: bool = False,
    urgent: bool = False,
    kinds: list[str] | None = None,
    now: datetime | None = None,
) -> RiskAlert:
    """Raise a risk alert on `case` and send it to the first on duty, or to the
    service leads when no one is; an `urgent` one (a plan, a means, a time or
    an act in progress: `kinds`) to everyone on duty at once (see `_route`).
    Notifies by page event and notification on commit; its email and pushes
    are deliveries stored with the alert (they commit together) and sent by
    the task queue, retried until they go."""
    now = now or timezone.now()
    alert = RiskAlert.objects.create(
        pathway=case.pathway,
        case=case,
        author=case.author,
        categories=categories,
        reported=reported,
        for_review=for_review,
        urgent=urgent,
        kinds=list(kinds or []),
        created_at=now,
    )
    audit(
        None,
        "alert.raised",
        pathway=case.pathway,
        target=alert,
        level=0,
        urgent=urgent,
    )
    _route(alert, on_duty_shifts(case.pathway, now), now)
    return alert


def _route(alert: RiskAlert, shifts: list[DutyShift], now: datetime) -> None:
    """Send `alert` to the person at its level on the rota, skipping whoever
    had it before; past the end of the rota, to the service leads. Each gets
    a notice (and its pushes) and an email, queued as deliveries of the alert
    at its level, in the caller's transaction.

    An urgent alert walks the rota clinicians first, then leads, then peer
    supporters (`urgent_order`), escalates after the pathway's
    `urgent_acknowledge_minutes`, and at its first level goes to everyone on
    duty at once (the first in that order holds it). When it reaches the
    service leads (no one on duty, or no one on duty acknowledged) it is also
    emailed to the pathway's out-of-hours crisis team, if it has one. Its
    notices and emails say it is urgent; none carries what the member
    wrote."""
    previous = alert.notified_id
    pathway = alert.pathway
    if alert.urgent:
        shifts = urgent_order(shifts)
        minutes = pathway.urgent_acknowledge_minutes
    else:
        minutes = pathway.alert_acknowledge_minutes
    candidates = [s.user for s in shifts[alert.level :] if s.user_id != previous]
    out_of_hours = False
    if candidates:
        everyone = alert.urgent and alert.level == 0
        recipients = [s.user for s in shifts] if everyone else [candidates[0]]
        alert.notified = candidates[0]
        alert.escalate_at = now + timedelta(minutes=minutes)
    else:
        recipients = service_leads(pathway)
        alert.to_leads = True
        alert.notified = recipients[0] if recipients else None
        alert.escalate_at = None  # the last step: leads keep it until acknowledged
        out_of_hours = alert.urgent
    alert.save()
    url = alert_url(alert)
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    words = {"pathway": pathway.name, "minutes": minutes, "url": link}
    if alert.urgent:
        notice = (
            _(
                "URGENT risk alert in %(pathway)s: someone may be in danger now. "
                "Please look at once."
            )
            % words
        )
        subject = _("URGENT Harbour risk alert: %(pathway)s") % words
        body = (
            _(
                "URGENT: someone in %(pathway)s may be in danger now (a plan, a "
                "means or an act in progress). Please open the alert and "
                "acknowledge it within %(minutes)s minutes:\n\n%(url)s\n\n"
                "(For privacy this email does not include what they wrote.)"
            )
            % words
        )
    else:
        notice = (
            _("Risk alert in %(pathway)s: someone may need help now. Please look.")
            % words
        )
        subject = _("Harbour risk alert: %(pathway)s") % words
        body = (
            _(
                "Someone in %(pathway)s may be at risk. Please open the alert and "
                "acknowledge it within %(minutes)s minutes:\n\n%(url)s\n\n"
                "(For privacy this email does not include what they wrote.)"
            )
            % words
        )
    for user in recipients:
        notify(user, pathway, "risk_alert", notice, url, risk_alert=alert)
        if user.email:
            queue_email(user, subject, body, pathway=pathway, risk_alert=alert)
    if out_of_hours and pathway.out_of_hours_email:
        queue_out_of_hours_email(
            pathway,
            subject,
            _(
                "URGENT: someone in the %(pathway)s community on Harbour may be in "
                "danger now (a plan, a means or an act in progress), and no one on "
                "the care team's rota has taken it. Please follow your "
                "out-of-hours procedure; the service leads have been told too.\n\n"
                "Alert reference: %(ref)s\nFor staff of the community: %(url)s\n\n"
                "(For privacy this email does not include what they wrote or who "
                "they are.)"
            )
            % {**words, "ref": alert.pk},
            risk_alert=alert,
        )
        audit(None, "alert.out_of_hours", pathway=pathway, target=alert)


def alert_url(alert: RiskAlert) -> str:
    from django.urls import reverse

    return reverse(
        "community:alert", kwargs={"slug": alert.pathway.slug, "pk": alert.pk}
    )


def do_escalate_overdue_alerts(now: datetime | None = None) -> int:
    """Escalate every open alert past its `escalate_at` to the next on the
    rota, then the service leads. Called by the background worker; safe to run
    in several processes at once (rows are locked, locked ones skipped).
    Returns how many alerts escalated."""
    now = now or timezone.now()
    escalated = 0
    with transaction.atomic():
        overdue = (
            RiskAlert.objects.select_for_update(skip_locked=True)
            .filter(state=AlertState.OPEN, escalate_at__lte=now)
            .select_related("pathway")
        )
        for alert in overdue:
            _escalate(alert, now)
            escalated += 1
    return escalated


def _escalate(alert: RiskAlert, now: datetime, **why: Any) -> None:
    """Move the (locked) alert one step along the rota, and audit it."""
    alert.level += 1
    _route(alert, on_duty_shifts(alert.pathway, now), now)
    audit(
        None,
        "alert.escalated",
        pathway=alert.pathway,
        target=alert,
        level=alert.level,
        to_leads=alert.to_leads,
        **why,
    )


def do_escalate_alert_now(
    alert: RiskAlert, now: datetime | None = None, **why: Any
) -> bool:
    """Escalate `alert` at once, without waiting for its `escalate_at`: to the
    next on the rota, then the service leads. Locks the alert row (waiting
    for it), so it never escalates twice for one reason; an alert no longer
    open, or already with the leads (the last step), stays as it is (returns
    False). `why` goes into the audit row."""
    now = now or timezone.now()
    with transaction.atomic():
        alert = (
            RiskAlert.objects.select_for_update(of=("self",))
            .select_related("pathway")
            .get(pk=alert.pk)
        )
        if alert.state != AlertState.OPEN or alert.to_leads:
            return False
        _escalate(alert, now, **why)
    return True


def do_escalate_undelivered_alert(delivery: Delivery) -> bool:
    """When a delivery of a risk alert is given up (deliveries.delivery_failed,
    inside that transaction): if the alert is still open at the delivery's
    level and none of that level's deliveries reached anyone or still may
    (every one failed, gone or cancelled), escalate it at once. The alert row
    is locked before the deliveries are counted, so two deliveries given up
    together in two workers escalate it once, not never. Returns whether it
    escalated."""
    if delivery.risk_alert_id is None:
        return False
    with transaction.atomic():
        alert = (
            RiskAlert.objects.select_for_update(of=("self",))
            .select_related("pathway")
            .get(pk=delivery.risk_alert_id)
        )
        if alert.state != AlertState.OPEN or alert.level != delivery.alert_level:
            return False
        reached_or_trying = (
            Delivery.objects.filter(risk_alert=alert, alert_level=alert.level)
            .exclude(state__in=UNDELIVERED_STATES)
            .exists()
        )
        if reached_or_trying:
            return False
        return do_escalate_alert_now(alert, because="undelivered")


def do_acknowledge_alert(actor: User, alert: RiskAlert) -> None:
    """`actor` (a moderator of the alert's pathway) takes the alert: it stops
    escalating. Audited."""
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if alert.state != AlertState.OPEN:
            return
        alert.state = AlertState.ACKNOWLEDGED
        alert.acknowledged_by = actor
        alert.acknowledged_at = timezone.now()
        alert.escalate_at = None
        alert.save()
        audit(actor, "alert.acknowledged", pathway=alert.pathway, target=alert)


def do_add_alert_note(actor: User, alert: RiskAlert, text: str) -> RiskAlertNote:
    """A staff note on the alert (kept on the alert, not in the audit log)."""
    clean = sanitise(text, max_length=4000).strip()
    if not clean:
        raise InvalidInput(_("Please write the note first."))
    with transaction.atomic():
        note = RiskAlertNote.objects.create(alert=alert, author=actor, text=clean)
        audit(actor, "alert.noted", pathway=alert.pathway, target=alert)
    return note


def do_resolve_alert(actor: User, alert: RiskAlert, note: str = "") -> None:
    """Close the alert (acknowledging it if nobody had). Audited."""
    with transaction.atomic():
        alert = RiskAlert.objects.select_for_update().get(pk=alert.pk)
        if note.strip():
            do_add_alert_note(actor, alert, note)
        now = timezone.now()
        if alert.acknowledged_at is None:
            alert.acknowledged_by, alert.acknowledged_at = actor, now
        alert.state = AlertState.RESOLVED
        alert.resolved_by, alert.resolved_at = actor, now
        alert.escalate_at = None
        alert.save()
        audit(actor, "alert.resolved", pathway=alert.pathway, target=alert)


def open_alerts_for(user: User) -> list[RiskAlert]:
    """The risk alerts not yet resolved in every pathway `user` moderates
    (the access layer's `moderated_memberships`; no other pathway's), urgent
    first, then oldest first: what a staff member's home page leads with."""
    pathways = moderated_memberships(user).values("pathway")
    return list(
        RiskAlert.objects.filter(pathway__in=pathways)
        .exclude(state=AlertState.RESOLVED)
        .select_related("pathway", "author")
        .order_by("-urgent", "created_at", "pk")
    )


# Labels: staff decisions that teach risk detection --------------------------------


def _tier_given(case: ModerationCase) -> str:
    """The strongest tier risk detection gave the case's content."""
    alerts = list(case.alerts.filter(reported=False))
    if any(alert.urgent for alert in alerts):
        return Tier.URGENT
    if any(not alert.for_review for alert in alerts):
        return Tier.ALERT
    if case.for_review or alerts:
        return Tier.REVIEW
    return Tier.NONE


def check_label(decision: str, reason: str) -> None:
    """InvalidInput unless `reason` is one that fits `decision`."""
    if decision not in LabelDecision.values:
        raise InvalidInput(_("Please choose whether it is a risk."))
    if reason not in LABEL_REASONS[LabelDecision(decision)]:
        raise InvalidInput(_("Please choose a reason from the list."))


def do_label_case(
    moderator: Membership, case: ModerationCase, decision: str, reason: str
) -> SafetyLabel:
    """A moderator of the case's pathway (found by `access_case`) says what
    risk detection found in its content is a real sign (`confirmed`) or
    `not_a_risk`, with a reason (`check_label`; InvalidInput otherwise). The
    decision is kept as the case's one `SafetyLabel` (the text as assessed,
    its tier and categories), replacing an earlier one; it is never sent
    anywhere.

    Not a risk clears the "please review" mark; a case that nothing else
    keeps open (not held, not reported, no alert unresolved) then closes as
    approved, and no one is told (the member saw nothing different).
    Confirmed marks the case a risk and leaves it open for the usual
    decision. Locks the case; audited without the text."""
    check_label(decision, reason)
    actor, now = moderator.user, timezone.now()
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().get(pk=case.pk)
        content = case.content
        if content is None:
            raise Refused(_("This post is no longer there."))
        categories = list(content.risk_categories) or sorted(
            {c for a in case.alerts.all() for c in a.categories}
        )
        label, _created = SafetyLabel.objects.update_or_create(
            case=case,
            defaults={
                "pathway": case.pathway,
                "author": case.author,
                "language": case.language,
                "text": kind_of(content).text(content),
                "tier": _tier_given(case),
                "categories": categories,
                "decision": decision,
                "reason": reason,
                "decided_by": actor,
                "decided_at": now,
            },
        )
        case.for_review = False
        if decision == LabelDecision.CONFIRMED:
            case.risk = True
        elif (
            case.state == CaseState.OPEN
            and not case.held
            and not case.reports.filter(outcome="").exists()
            and not case.alerts.exclude(state=AlertState.RESOLVED).exists()
        ):
            case.state, case.decision = CaseState.CLOSED, Decision.APPROVE
            case.decided_by, case.decided_at = actor, now
        case.save()
        audit(
            actor,
            "case.labelled",
            pathway=case.pathway,
            target=case,
            decision=decision,
            label_reason=reason,
        )
    return label


def do_label_alert(
    moderator: Membership, alert: RiskAlert, decision: str, reason: str
) -> SafetyLabel:
    """`do_label_case` for the alert's case, from the alert page (the alert
    found by `access_alert`). Not a risk resolves the alert; confirmed
    acknowledges it if no one had."""
    check_label(decision, reason)
    with transaction.atomic():
        # The alert first, so a case left with nothing open can close.
        if decision == LabelDecision.NOT_A_RISK:
            do_resolve_alert(moderator.user, alert)
        else:
            do_acknowledge_alert(moderator.user, alert)
        return do_label_case(moderator, alert.case, decision, reason)


def check_shift(
    membership: Membership, user_id: int, starts_at: datetime, ends_at: datetime
) -> User:
    """The staff member to put on the lead's pathway rota; InvalidInput if not
    staff there or the times are the wrong way round."""
    staff: User | None = (
        User.objects.staff_of(membership.pathway).filter(pk=user_id).first()
    )
    if staff is None:
        raise InvalidInput(
            _("Choose a peer supporter, clinician or lead of this community.")
        )
    if ends_at <= starts_at:
        raise InvalidInput(_("The shift must end after it starts."))
    return staff


def do_add_shift(
    membership: Membership,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    position: int = 1,
) -> DutyShift:
    """Put `user` on the rota (the caller is a lead; see check_shift)."""
    with transaction.atomic():
        shift = DutyShift.objects.create(
            pathway=membership.pathway,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            position=position,
            created_by=membership.user,
        )
        audit(membership.user, "rota.added", pathway=membership.pathway, target=shift)
    return shift


def do_remove_shift(membership: Membership, shift: DutyShift) -> None:
    """A lead takes `shift` off the pathway's rota. The caller holds
    `membership` from access_pathway_capability(EDIT_SETTINGS) and `shift`
    from access_shift. Audited, then deleted, in one transaction, without a
    lock; nobody is notified."""
    with transaction.atomic():
        audit(membership.user, "rota.removed", pathway=membership.pathway, target=shift)
        shift.delete()


# Reports --------------------------------------------------------------------------


def do_report(
    reporter: User, obj: MemberContent, reason: str, detail: str = ""
) -> Report:
    """`reporter` (who can see `obj`, per the access layer) reports it. Each
    person counts once; at the pathway's threshold of distinct reporters the
    content hides until a moderator decides. "Someone may be at risk", or a
    sign of risk in the detail, raises a risk alert."""
    if reason not in ReportReason.values:
        raise InvalidInput(_("Please choose a reason."))
    detail = sanitise(detail, max_length=100_000)[:MAX_REPORT_DETAIL]
    risk = detect_risk(detail) if detail else None
    with transaction.atomic():
        case = _open_case(obj)
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    case=case, reporter=reporter, reason=reason, detail=detail
                )
        except IntegrityError:
            raise Refused(
                _(
                    "You have already reported this. Thank you: a moderator will "
                    "look at it."
                )
            ) from None
        case.report_count = case.reports.count()
        # Lock the content row only (a library manager may join other tables).
        type(obj)._default_manager.filter(pk=obj.pk).select_related(
            None
        ).select_for_update(of=("self",)).first()
        obj.refresh_from_db(fields=["status"])
        if (
            case.report_count >= obj.pathway.reports_to_hide
            and obj.status == ContentStatus.PUBLISHED
        ):
            obj.status = ContentStatus.HIDDEN_BY_REPORTS
            obj.save(update_fields=["status"])
            changed = kind_of(obj).changed
            if changed:
                changed(obj)
        at_risk = reason == ReportReason.AT_RISK or (risk and risk.is_risk)
        if at_risk:
            case.risk = True
        case.save()
        if at_risk and not case.alerts.exclude(state=AlertState.RESOLVED).exists():
            categories = risk.categories if risk and risk.is_risk else []
            do_raise_alert(case, categories or list(obj.risk_categories), reported=True)
    return report


# Decisions -------------------------------------------------------------------------

OUTCOME_MESSAGES: dict[str, str] = {
    Decision.APPROVE: _(
        "Thank you for your report in %(pathway)s. A moderator looked at it and "
        "decided it can stay."
    ),
    Decision.HIDE: _(
        "Thank you for your report in %(pathway)s. A moderator looked at it and "
        "removed it."
    ),
    Decision.EDIT_OUT: _(
        "Thank you for your report in %(pathway)s. A moderator looked at it and "
        "edited part of it out."
    ),
}
AUTHOR_MESSAGES: dict[str, str] = {
    Decision.APPROVE: _("Your post in %(pathway)s has been approved and is now shown."),
    Decision.HIDE: _(
        "A moderator has not shown your post in %(pathway)s. If you're not sure "
        "why, the community guidelines explain what can be posted."
    ),
    Decision.EDIT_OUT: _(
        "A moderator edited part of your post in %(pathway)s so it fits the "
        "community guidelines."
    ),
}
SANCTION_MESSAGES: dict[str, str] = {
    SanctionKind.WARN: _(
        "A moderator in %(pathway)s has sent you a warning about a post. Please "
        "read the community guidelines."
    ),
    SanctionKind.MUTE: _(
        "A moderator in %(pathway)s has paused your posting for a while. You can "
        "still read."
    ),
    SanctionKind.SUSPEND: _(
        "Your membership of %(pathway)s has been suspended by a moderator. Your "
        "care team can tell you more."
    ),
}


def do_decide_case(
    moderator: Membership,
    case: ModerationCase,
    decision: str,
    *,
    note: str = "",
    edited_text: str = "",
    sanction: str = "",
    mute_hours: int = DEFAULT_MUTE_HOURS,
) -> None:
    """A moderator's decision on a case of their pathway: approve, hide or edit
    out, with an optional sanction on the author (warning, mute, suspension)
    and a note. Closes the case, tells the reporters the outcome and the author
    what happened, and writes one audit row per action."""
    if decision not in Decision.values:
        raise InvalidInput(_("Please choose what to do with the post."))
    if sanction and sanction not in SanctionKind.values:
        raise InvalidInput(_("Please choose a valid action for the author."))
    if decision == Decision.EDIT_OUT:
        edited_text = sanitise(edited_text, max_length=100_000)
        if not edited_text:
            raise InvalidInput(_("Please give the edited text, or choose hide."))
    actor, pathway = moderator.user, moderator.pathway
    now = timezone.now()
    with transaction.atomic():
        case = ModerationCase.objects.select_for_update().get(pk=case.pk)
        obj = case.content
        assert obj is not None  # noqa: S101 - a case's content is kept
        was_held = obj.status == ContentStatus.HELD
        if decision == Decision.EDIT_OUT:
            if not obj.original_body:
                obj.original_body = obj.body
            obj.body = edited_text
            obj.edited_by_moderator = True
        obj.status = (
            ContentStatus.HIDDEN
            if decision == Decision.HIDE
            else ContentStatus.PUBLISHED
        )
        obj.save()
        if case.held and decision != Decision.HIDE:
            Membership.objects.filter(user=case.author, pathway=pathway).update(
                approved_posts=F("approved_posts") + 1
            )
        kind = kind_of(obj)
        if was_held and obj.is_published and kind.published:
            kind.published(obj)
        elif kind.changed:
            kind.changed(obj)
        notify_author = case.held or decision != Decision.APPROVE
        case.state, case.decision = CaseState.CLOSED, decision
        case.decided_by, case.decided_at = actor, now
        case.held = False
        case.save()
        audit(
            actor,
            "case.decided",
            pathway=pathway,
            target=case,
            reason=note,
            decision=decision,
            kind=kind_of(obj).name,
        )
        kind_url = kind_of(obj).url(obj)
        for report in case.reports.filter(outcome=""):
            report.outcome = decision
            report.save(update_fields=["outcome"])
            notify(
                report.reporter,
                pathway,
                "report_outcome",
                OUTCOME_MESSAGES[decision] % {"pathway": pathway.name},
                kind_url,
            )
        if notify_author:
            notify(
                case.author,
                pathway,
                "moderation",
                AUTHOR_MESSAGES[decision] % {"pathway": pathway.name},
                kind_url,
            )
        if sanction:
            _sanction(moderator, case.author, sanction, note, mute_hours, now, case)


def do_sanction_member(
    moderator: Membership,
    member: User,
    kind: str,
    *,
    note: str = "",
    mute_hours: int = DEFAULT_MUTE_HOURS,
) -> Sanction:
    """A moderator warns, mutes or suspends a member of their pathway
    straight away (from the chat, say), not through a case. The pathway's
    staff cannot be sanctioned this way. Audited; the member is told."""
    if kind not in SanctionKind.values:
        raise InvalidInput(_("Please choose a valid action for the author."))
    target = Membership.objects.filter(
        user=member, pathway=moderator.pathway, status=MembershipStatus.ACTIVE
    ).first()
    if target is None:
        raise Refused(_("They are not a member of this community just now."))
    if target.role in STAFF_ROLES:
        raise Refused(
            _("Members of the care team can't be paused here; talk to your lead.")
        )
    with transaction.atomic():
        return _sanction(moderator, member, kind, note, mute_hours, timezone.now())


def _sanction(
    moderator: Membership,
    author: User,
    kind: str,
    note: str,
    mute_hours: int,
    now: datetime,
    case: ModerationCase | None = None,
) -> Sanction:
    pathway = moderator.pathway
    membership = Membership.objects.select_for_update().get(
        user=author, pathway=pathway
    )
    until = None
    if kind == SanctionKind.MUTE:
        until = now + timedelta(hours=max(1, min(int(mute_hours), 24 * 30)))
        membership.muted_until = until
        membership.save(update_fields=["muted_until"])
    elif kind == SanctionKind.SUSPEND:
        membership.status = MembershipStatus.SUSPENDED
        membership.save(update_fields=["status"])
    sanction = Sanction.objects.create(
        membership=membership,
        kind=kind,
        until=until,
        case=case,
        created_by=moderator.user,
    )
    audit(
        moderator.user,
        f"member.{kind}",
        pathway=pathway,
        target=membership,
        reason=note,
        strikes=membership.sanctions.count(),
    )
    message = SANCTION_MESSAGES[kind] % {"pathway": pathway.name}
    notify(author, pathway, "sanction", message, landing_url(pathway))
    return sanction


# Notifications --------------------------------------------------------------------


def do_mark_notifications_read(user: User) -> None:
    """Mark all of `user`'s own unread notifications read now (their
    notifications page was opened). Only for the signed-in user themselves;
    one UPDATE, no lock, no audit, no event."""
    Notification.objects.filter(user=user, read_at=None).update(read_at=timezone.now())


# Blocks, mutes and mute words -------------------------------------------------------


def do_block(user: User, other: User) -> None:
    """`user` blocks `other` (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't block yourself."))
    Block.objects.get_or_create(blocker=user, blocked=other)


def do_unblock(user: User, other: User) -> None:
    """`user` lifts their block of `other` (nothing when there was none).
    Only for `user`'s own blocks; `other` is not told, nothing is audited."""
    Block.objects.filter(blocker=user, blocked=other).delete()


def do_mute(user: User, other: User) -> None:
    """`user` stops seeing what `other` writes (who is not told)."""
    if user == other:
        raise InvalidInput(_("You can't mute yourself."))
    Mute.objects.get_or_create(muter=user, muted=other)


def do_unmute(user: User, other: User) -> None:
    """`user` sees what `other` writes again (nothing when not muted). Only
    for `user`'s own mutes; `other` is not told, nothing is audited."""
    Mute.objects.filter(muter=user, muted=other).delete()


MAX_MUTE_WORDS = 100


def do_add_mute_word(user: User, word: str) -> MuteWord:
    """Add a word or phrase the member would rather not see."""
    word = sanitise(word, max_length=1000).strip().lower()
    if not word:
        raise InvalidInput(_("Please type a word or phrase."))
    limit = MuteWord._meta.get_field("word").max_length
    assert limit is not None  # noqa: S101 - a CharField's
    if len(word) > limit:
        raise InvalidInput(_("Please keep it to 60 characters or fewer."))
    if user.mute_words.count() >= MAX_MUTE_WORDS:
        raise Refused(_("You have 100 muted words already; remove one first."))
    found, _created = MuteWord.objects.get_or_create(user=user, word=word)
    return found


def do_remove_mute_word(user: User, pk: object) -> None:
    """`user` removes their own mute word `pk`; another person's, a missing
    one or an odd id removes nothing. Not audited; nobody hears of it."""
    with_id(MuteWord.objects.filter(user=user), pk).delete()


def do_set_content_warnings(user: User, choice: str) -> None:
    """Whether pages with a content warning open folded or unfolded for
    `user`. An unknown choice keeps the safe default (folded)."""
    valid = {
        value
        for value, _label in User._meta.get_field("content_warnings").choices or ()
    }
    user.content_warnings = choice if choice in valid else "collapse"
    user.save(update_fields=["content_warnings"])


# Risk phrases ------------------------------------------------------------------------


def do_add_risk_phrase(
    actor: User, language: str, category: str, phrase: str
) -> RiskPhrase:
    """A lead adds a phrase to risk detection (or, category `safe`, an everyday
    phrase that must not alert). Every process picks it up on its next check."""
    phrase = sanitise(phrase, max_length=1000).strip().lower()
    if not phrase or len(phrase) > 120:
        raise InvalidInput(_("Please type a phrase of up to 120 characters."))
    if category not in RiskCategory.values:
        raise InvalidInput(_("Please choose what the phrase is a sign of."))
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Please choose a language."))
    with transaction.atomic():
        found, created = RiskPhrase.objects.get_or_create(
            language=language,
            category=category,
            phrase=phrase,
            defaults={"created_by": actor},
        )
        if created:
            audit(
                actor,
                "risk_phrase.added",
                target=found,
                category=category,
                language=language,
            )
            transaction.on_commit(phrases_changed)
    return found


def do_remove_risk_phrase(actor: User, pk: object) -> None:
    """A lead or site administrator (the caller asked
    can_manage_risk_phrases) removes risk phrase `pk` from risk detection;
    a missing one or an odd id removes nothing. Audited, in one transaction;
    every process reloads the phrases on commit (phrases_changed)."""
    with transaction.atomic():
        phrase = with_id(RiskPhrase.objects.all(), pk).first()
        if phrase is None:
            return
        audit(actor, "risk_phrase.removed", target=phrase, category=phrase.category)
        phrase.delete()
        transaction.on_commit(phrases_changed)
