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


@pytest.mark.django_db
def test_an_urgent_alert_has_five_minutes_unless_the_pathway_says_otherwise(home):
    pathway = Pathway.objects.create(slug="urgent", name="Urgent")
    assert pathway.urgent_acknowledge_minutes == 5
    pathway.urgent_acknowledge_minutes = None  # a form left it blank
    pathway.full_clean()
    assert pathway.urgent_acknowledge_minutes == 5
    pathway.urgent_acknowledge_minutes = 0
    with pytest.raises(ValidationError):
        pathway.full_clean()


@pytest.mark.django_db
def test_the_out_of_hours_route_is_named_for_staff_without_its_address(home):
    from community.notifications.models import Delivery, DeliveryChannel

    pathway = Pathway.objects.create(
        slug="ooh", name="OOH", out_of_hours_email="crisis@trust.example"
    )
    route = Delivery.objects.create(
        channel=DeliveryChannel.EMAIL, pathway=pathway, out_of_hours=True
    )
    assert route.recipient_name == "the out-of-hours crisis team"
    assert "crisis@" not in route.recipient_name
    person = UserFactory(display_name="Nurse Ash")
    assert Delivery(channel="email", recipient=person).recipient_name == "Nurse Ash"


@pytest.mark.django_db
def test_a_safety_label_is_one_per_case_and_goes_with_its_author(home):
    from django.contrib.contenttypes.models import ContentType

    from community.moderation.models import ModerationCase, SafetyLabel

    pathway = Pathway.objects.create(slug="labels", name="Labels")
    author = UserFactory()
    case = ModerationCase.objects.create(
        pathway=pathway,
        content_type=ContentType.objects.get_for_model(Pathway),
        object_id=1,
        author=author,
    )
    fields = {
        "pathway": pathway,
        "case": case,
        "author": author,
        "text": "words",
        "tier": "review",
        "decision": "not_a_risk",
        "reason": "everyday",
    }
    label = SafetyLabel.objects.create(**fields)
    assert "Not a risk" in str(label)
    from django.db import transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyLabel.objects.create(**fields)
    author.delete()
    assert not SafetyLabel.objects.filter(pk=label.pk).exists()


@pytest.mark.django_db
def test_staff_of_a_pathway_asks_one_membership_for_pathway_status_and_role(
    pathway, other_pathway
):
    """A clinician of one pathway who is a member of another is not the
    other's staff; a suspended clinician is nobody's staff."""
    from community.models import Membership, MembershipStatus, Role, User
    from tests.factories import make_member

    clinician = make_member(pathway, Role.CLINICIAN)
    Membership.objects.create(user=clinician, pathway=other_pathway, role=Role.MEMBER)
    suspended = make_member(pathway, Role.CLINICIAN)
    Membership.objects.filter(user=suspended).update(status=MembershipStatus.SUSPENDED)
    member = make_member(pathway)

    assert set(User.objects.staff_of(pathway)) == {clinician}
    assert set(User.objects.staff_of(other_pathway)) == set()
    assert set(User.objects.active_in(other_pathway)) == {clinician}
    assert set(User.objects.active_in(pathway)) == {clinician, member}
    staff = Membership.objects.active_staff()
    assert {(m.user, m.pathway) for m in staff} == {(clinician, pathway)}
    assert Membership.objects.active().filter(user=suspended).count() == 0
