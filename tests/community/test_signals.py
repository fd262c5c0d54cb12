"""Membership changes made outside the actions still move people's groups."""

import pytest

from community.models import Membership, MembershipStatus, PathwayGroup, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_membership_saved_directly_puts_the_person_in_the_role_group(pathway):
    user = UserFactory()
    Membership.objects.create(user=user, pathway=pathway, role=Role.CLINICIAN)
    group = PathwayGroup.objects.get(pathway=pathway, role=Role.CLINICIAN).group
    assert list(user.groups.all()) == [group]


def test_a_pending_membership_grants_no_group(pathway):
    user = UserFactory()
    Membership.objects.create(
        user=user, pathway=pathway, status=MembershipStatus.PENDING
    )
    assert not user.groups.exists()
