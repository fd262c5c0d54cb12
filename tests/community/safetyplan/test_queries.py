"""Reading a plan: the steps in order, the crisis contacts suggested for
the professionals step (the member's own pathways and national ones only),
and what the offline page shows (only when the member chose)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from wagtail.models import Locale

from community.models import CrisisContact
from community.safetyplan import actions, queries
from community.safetyplan.models import Step
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_every_step_in_order_written_or_not(pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.REASONS, "My cat")
    steps = queries.steps_of(member)
    assert [s.step for s in steps] == list(Step)
    assert [s.number for s in steps] == list(range(1, 8))
    assert steps[-1].entries == ["My cat"]
    assert steps[0].entries == [] and steps[0].question
    assert queries.has_words(steps)
    assert not queries.has_words(queries.steps_of(make_member(pathway)))


def test_suggestions_are_the_members_own_crisis_contacts(pathway, other_pathway):
    locale = Locale.get_default()
    CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", phone="0800 111", locale=locale
    )
    CrisisContact.objects.create(
        pathway=other_pathway, name="Eating disorders night line", locale=locale
    )
    lines = queries.crisis_suggestions(make_member(pathway)).splitlines()
    assert lines[0] == "Perinatal crisis line: 0800 111"
    assert "Eating disorders night line" not in lines
    assert any(line.startswith("Samaritans") for line in lines)


def test_the_offline_page_holds_the_plan_only_when_chosen(pathway):
    member = make_member(pathway)
    assert queries.offline_plan(member) is None
    actions.do_save_step(member, Step.COPING, "Music")
    assert queries.offline_plan(member) is None  # off by default
    actions.do_keep_offline(member, True)
    kept = queries.offline_plan(member)
    assert kept is not None
    assert [s.entries for s in kept] == [["Music"]]
    actions.do_keep_offline(member, False)
    assert queries.offline_plan(member) is None
    assert queries.offline_plan(AnonymousUser()) is None


def test_step_text_is_none_until_written(pathway):
    member = make_member(pathway)
    assert queries.step_text(member, Step.PEOPLE) is None
    actions.do_save_step(member, Step.PEOPLE, "Mam")
    assert queries.step_text(member, Step.PEOPLE) == "Mam"
