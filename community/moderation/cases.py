"""Reports, moderation cases, moderators' decisions and sanctions."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import InvalidInput, Refused
from community.audit import audit
from community.models import (
    STAFF_ROLES,
    ContentStatus,
    MemberContent,
    Membership,
    MembershipStatus,
    User,
)
from community.moderation.alerts import do_raise_alert
from community.moderation.models import (
    AlertState,
    CaseState,
    Decision,
    ModerationCase,
    Report,
    ReportReason,
    Sanction,
    SanctionKind,
)
from community.moderation.submission import _open_case
from community.notifications.actions import notify
from community.queries import landing_url
from community.safety.registry import kind_of
from community.safety.risk import detect_risk
from community.safety.sanitise import sanitise

MAX_REPORT_DETAIL = 1000


DEFAULT_MUTE_HOURS = 24


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
