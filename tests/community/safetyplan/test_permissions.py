"""Who may write and read a plan: its owner; the one clinician they chose,
while both belong to the pathway it was shared in; anyone else "not found"
(other staff of that pathway, other pathways' staff, the owner's peers)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from community.models import MembershipStatus, Role
from community.safetyplan import actions
from community.safetyplan.permissions import (
    access_own_plan,
    access_share_choice,
    access_shared_plan,
    plans_shared_with,
    share_choices,
)
from tests.factories import UserFactory, make_member, membership

pytestmark = pytest.mark.django_db


def test_everyone_in_a_pathway_has_a_plan_of_their_own(pathway):
    member = make_member(pathway)
    assert access_own_plan(member).owner == member
    assert access_own_plan(member).pk is None  # nothing written: nothing stored
    for role in (Role.CARER, Role.PEER, Role.CLINICIAN):
        person = make_member(pathway, role)
        assert access_own_plan(person).owner == person


def test_people_signed_out_or_in_no_pathway_have_no_plan_page(pathway):
    with pytest.raises(Http404):
        access_own_plan(UserFactory())
    with pytest.raises(Http404):
        access_own_plan(AnonymousUser())


def test_a_member_whose_membership_is_suspended_has_none(pathway):
    member = make_member(pathway)
    found = membership(member, pathway)
    found.status = MembershipStatus.SUSPENDED
    found.save()
    with pytest.raises(Http404):
        access_own_plan(member)


def test_only_clinicians_of_the_members_own_pathways_are_offered(
    pathway, other_pathway
):
    member = make_member(pathway)
    ours = make_member(pathway, Role.CLINICIAN)
    make_member(pathway, Role.PEER)
    theirs = make_member(other_pathway, Role.CLINICIAN)
    assert [m.user for m in share_choices(member)] == [ours]
    assert access_share_choice(member, membership(ours, pathway).pk).user == ours
    with pytest.raises(Http404):
        access_share_choice(member, membership(theirs, other_pathway).pk)
    with pytest.raises(Http404):
        access_share_choice(member, "not-a-number")


def _shared(pathway):
    member = make_member(pathway)
    clinician = make_member(pathway, Role.CLINICIAN)
    plan = actions.do_share(member, membership(clinician, pathway))
    return member, clinician, plan


def test_the_chosen_clinician_reads_the_plan(pathway):
    member, clinician, plan = _shared(pathway)
    assert access_shared_plan(clinician, plan.pk) == plan
    assert plans_shared_with(clinician) == [plan]


def test_everyone_else_gets_not_found(pathway, other_pathway):
    member, clinician, plan = _shared(pathway)
    others = [
        make_member(pathway, Role.CLINICIAN),  # same pathway, not chosen
        make_member(pathway, Role.LEAD),
        make_member(pathway),  # a peer member
        make_member(other_pathway, Role.CLINICIAN),  # another pathway's
        member,  # the owner reads it on their own page, not here
    ]
    for other in others:
        with pytest.raises(Http404):
            access_shared_plan(other, plan.pk)
        assert plans_shared_with(other) == []
    with pytest.raises(Http404):
        access_shared_plan(AnonymousUser(), plan.pk)
    with pytest.raises(Http404):
        access_shared_plan(clinician, plan.pk + 1000)


def test_withdrawing_the_share_ends_it(pathway):
    member, clinician, plan = _shared(pathway)
    actions.do_unshare(member)
    with pytest.raises(Http404):
        access_shared_plan(clinician, plan.pk)


@pytest.mark.parametrize("who", ["owner", "clinician"])
def test_the_share_lapses_when_either_leaves_the_pathway(pathway, who):
    member, clinician, plan = _shared(pathway)
    leaving = membership(member if who == "owner" else clinician, pathway)
    leaving.status = MembershipStatus.SUSPENDED
    leaving.save()
    with pytest.raises(Http404):
        access_shared_plan(clinician, plan.pk)


def test_a_clinician_who_becomes_a_peer_supporter_no_longer_reads_it(pathway):
    member, clinician, plan = _shared(pathway)
    role = membership(clinician, pathway)
    role.role = Role.PEER
    role.save()
    with pytest.raises(Http404):
        access_shared_plan(clinician, plan.pk)
