"""community.moderation.permissions: cases, alerts and shifts belong to their
pathway; only leads and site administrators manage risk phrases."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.models import Role
from tests.factories import UserFactory, make_member, membership

pytestmark = pytest.mark.django_db


def test_cases_alerts_and_shifts_belong_to_their_pathway(pathway, other_pathway):
    from community.forums import actions as forums
    from community.moderation.models import ModerationCase, RiskAlert
    from community.moderation.permissions import access_alert, access_case, access_shift
    from tests.factories import make_forum, make_trusted, put_on_duty

    clinician = make_member(pathway, Role.CLINICIAN)
    shift = put_on_duty(pathway, clinician)
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "x", "I want to kill myself"
    )
    case, alert = ModerationCase.objects.get(), RiskAlert.objects.get()
    mine = membership(clinician, pathway)
    assert access_case(mine, case.pk) == case
    assert access_alert(mine, alert.pk) == alert
    assert access_shift(mine, shift.pk) == shift
    theirs = membership(make_member(other_pathway, Role.LEAD), other_pathway)
    for call in (
        lambda: access_case(theirs, case.pk),
        lambda: access_alert(theirs, alert.pk),
        lambda: access_shift(theirs, shift.pk),
        lambda: access_case(mine, "x"),
    ):
        with pytest.raises(Http404):
            call()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.MEMBER, False),
        (Role.PEER, False),
        (Role.CLINICIAN, False),
        (Role.LEAD, True),
    ],
)
def test_only_leads_and_admins_manage_risk_phrases(pathway, role, allowed):
    from community.moderation.permissions import can_manage_risk_phrases

    assert can_manage_risk_phrases(make_member(pathway, role)) is allowed
    assert can_manage_risk_phrases(UserFactory(is_superuser=True))
    assert not can_manage_risk_phrases(AnonymousUser())
