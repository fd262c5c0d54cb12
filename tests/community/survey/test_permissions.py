"""Who may answer where: a member of the pathway; staff, strangers and
missing pathways are "not found" alike."""

import pytest
from django.http import Http404

from community.models import Role
from community.survey.permissions import access_survey
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_member_or_carer_answers_in_their_own_pathway(pathway):
    for role in (Role.MEMBER, Role.CARER):
        user = make_member(pathway, role)
        assert access_survey(user, pathway.slug).pathway == pathway


def test_another_pathway_staff_and_missing_are_not_found(pathway, other_pathway):
    member = make_member(pathway)
    with pytest.raises(Http404):
        access_survey(member, other_pathway.slug)
    with pytest.raises(Http404):
        access_survey(member, "no-such-pathway")
    for role in (Role.PEER, Role.CLINICIAN, Role.LEAD):
        with pytest.raises(Http404):
            access_survey(make_member(pathway, role), pathway.slug)
    admin = make_member(pathway, is_superuser=True, is_staff=True)
    with pytest.raises(Http404):
        access_survey(admin, pathway.slug)
