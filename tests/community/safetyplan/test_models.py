"""The plan's rows: its kind is registered as a private plan (sanitise
only), unreadable through the shared access layer (no report, no reaction),
part of the member's copy of their data, and gone when they close their
account."""

import pytest
from django.urls import reverse

from community.models import Role
from community.rights import actions as rights
from community.rights.exports import collect
from community.safety.registry import Screening, kind_named
from community.safetyplan import actions
from community.safetyplan.models import SafetyPlan, SafetyPlanStep, Step
from tests.factories import enrol_totp, make_member, membership

pytestmark = pytest.mark.django_db


def staff(pathway, role=Role.CLINICIAN):
    """Staff sign in with two factors; these have enrolled."""
    person = make_member(pathway, role)
    enrol_totp(person)
    return person


def test_the_kind_is_registered_as_a_private_plan():
    kind = kind_named("safety_plan")
    assert kind is not None
    assert kind.model is SafetyPlanStep
    assert kind.screening == Screening.SANITISE_ONLY
    assert kind_named("topic").screening == Screening.FULL


def test_nobody_reports_or_reacts_to_a_step(client, pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.COPING, "Music")
    row = SafetyPlanStep.objects.get()
    for who in (member, make_member(pathway), staff(pathway)):
        client.force_login(who)
        for name in ("report", "react"):
            url = reverse(
                f"community:{name}",
                kwargs={"slug": pathway.slug, "kind": "safety_plan", "pk": row.pk},
            )
            assert client.post(url, {"reason": "unkind"}).status_code == 404


def test_the_plan_is_in_the_members_copy_of_their_data(pathway):
    member = make_member(pathway)
    clinician = staff(pathway)
    actions.do_save_step(member, Step.REASONS, "My son")
    actions.do_share(member, membership(clinician, pathway))
    data = collect(member)
    assert data["safety_plan"]["steps"] == [
        {"step": str(Step.REASONS.label), "entries": ["My son"]}
    ]
    assert data["safety_plan"]["shared_with"] == clinician.display_name
    row = next(r for r in data["content"] if r["kind"] == "safety_plan")
    assert row["text"] == "My son" and row["community"] == ""
    # The clinician's copy holds nothing of the member's plan.
    assert "My son" not in str(collect(clinician))


@pytest.mark.parametrize("remove_posts", [True, False], ids=["remove", "keep"])
def test_closing_the_account_erases_the_plan(pathway, remove_posts):
    member = make_member(pathway)
    actions.do_save_step(member, Step.REASONS, "My son")
    actions.do_keep_offline(member, True)
    rights.do_close_account(member, remove_posts=remove_posts)
    assert not SafetyPlanStep.objects.exists()
    assert not SafetyPlan.objects.exists()


def test_a_clinician_closing_their_account_ends_the_share(pathway):
    member = make_member(pathway)
    clinician = staff(pathway)
    actions.do_save_step(member, Step.REASONS, "My son")
    actions.do_share(member, membership(clinician, pathway))
    rights.do_close_account(clinician, remove_posts=False)
    plan = SafetyPlan.objects.get(owner=member)
    assert plan.shared_with is None
    assert SafetyPlanStep.objects.filter(author=member).exists()
