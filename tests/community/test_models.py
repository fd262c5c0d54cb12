"""Model rules that hold whatever road data comes by."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from community.models import Pathway, new_invitation_code, validate_display_name
from tests.factories import UserFactory, make_invitation


@pytest.mark.parametrize(
    "name",
    [
        "me@example.org",
        "jo (at) mail.com",
        "07700 900 123",
        "+44 (0)20 7946 0958",
        "<script>",
    ],
)
def test_display_names_with_contact_details_or_markup_are_refused(name):
    with pytest.raises(ValidationError):
        validate_display_name(name)


@pytest.mark.parametrize("name", ["Willow", "Mum of 2", "Dai O'Brien", "Siân-Haf"])
def test_ordinary_display_names_are_accepted(name):
    validate_display_name(name)


@pytest.mark.django_db
def test_display_names_are_unique_ignoring_case_in_the_database():
    UserFactory(display_name="Robin")
    with pytest.raises(IntegrityError):
        UserFactory(display_name="ROBIN")


@pytest.mark.django_db
def test_people_are_shown_by_display_name_never_email():
    person = UserFactory(display_name="Robin", first_name="Real", last_name="Name")
    assert str(person) == "Robin"
    assert person.get_full_name() == "Robin"


def test_age_counts_birthdays_not_years():
    person = UserFactory.build(date_of_birth=date(2010, 6, 15))
    assert person.age_on(date(2026, 6, 14)) == 15
    assert person.age_on(date(2026, 6, 15)) == 16
    assert UserFactory.build(date_of_birth=None).age_on(date(2026, 1, 1)) is None


def test_invitation_codes_avoid_look_alike_characters():
    codes = {new_invitation_code() for _ in range(200)}
    assert len(codes) == 200
    assert not any(set(code) & set("01ILO") for code in codes)


@pytest.mark.django_db
def test_invitation_state(pathway):
    invitation = make_invitation(pathway)
    assert invitation.state == "open"
    invitation.expires_at = timezone.now() - timedelta(seconds=1)
    assert invitation.state == "expired"
    invitation.revoked_at = timezone.now()
    assert invitation.state == "revoked"
    invitation.used_at = timezone.now()
    assert invitation.state == "used"


def test_unknown_rule_packs_are_refused():
    with pytest.raises(ValidationError):
        Pathway(slug="x", name="X", rule_packs=["no_such_pack"]).clean()
    Pathway(slug="x", name="X", rule_packs=["eating_disorders"]).clean()
