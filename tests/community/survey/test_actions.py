"""Answering: the score, the comment through the one submission road (risk
raises an alert, a rule asks for a rewrite, a paused member is refused), and
"Not now" / "Don't ask me again"."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import InvalidInput, Refused
from community.models import ContentStatus, Membership, Role
from community.moderation.models import ModerationCase, RiskAlert
from community.survey import actions
from community.survey.models import SurveyAnswer, SurveyComment, SurveyPrompt
from tests.factories import make_member, make_seasoned_member, membership, put_on_duty

pytestmark = pytest.mark.django_db


def test_an_answer_without_a_comment_is_counted_and_marks_them_asked(pathway):
    user = make_seasoned_member(pathway)
    submission = actions.do_answer(membership(user, pathway), 5, "")
    answer = SurveyAnswer.objects.get()
    assert (answer.pathway, answer.user, answer.score) == (pathway, user, 5)
    assert answer.agrees
    assert submission.obj is None and not SurveyComment.objects.exists()
    assert SurveyPrompt.objects.get(user=user).last_asked_at == answer.answered_at


def test_a_comment_is_sanitised_and_stored_beside_the_answer(pathway):
    user = make_seasoned_member(pathway)
    actions.do_answer(
        membership(user, pathway), 2, "The <b>nights</b> <script>x()</script> helped"
    )
    comment = SurveyComment.objects.get()
    assert comment.answer == SurveyAnswer.objects.get()
    assert "<script>" not in comment.body and "helped" in comment.body
    assert comment.status == ContentStatus.PUBLISHED
    assert not comment.answer.agrees


def test_a_comment_stating_risk_raises_a_risk_alert_like_any_post(
    pathway, django_capture_on_commit_callbacks
):
    clinician = make_member(pathway, Role.CLINICIAN)
    put_on_duty(pathway, clinician)
    user = make_seasoned_member(pathway)
    with django_capture_on_commit_callbacks(execute=True):
        submission = actions.do_answer(
            membership(user, pathway), 3, "Honestly I want to kill myself"
        )
    assert submission.verdict.show_crisis_contacts
    alert = RiskAlert.objects.get()
    assert alert.author == user and alert.notified == clinician
    case = ModerationCase.objects.get()
    assert case.content == SurveyComment.objects.get() and case.risk
    assert SurveyAnswer.objects.get().score == 3  # the answer counts still


def test_a_new_members_comment_is_held_and_the_answer_still_counts(pathway):
    user = make_member(pathway)  # not trusted yet
    actions.do_answer(membership(user, pathway), 4, "It has been good")
    assert SurveyComment.objects.get().status == ContentStatus.HELD
    assert SurveyAnswer.objects.count() == 1


def test_a_rewrite_stores_nothing(pathway):
    pathway.rule_packs = ["eating_disorders"]
    pathway.save()
    user = make_seasoned_member(pathway)
    submission = actions.do_answer(membership(user, pathway), 4, "I was 45kg")
    assert submission.needs_rewrite and submission.errors()["body"]
    assert not SurveyAnswer.objects.exists()
    assert not SurveyPrompt.objects.exists()


def test_a_paused_member_is_refused_and_nothing_is_stored(pathway):
    user = make_seasoned_member(pathway)
    Membership.objects.filter(user=user).update(
        muted_until=timezone.now() + timedelta(hours=1)
    )
    with pytest.raises(Refused):
        actions.do_answer(membership(user, pathway), 4, "")
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize("score", [0, 6, "4", None, -1])
def test_a_score_off_the_scale_is_invalid_input(pathway, score):
    user = make_seasoned_member(pathway)
    with pytest.raises(InvalidInput):
        actions.do_answer(membership(user, pathway), score, "")
    assert not SurveyAnswer.objects.exists()


def test_a_second_answer_within_the_period_is_refused_kindly(pathway):
    user = make_seasoned_member(pathway)
    actions.do_answer(membership(user, pathway), 4, "")
    with pytest.raises(Refused, match="answered already"):
        actions.do_answer(membership(user, pathway), 5, "")
    assert SurveyAnswer.objects.count() == 1


def test_not_now_and_dont_ask_again(pathway):
    user = make_seasoned_member(pathway)
    actions.do_postpone(membership(user, pathway))
    prompt = SurveyPrompt.objects.get(user=user)
    assert prompt.last_asked_at is not None and prompt.stopped_at is None
    actions.do_stop_asking(membership(user, pathway))
    prompt.refresh_from_db()
    assert prompt.stopped_at is not None
    assert not SurveyAnswer.objects.exists()


def test_staff_open_a_comment_from_its_case(pathway):
    from django.urls import reverse

    from community.safety.registry import kind_of

    user = make_seasoned_member(pathway)
    actions.do_answer(membership(user, pathway), 3, "I want to kill myself")
    comment = SurveyComment.objects.get()
    case = ModerationCase.objects.get()
    assert kind_of(comment).url(comment) == reverse(
        "community:case", kwargs={"slug": pathway.slug, "pk": case.pk}
    )
