"""The background worker escalates overdue alerts (one pass with --once)."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from community import forums
from community.models import RiskAlert, Role
from tests.factories import make_forum, make_member, make_trusted, put_on_duty

pytestmark = pytest.mark.django_db


def test_one_pass_escalates_what_is_overdue(pathway, capsys):
    first = make_member(pathway, Role.CLINICIAN)
    lead = make_member(pathway, Role.LEAD)
    put_on_duty(pathway, first)
    forums.do_start_topic(
        make_trusted(pathway), make_forum(pathway), "x", "I want to kill myself"
    )
    call_command("harbour_worker", "--once")
    assert RiskAlert.objects.get().notified == first
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        call_command("harbour_worker", "--once")
    alert = RiskAlert.objects.get()
    assert alert.to_leads and alert.notified == lead
    assert "Escalated 1 alert" in capsys.readouterr().out
