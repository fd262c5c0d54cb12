"""Management commands: demo data and the demo two-factor code."""

import pytest
from django.core.management import call_command
from django.test import override_settings

from community.management.commands.load_demo import ACCOUNTS, PATHWAYS
from community.models import CrisisContact, Membership, Pathway, User
from home.models import PathwayPage
from tests.factories import totp_code

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


@override_settings(HARBOUR_DEMO=True)
def test_demo_totp_prints_the_current_code(capsys):
    from community.management.commands.load_demo import DEMO_TOTP_SECRET

    call_command("load_demo")
    capsys.readouterr()
    call_command("demo_totp", "clinician.ed@example.org")
    printed = capsys.readouterr().out.split()[0]
    assert printed in {totp_code(DEMO_TOTP_SECRET, offset) for offset in (-1, 0, 1)}


def test_assess_text_prints_one_json_object_per_text(capsys, monkeypatch):
    import io
    import json

    call_command("load_demo")
    capsys.readouterr()
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("I was 7 stone\nI want to kill myself\n\n")
    )
    call_command("assess_text", "--pathway", "eating-disorders", "--lang", "en")
    first, second = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert first["verdict"] == "rewrite"
    assert first["rule_hits"][0]["excerpt"] == "7 stone"
    assert second["alert"] == ["suicide"]
    assert second["categories"]["suicide"] == 1.0


def test_assess_text_takes_one_argument_and_welsh(capsys):
    import json

    call_command("assess_text", "Dw i eisiau lladd fy hun", "--lang", "cy")
    assert json.loads(capsys.readouterr().out)["alert"] == ["suicide"]


def test_assess_text_refuses_an_unknown_pathway():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No pathway"):
        call_command("assess_text", "x", "--pathway", "nope")


def test_demo_totp_refuses_outside_the_demo(settings):
    from django.core.management.base import CommandError

    settings.HARBOUR_DEMO = False
    with pytest.raises(CommandError, match="demo"):
        call_command("demo_totp", "clinician.ed@example.org")
