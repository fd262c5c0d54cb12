"""When the question is asked: the period, a risk alert or crisis card, staff,
"Don't ask me again", "Not now", no pathway, new and paused members."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.utils import timezone

from community.forums import actions as forums
from community.models import Membership, Role
from community.moderation.models import ModerationCase, RiskAlert
from community.survey import actions
from community.survey.asking import Prompt, due_pathways
from tests.factories import (
    UserFactory,
    make_forum,
    make_member,
    make_seasoned_member,
    membership,
)

pytestmark = pytest.mark.django_db


def raise_alert_on(user, pathway, when):
    forum = make_forum(pathway, f"Forum {when.timestamp()}")
    topic = forums.do_start_topic(user, forum, "A day", "An ordinary day").obj
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(topic),
        object_id=topic.pk,
        author=user,
    )
    return RiskAlert.objects.create(
        pathway=pathway, case=case, author=user, created_at=when
    )


def test_a_seasoned_member_is_asked_in_their_pathway_only(pathway, other_pathway):
    user = make_seasoned_member(pathway)
    assert due_pathways(user) == {pathway.pk}


def test_not_in_a_members_first_two_weeks(pathway):
    user = make_member(pathway)
    assert due_pathways(user) == frozenset()
    with time_machine.travel(timezone.now() + timedelta(days=15)):
        assert due_pathways(user) == {pathway.pk}


def test_answering_or_not_now_asks_again_only_after_the_period(pathway):
    answered = make_seasoned_member(pathway)
    postponed = make_seasoned_member(pathway)
    actions.do_answer(membership(answered, pathway), 4)
    actions.do_postpone(membership(postponed, pathway))
    for user in (answered, postponed):
        assert due_pathways(user) == frozenset()
    with time_machine.travel(timezone.now() + timedelta(weeks=12, minutes=1)):
        for user in (answered, postponed):
            assert due_pathways(user) == {pathway.pk}


@override_settings(HARBOUR_SURVEY_EVERY_WEEKS=4)
def test_the_period_is_the_setting(pathway):
    user = make_seasoned_member(pathway)
    actions.do_postpone(membership(user, pathway))
    with time_machine.travel(timezone.now() + timedelta(weeks=3, days=6)):
        assert due_pathways(user) == frozenset()
    with time_machine.travel(timezone.now() + timedelta(weeks=4, minutes=1)):
        assert due_pathways(user) == {pathway.pk}


def test_dont_ask_me_again_is_for_good(pathway, other_pathway):
    user = make_seasoned_member(pathway)
    make_member(other_pathway)
    actions.do_stop_asking(membership(user, pathway))
    with time_machine.travel(timezone.now() + timedelta(weeks=200)):
        assert due_pathways(user) == frozenset()


def test_never_within_a_day_of_a_risk_alert_in_any_pathway(pathway, other_pathway):
    user = make_seasoned_member(pathway)
    make_seasoned_member(other_pathway)  # someone else's alert changes nothing
    now = timezone.now()
    raise_alert_on(user, pathway, now - timedelta(hours=23))
    assert due_pathways(user) == frozenset()
    with time_machine.travel(now + timedelta(hours=1, minutes=1)):
        assert due_pathways(user) == {pathway.pk}


def test_a_crisis_card_takes_the_question_away_at_once(pathway):
    """The crisis card is shown when, and only when, the submission gate
    raises a risk alert on the author's words (same tier, same transaction):
    the alert is the card's record, so the rule above covers it."""
    user = make_seasoned_member(pathway)
    assert due_pathways(user) == {pathway.pk}  # not remembered: "due" never is
    forum = make_forum(pathway)
    submission = forums.do_start_topic(user, forum, "tonight", "I want to kill myself")
    assert submission.verdict.show_crisis_contacts
    assert RiskAlert.objects.filter(author=user).exists()
    assert due_pathways(user) == frozenset()


def test_never_to_staff_of_the_pathway(pathway, other_pathway):
    for role in (Role.PEER, Role.CLINICIAN, Role.LEAD):
        staff = make_seasoned_member(pathway, role)
        assert due_pathways(staff) == frozenset(), role
    # A peer supporter here, a member there: asked there only.
    both = make_seasoned_member(pathway, Role.PEER)
    Membership.objects.create(
        user=both,
        pathway=other_pathway,
        status="active",
        joined_at=timezone.now() - timedelta(days=30),
    )
    assert due_pathways(both) == {other_pathway.pk}
    assert due_pathways(make_seasoned_member(pathway, Role.CARER)) == {pathway.pk}


def test_never_to_a_site_administrator_or_a_person_with_no_pathway(pathway):
    admin = make_seasoned_member(pathway)
    admin.is_superuser = True
    admin.save()
    assert due_pathways(admin) == frozenset()
    assert due_pathways(UserFactory()) == frozenset()
    assert Prompt(None).due_in == frozenset()


def test_not_while_a_moderator_has_paused_their_posting(pathway):
    user = make_seasoned_member(pathway)
    Membership.objects.filter(user=user).update(
        muted_until=timezone.now() + timedelta(hours=2)
    )
    assert due_pathways(user) == frozenset()
    with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
        assert due_pathways(user) == {pathway.pk}


def test_not_due_is_remembered_so_pages_ask_the_database_nothing(
    pathway, django_assert_num_queries
):
    user = make_member(pathway)  # new: not due for two weeks
    with django_assert_num_queries(3):
        assert due_pathways(user) == frozenset()
    with django_assert_num_queries(0):
        assert due_pathways(user) == frozenset()
    # Remembered for an hour at most.
    with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
        with django_assert_num_queries(3):
            due_pathways(user)
