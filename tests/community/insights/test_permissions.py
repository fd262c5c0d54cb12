"""Whose insights a person may read: leads their own pathways, site
administrators all and the overview, everyone else "not found"."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.actions import do_add_membership
from community.insights.permissions import (
    access_insights,
    access_overview,
    insight_pathways,
)
from community.models import MembershipStatus, Role
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_a_lead_reads_their_own_pathways_only(pathway, other_pathway):
    lead = make_member(pathway, Role.LEAD)
    assert list(insight_pathways(lead)) == [pathway]
    assert access_insights(lead, pathway.slug) == pathway
    with pytest.raises(Http404):
        access_insights(lead, other_pathway.slug)
    with pytest.raises(Http404):
        access_insights(lead, "no-such-pathway")


def test_a_lead_elsewhere_is_not_a_lead_here(pathway, other_pathway):
    person = make_member(pathway, Role.LEAD)
    do_add_membership(person, other_pathway, Role.CLINICIAN)
    assert list(insight_pathways(person)) == [pathway]


def test_a_suspended_lead_reads_nothing(pathway):
    lead = make_member(pathway, Role.LEAD)
    do_add_membership(lead, pathway, Role.LEAD, status=MembershipStatus.SUSPENDED)
    with pytest.raises(Http404):
        access_insights(lead, pathway.slug)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CARER, Role.PEER, Role.CLINICIAN])
def test_other_roles_read_nothing(pathway, role):
    person = make_member(pathway, role)
    assert not insight_pathways(person).exists()
    with pytest.raises(Http404):
        access_insights(person, pathway.slug)


def test_signed_out_reads_nothing(pathway):
    assert not insight_pathways(AnonymousUser()).exists()
    with pytest.raises(Http404):
        access_overview(AnonymousUser())


def test_a_site_administrator_reads_every_pathway_and_the_overview(
    pathway, other_pathway
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert set(insight_pathways(admin)) == {pathway, other_pathway}
    assert access_insights(admin, other_pathway.slug) == other_pathway
    assert set(access_overview(admin)) == {pathway, other_pathway}


def test_the_overview_is_not_a_leads(pathway):
    with pytest.raises(Http404):
        access_overview(make_member(pathway, Role.LEAD))
