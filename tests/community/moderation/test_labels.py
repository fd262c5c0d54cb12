"""community.moderation.labels: the labels staff give what risk detection
found, and the risk phrases leads add."""

import pytest

from community.actions import SafetyError
from community.models import AuditEvent, Role
from community.moderation.labels import (
    do_add_risk_phrase,
    do_label_alert,
    do_label_case,
    do_remove_risk_phrase,
)
from community.moderation.models import AlertState, CaseState, ModerationCase, RiskAlert
from community.notifications.models import Notification
from community.safety.models import RiskPhrase
from community.safety.pipeline import run_pipeline
from tests.community.moderation.posting import moderator_of, stored
from tests.factories import (
    make_member,
    make_trusted,
)

pytestmark = pytest.mark.django_db


def test_a_leads_phrase_alerts_from_the_next_post_and_a_safe_phrase_does_not(
    pathway, django_capture_on_commit_callbacks
):
    lead = make_member(pathway, Role.LEAD)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        do_add_risk_phrase(lead, "en", "suicide", "Rainbow  Bridge")
    assert run_pipeline("going to see the rainbow bridge").risk.categories == [
        "suicide"
    ]
    assert run_pipeline("I want to die").risk.is_risk
    with django_capture_on_commit_callbacks(execute=True):
        do_add_risk_phrase(lead, "en", "safe", "want to die laughing")
    assert not run_pipeline("I want to die laughing at that").risk.is_risk
    phrase = RiskPhrase.objects.get(category="suicide")
    with django_capture_on_commit_callbacks(execute=True):
        do_remove_risk_phrase(lead, phrase.pk)
    assert not run_pipeline("going to see the rainbow bridge").risk.is_risk
    assert AuditEvent.objects.filter(action="risk_phrase.added").count() == 2


def test_risk_phrases_are_checked(pathway):
    lead = make_member(pathway, Role.LEAD)
    for language, category, phrase in [
        ("en", "suicide", ""),
        ("en", "weather", "storm"),
        ("xx", "suicide", "storm"),
    ]:
        with pytest.raises(SafetyError):
            do_add_risk_phrase(lead, language, category, phrase)


def test_clearing_a_review_keeps_a_label_and_closes_the_case(pathway):
    from community.moderation.models import LabelDecision, SafetyLabel

    clinician = moderator_of(pathway)
    topic = stored(
        pathway, "Just joined. My little one is 3 weeks old.", review=["safeguarding"]
    )
    case = ModerationCase.objects.get(object_id=topic.pk)
    label = do_label_case(clinician, case, LabelDecision.NOT_A_RISK, "everyday")
    assert (label.decision, label.reason, label.tier) == (
        "not_a_risk",
        "everyday",
        "review",
    )
    assert label.text.endswith("Just joined. My little one is 3 weeks old.")
    assert label.categories == ["safeguarding"] and label.language == "en"
    assert label.decided_by == clinician.user and label.pathway == pathway
    case.refresh_from_db()
    assert not case.for_review and case.state == CaseState.CLOSED
    assert not Notification.objects.filter(user=topic.author).exists()
    assert AuditEvent.objects.filter(action="case.labelled").exists()
    dumped = " ".join(f"{r.reason} {r.data}" for r in AuditEvent.objects.all())
    assert "little one" not in dumped
    # A second decision replaces the first.
    do_label_case(clinician, case, LabelDecision.CONFIRMED, "risk_stated")
    assert SafetyLabel.objects.get().decision == LabelDecision.CONFIRMED


def test_a_held_review_stays_in_the_queue_for_its_hold_once_cleared(pathway):
    from community.moderation.models import LabelDecision

    topic = stored(pathway, review=["suicide"], held=True)
    case = ModerationCase.objects.get(object_id=topic.pk)
    do_label_case(moderator_of(pathway), case, LabelDecision.NOT_A_RISK, "misread")
    case.refresh_from_db()
    assert not case.for_review and case.state == CaseState.OPEN and case.held


def test_confirming_or_clearing_an_alert_keeps_a_label_and_moves_the_alert_on(
    pathway,
):
    from community.moderation.models import LabelDecision, SafetyLabel

    clinician = moderator_of(pathway)
    stored(pathway, "I want to die", categories=["suicide"])
    stored(pathway, "took them all", imminent=[("suicide", "act")])
    plain, urgent = RiskAlert.objects.order_by("pk")
    do_label_alert(clinician, urgent, LabelDecision.CONFIRMED, "plan_or_act")
    do_label_alert(clinician, plain, LabelDecision.NOT_A_RISK, "someone_else")
    urgent.refresh_from_db()
    plain.refresh_from_db()
    assert urgent.state == AlertState.ACKNOWLEDGED
    assert urgent.acknowledged_by == clinician.user
    assert plain.state == AlertState.RESOLVED
    labels = {label.case_id: label for label in SafetyLabel.objects.all()}
    assert (labels[urgent.case_id].tier, labels[urgent.case_id].decision) == (
        "urgent",
        "confirmed",
    )
    assert (labels[plain.case_id].tier, labels[plain.case_id].decision) == (
        "alert",
        "not_a_risk",
    )
    assert labels[urgent.case_id].text.endswith("took them all")


@pytest.mark.parametrize(
    "decision, reason",
    [
        ("not_a_risk", ""),
        ("not_a_risk", "nonsense"),
        ("not_a_risk", "risk_stated"),
        ("confirmed", "everyday"),
        ("maybe", "other"),
    ],
)
def test_a_label_needs_a_reason_that_fits_its_decision(pathway, decision, reason):
    from community.moderation.models import SafetyLabel

    topic = stored(pathway, review=["suicide"])
    case = ModerationCase.objects.get(object_id=topic.pk)
    with pytest.raises(SafetyError):
        do_label_case(moderator_of(pathway), case, decision, reason)
    assert not SafetyLabel.objects.exists()


def test_labels_go_when_the_members_data_is_erased(pathway):
    from community.moderation.models import LabelDecision, SafetyLabel

    author = make_trusted(pathway)
    topic = stored(pathway, review=["suicide"], author=author)
    case = ModerationCase.objects.get(object_id=topic.pk)
    do_label_case(moderator_of(pathway), case, LabelDecision.NOT_A_RISK, "everyday")
    assert SafetyLabel.objects.count() == 1
    author.delete()
    assert not SafetyLabel.objects.exists()
