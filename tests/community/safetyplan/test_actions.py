"""Writing a plan and choosing who sees it: the words take the one
submission road as a private plan (sanitised only: never a risk alert, a
case or a hold), and sharing, withdrawing and a clinician's view are
audited without words."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import InvalidInput
from community.models import AuditEvent, ContentStatus, Role
from community.moderation.models import ModerationCase, RiskAlert
from community.moderation.submission import submit_content
from community.safety.registry import kind_named
from community.safetyplan import actions
from community.safetyplan.models import SafetyPlan, SafetyPlanStep, Step
from community.safetyplan.permissions import access_share_choice
from tests.factories import make_forum, make_member, membership, put_on_duty

pytestmark = pytest.mark.django_db

RISK_WORDS = (
    "When I start planning to kill myself and looking at the pills\n"
    "Thinking I want to die tonight\n"
    "Cutting again"
)


def test_a_plan_naming_risk_raises_no_alert_opens_no_case_and_is_not_held(
    pathway,
):
    member = make_member(pathway)  # not yet trusted: a post would be held
    put_on_duty(pathway, make_member(pathway, Role.CLINICIAN))

    submission = actions.do_save_step(member, Step.WARNING_SIGNS, RISK_WORDS)

    row = SafetyPlanStep.objects.get(author=member)
    assert row.body == RISK_WORDS
    assert row.status == ContentStatus.PUBLISHED
    assert row.risk_categories == []
    assert row.pathway is None
    assert not submission.verdict.show_crisis_contacts
    assert not RiskAlert.objects.exists()
    assert not ModerationCase.objects.exists()


def test_the_same_words_in_a_forum_post_do_raise_an_alert(pathway):
    """The control: the words above are risk to the full pipeline."""
    member = make_member(pathway)
    forum = make_forum(pathway)

    def build(submission):
        return forum.topics.model(
            pathway=pathway,
            forum=forum,
            author=member,
            title="Tonight",
            body=submission.clean["body"],
        )

    submit_content(member, pathway, {"body": RISK_WORDS}, build)
    assert RiskAlert.objects.exists()


def test_words_are_sanitised_and_kept_one_entry_a_line(pathway):
    member = make_member(pathway)
    actions.do_save_step(
        member,
        Step.COPING,
        "<b>Walk</b> the dog\r\n\r\n\r\nRun a bath<script>x</script>",
    )
    row = SafetyPlanStep.objects.get(author=member, step=Step.COPING)
    assert "<" not in row.body
    assert row.entries == ["Walk the dog", "Run a bath"]


def test_saving_again_changes_the_step_and_blank_takes_it_away(pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.REASONS, "My daughter")
    actions.do_save_step(member, Step.REASONS, "My daughter\nThe sea")
    assert SafetyPlanStep.objects.get(author=member).entries == [
        "My daughter",
        "The sea",
    ]
    actions.do_save_step(member, Step.REASONS, "   ")
    assert not SafetyPlanStep.objects.filter(author=member).exists()
    assert SafetyPlan.objects.filter(owner=member).exists()


def test_too_long_a_step_stores_nothing_and_says_why(pathway):
    member = make_member(pathway)
    with pytest.raises(InvalidInput):
        actions.do_save_step(member, Step.PEOPLE, "a" * 3001)
    assert not SafetyPlanStep.objects.exists()


def test_an_unknown_step_is_refused(pathway):
    with pytest.raises(InvalidInput):
        actions.do_save_step(make_member(pathway), "passwords", "x")


def test_a_member_paused_by_a_moderator_can_still_write_their_plan(pathway):
    member = make_member(pathway)
    paused = membership(member, pathway)
    paused.muted_until = timezone.now() + timedelta(days=1)
    paused.save()
    actions.do_save_step(member, Step.COPING, "Music")
    assert SafetyPlanStep.objects.filter(author=member).exists()


def test_the_road_stores_nothing_unjudged_but_a_private_plan(pathway):
    """A submission only sanitised cannot store another kind, and another
    kind cannot be submitted without a pathway."""
    member = make_member(pathway)
    forum = make_forum(pathway)

    def a_topic(submission):
        return forum.topics.model(
            pathway=pathway, forum=forum, author=member, title="x", body="hello"
        )

    with pytest.raises(ValueError):
        submit_content(member, None, {"body": "hello"}, a_topic)
    with pytest.raises(ValueError):
        submit_content(
            member, None, {"body": "hello"}, a_topic, private=kind_named("topic")
        )
    with pytest.raises(ValueError):
        submit_content(
            member, None, {"body": "hello"}, a_topic, private=kind_named("safety_plan")
        )
    assert not forum.topics.exists()


def _clinician(pathway):
    return make_member(pathway, Role.CLINICIAN)


def test_share_unshare_and_a_clinician_view_are_audited_without_words(pathway):
    member = make_member(pathway)
    clinician = _clinician(pathway)
    actions.do_save_step(member, Step.PEOPLE, "Eluned 07700 900123")
    choice = access_share_choice(member, membership(clinician, pathway).pk)

    plan = actions.do_share(member, choice)
    actions.do_note_clinician_view(clinician, plan)
    actions.do_unshare(member)

    plan.refresh_from_db()
    assert plan.shared_with is None and plan.shared_in is None
    rows = list(AuditEvent.objects.filter(action__startswith="safety_plan."))
    assert sorted((r.action, r.actor_id) for r in rows) == [
        ("safety_plan.share", member.pk),
        ("safety_plan.unshare", member.pk),
        ("safety_plan.view", clinician.pk),
    ]
    for row in rows:
        assert row.pathway_id == pathway.pk
        assert row.target_id == str(plan.pk)
        assert row.data == {}  # ids only: the row and target say it all
        assert "Eluned" not in str(row.data) + row.reason


def test_sharing_again_replaces_the_one_clinician(pathway):
    member = make_member(pathway)
    first, second = _clinician(pathway), _clinician(pathway)
    actions.do_share(member, membership(first, pathway))
    actions.do_share(member, membership(second, pathway))
    assert SafetyPlan.objects.get(owner=member).shared_with == second


def test_unsharing_a_plan_never_shared_writes_nothing(pathway):
    member = make_member(pathway)
    actions.do_unshare(member)
    assert not AuditEvent.objects.filter(action__startswith="safety_plan.").exists()


def test_keeping_it_offline_is_off_until_chosen(pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.COPING, "Music")
    assert SafetyPlan.objects.get(owner=member).keep_offline is False
    actions.do_keep_offline(member, True)
    assert SafetyPlan.objects.get(owner=member).keep_offline is True
    actions.do_keep_offline(member, False)
    assert SafetyPlan.objects.get(owner=member).keep_offline is False


def test_the_clinician_hears_of_a_share_in_their_language_and_no_one_else(
    pathway, django_capture_on_commit_callbacks
):
    from wagtail.users.models import UserProfile

    from community.notifications.models import Notification

    member = make_member(pathway)
    clinician, other = _clinician(pathway), _clinician(pathway)
    actions.do_save_step(member, Step.PEOPLE, "Eluned 07700 900123")
    UserProfile.get_for_user(clinician).__class__.objects.filter(user=clinician).update(
        preferred_language="cy"
    )

    with django_capture_on_commit_callbacks(execute=True):
        plan = actions.do_share(member, membership(clinician, pathway))

    notice = Notification.objects.get(kind="safety_plan_shared")
    assert notice.user == clinician
    assert notice.pathway == pathway
    assert notice.url == f"/cy/safety-plans/shared/{plan.pk}/"  # their language
    assert member.display_name in notice.message
    assert "cynllun diogelwch" in notice.message  # Welsh, as the clinician reads
    assert "Eluned" not in notice.message  # never the plan's words
    assert not Notification.objects.filter(user__in=[member, other]).exists()
