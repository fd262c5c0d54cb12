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


# One test, because loading the demo takes long (it makes videos and pages):
# it is loaded twice here, which is the least that shows it is idempotent.
def test_load_demo_builds_the_seven_pathways_every_role_and_is_idempotent(capsys):
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
    # Every role in two pathways, and a member of both.
    for slug in ("eating-disorders", "perinatal"):
        roles = set(
            Membership.objects.filter(pathway__slug=slug).values_list("role", flat=True)
        )
        assert roles == {"member", "carer", "peer", "clinician", "lead"}
    both = User.objects.get(email="member.both@example.org")
    assert both.memberships.count() == 2
