"""home's management commands: the demo data."""

import pytest
from django.core.management import call_command

from community.models import CrisisContact, Membership, Pathway, User
from home.management.commands.load_demo import ACCOUNTS, PATHWAYS
from home.models import PathwayPage

pytestmark = pytest.mark.django_db


def counts():
    return (
        Pathway.objects.count(),
        PathwayPage.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        CrisisContact.objects.count(),
    )


def test_load_demo_builds_the_seven_pathways_and_is_idempotent(capsys):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert first[0] == len(PATHWAYS) == 7
    assert first[1] == 7
    out = capsys.readouterr().out
    for email, _name, _roles in ACCOUNTS:
        assert email in out
    assert "harbour-demo-2026" in out


def test_demo_has_every_role_in_two_pathways_and_a_member_of_two():
    call_command("load_demo")
    for slug in ("eating-disorders", "perinatal"):
        roles = set(
            Membership.objects.filter(pathway__slug=slug).values_list("role", flat=True)
        )
        assert roles == {"member", "carer", "peer", "clinician", "lead"}
    both = User.objects.get(email="member.both@example.org")
    assert both.memberships.count() == 2
