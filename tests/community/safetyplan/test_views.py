"""The plan's pages: the member writes it a step at a time (bad input keeps
the words), shares it, keeps it offline, prints it; the chosen clinician
reads it (audited), anyone else gets "not found"; no page is ever stored by
the browser, and the plan page asks the app for a fresh offline copy."""

import pytest
from django.urls import reverse
from wagtail.models import Locale

from community.models import AuditEvent, CrisisContact, Role
from community.safetyplan import actions
from community.safetyplan.models import SafetyPlan, SafetyPlanStep, Step
from tests.factories import UserFactory, enrol_totp, make_member, membership

pytestmark = pytest.mark.django_db


def staff(pathway, role=Role.CLINICIAN):
    """Staff sign in with two factors; these have enrolled."""
    person = make_member(pathway, role)
    enrol_totp(person)
    return person


PLAN = reverse("community:safety_plan")


def _step_url(step):
    return reverse("community:safety_plan_step", kwargs={"step": step})


def test_the_plan_page_is_private_never_stored_and_renews_the_offline_copy(
    client, pathway
):
    member = make_member(pathway)
    actions.do_save_step(member, Step.REASONS, "My <b>garden</b>")
    client.force_login(member)
    response = client.get(PLAN)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Harbour-Offline"] == "renew"
    page = response.content.decode()
    assert "My garden" in page
    assert "<b>" not in page
    for step in Step:
        assert str(step.label) in page or step.label.replace("'", "&#x27;") in page


def test_signed_out_people_sign_in_first_and_people_in_no_pathway_get_not_found(
    client, pathway
):
    assert client.get(PLAN).status_code == 302
    client.force_login(UserFactory())
    assert client.get(PLAN).status_code == 404
    client.force_login(staff(pathway))
    assert client.get(PLAN).status_code == 200  # staff are people too


def test_a_step_is_saved_and_the_next_one_follows(client, pathway):
    member = make_member(pathway)
    client.force_login(member)
    response = client.post(
        _step_url("warning_signs"),
        {"body": "Not sleeping\nSkipping meals", "then": "next"},
    )
    assert response.status_code == 302
    assert response["Location"] == _step_url("coping")
    assert SafetyPlanStep.objects.get(author=member).entries == [
        "Not sleeping",
        "Skipping meals",
    ]
    back = client.post(_step_url("reasons"), {"body": "Mam", "then": "next"})
    assert back["Location"] == PLAN  # the last step goes back to the plan


def test_too_long_a_step_comes_back_with_the_words_and_a_kind_message(client, pathway):
    member = make_member(pathway)
    client.force_login(member)
    words = "Walk by the river " * 200
    response = client.post(_step_url("coping"), {"body": words})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep each step to 3,000 characters." in page
    assert "Walk by the river Walk by the river" in page
    assert not SafetyPlanStep.objects.exists()


def test_an_unknown_step_goes_back_to_the_plan(client, pathway):
    client.force_login(make_member(pathway))
    assert client.get(_step_url("nonsense"))["Location"] == PLAN


def test_the_professionals_step_starts_with_the_crisis_contacts(client, pathway):
    CrisisContact.objects.create(
        pathway=pathway,
        name="Perinatal crisis line",
        phone="0800 111",
        locale=Locale.get_default(),
    )
    client.force_login(make_member(pathway))
    page = client.get(_step_url("professionals")).content.decode()
    assert "Perinatal crisis line: 0800 111" in page
    assert "We have started this step" in page


def test_a_plan_with_risk_words_saved_from_the_page_raises_nothing(client, pathway):
    from community.moderation.models import ModerationCase, RiskAlert

    member = make_member(pathway)
    client.force_login(member)
    response = client.post(
        _step_url("warning_signs"), {"body": "I want to kill myself tonight"}
    )
    assert response.status_code == 302
    assert not RiskAlert.objects.exists()
    assert not ModerationCase.objects.exists()


def test_sharing_and_stopping_from_the_pages(client, pathway, other_pathway):
    member = make_member(pathway)
    clinician = staff(pathway)
    elsewhere = staff(other_pathway)
    client.force_login(member)
    page = client.get(reverse("community:safety_plan_share")).content.decode()
    assert clinician.display_name in page
    assert elsewhere.display_name not in page
    refused = client.post(
        reverse("community:safety_plan_share"),
        {"clinician": membership(elsewhere, other_pathway).pk},
    )
    assert refused.status_code == 200
    assert "Choose one of the clinicians listed" in refused.content.decode()
    assert SafetyPlan.objects.filter(shared_with__isnull=False).count() == 0
    client.post(
        reverse("community:safety_plan_share"),
        {"clinician": membership(clinician, pathway).pk},
    )
    assert SafetyPlan.objects.get(owner=member).shared_with == clinician
    client.post(reverse("community:safety_plan_share"), {"decision": "stop"})
    assert SafetyPlan.objects.get(owner=member).shared_with is None


def test_the_chosen_clinician_reads_it_audited_and_others_get_not_found(
    client, pathway, other_pathway
):
    member = make_member(pathway)
    clinician = staff(pathway)
    actions.do_save_step(member, Step.COPING, "Phone my brother")
    plan = actions.do_share(member, membership(clinician, pathway))
    url = reverse("community:shared_plan", kwargs={"pk": plan.pk})
    client.force_login(clinician)
    listed = client.get(reverse("community:shared_plans")).content.decode()
    assert member.display_name in listed
    response = client.get(url)
    assert response.status_code == 200
    assert "Phone my brother" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(
        action="safety_plan.view", actor=clinician
    ).exists()
    for other in (
        staff(pathway),
        staff(other_pathway),
        make_member(pathway),
    ):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert (
            member.display_name
            not in client.get(reverse("community:shared_plans")).content.decode()
        )


def test_the_offline_page_shows_the_plan_only_when_chosen(client, pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.REASONS, "The allotment")
    client.force_login(member)
    offline = reverse("offline")
    assert "The allotment" not in client.get(offline).content.decode()
    client.post(reverse("community:safety_plan_offline"), {"keep": "1"})
    assert "The allotment" in client.get(offline).content.decode()
    client.post(reverse("community:safety_plan_offline"), {"keep": "0"})
    assert "The allotment" not in client.get(offline).content.decode()
    client.post(reverse("community:safety_plan_offline"), {"keep": "1"})
    client.logout()
    assert "The allotment" not in client.get(offline).content.decode()


def test_keeping_it_offline_takes_a_post_only(client, pathway):
    client.force_login(make_member(pathway))
    assert client.get(reverse("community:safety_plan_offline")).status_code == 405


def test_the_print_page_holds_the_plan_and_the_print_stylesheet(client, pathway):
    member = make_member(pathway)
    actions.do_save_step(member, Step.PEOPLE, "Eluned")
    client.force_login(member)
    page = client.get(reverse("community:safety_plan_print")).content.decode()
    assert "Eluned" in page
    assert "safety-plan.css" in page


def test_the_help_page_links_to_the_plan_for_people_signed_in(client, pathway):
    assert PLAN not in client.get(reverse("help")).content.decode()
    client.force_login(make_member(pathway))
    assert PLAN in client.get(reverse("help")).content.decode()
