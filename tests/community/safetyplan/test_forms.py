"""The plan's forms check shape only: a step's length, and a clinician
from the list the access layer gives."""

import pytest

from community.models import Role
from community.safetyplan.forms import ShareForm, StepForm
from community.safetyplan.permissions import share_choices
from tests.factories import make_member, membership

pytestmark = pytest.mark.django_db


def test_a_step_may_be_empty_but_not_too_long():
    assert StepForm({"body": ""}, label="x").is_valid()
    form = StepForm({"body": "a" * 3001}, label="x")
    assert not form.is_valid()
    assert form.errors["body"] == ["Please keep each step to 3,000 characters."]


def test_the_share_form_takes_only_the_clinicians_offered(pathway, other_pathway):
    member = make_member(pathway)
    ours = make_member(pathway, Role.CLINICIAN)
    theirs = make_member(other_pathway, Role.CLINICIAN)
    choices = share_choices(member)
    good = ShareForm({"clinician": membership(ours, pathway).pk}, choices=choices)
    assert good.is_valid()
    bad = ShareForm(
        {"clinician": membership(theirs, other_pathway).pk}, choices=choices
    )
    assert not bad.is_valid()
    assert not ShareForm({}, choices=choices).is_valid()
