"""Risk alerts: raised by what a member wrote, routed along the rota (urgent
ones to everyone on duty, then the out-of-hours route), escalated when nobody
acknowledges them in time or no delivery reached anyone, acknowledged, noted
and resolved by staff.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.actions import InvalidInput
from community.audit import audit
from community.models import User
from community.moderation.models import (
    AlertState,
    DutyShift,
    ModerationCase,
    RiskAlert,
    RiskAlertNote,
)
from community.moderation.rota import on_duty_shifts, service_leads, urgent_order
from community.notifications.actions import notify
from community.notifications.deliveries import queue_email, queue_out_of_hours_email
from community.notifications.models import UNDELIVERED_STATES, Delivery
from community.permissions import moderated_memberships
from community.queries import languages_of
from community.safety.sanitise import sanitise


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
    wrote. Each person's notice and email is in the language they last
    read the site in; the crisis team's in the site's own."""
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
    languages = languages_of(user.pk for user in recipients)
    for user in recipients:
        with translation.override(languages[user.pk]):
            url = alert_url(alert)
            notice, subject, body = _alert_words(alert, minutes)
            notify(user, pathway, "risk_alert", notice, url, risk_alert=alert)
            if user.email:
                queue_email(user, subject, body, pathway=pathway, risk_alert=alert)
    if out_of_hours and pathway.out_of_hours_email:
        _email_out_of_hours_team(alert, minutes)


def _alert_link(alert: RiskAlert) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + alert_url(alert)


def _alert_words(alert: RiskAlert, minutes: int) -> tuple[str, str, str]:
    """The notice, email subject and email body of `alert` for staff, in the
    active language."""
    words = {
        "pathway": alert.pathway.name,
        "minutes": minutes,
        "url": _alert_link(alert),
    }
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
    return notice, subject, body


def _email_out_of_hours_team(alert: RiskAlert, minutes: int) -> None:
    """The urgent alert to the pathway's out-of-hours crisis team, in the
    site's own language (an address, not a person who reads the site)."""
    pathway = alert.pathway
    with translation.override(settings.LANGUAGE_CODE):
        words = {"pathway": pathway.name, "minutes": minutes, "url": _alert_link(alert)}
        _notice, subject, _body = _alert_words(alert, minutes)
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
