"""What staff teach risk detection: the label a moderator gives what the
detector found (cleared with a reason, confirmed), and the risk phrases leads
add without a deploy.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import InvalidInput, Refused
from community.audit import audit
from community.inputs import with_id
from community.models import Membership, User
from community.moderation.alerts import do_acknowledge_alert, do_resolve_alert
from community.moderation.models import (
    LABEL_REASONS,
    AlertState,
    CaseState,
    Decision,
    LabelDecision,
    ModerationCase,
    RiskAlert,
    SafetyLabel,
)
from community.safety.lexicon_store import phrases_changed
from community.safety.models import RiskCategory, RiskPhrase
from community.safety.registry import kind_of
from community.safety.risk import Tier
from community.safety.sanitise import sanitise


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
