"""The community pages through the test client: joining, invitations, requests,
settings and help. Bad input is shown again with its message, never a 500."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from community.models import (
    CrisisContact,
    Invitation,
    JoinRequest,
    Membership,
    MembershipStatus,
    Role,
    User,
)
from tests.factories import (
    PASSWORD,
    UserFactory,
    enrol_totp,
    make_invitation,
    make_member,
    membership,
)

pytestmark = pytest.mark.django_db


def staff_client(client, pathway, role):
    user = make_member(pathway, role)
    enrol_totp(user)
    client.force_login(user)
    return user


def signup_data(**overrides):
    data = {
        "email": "newcomer@example.org",
        "display_name": "Kestrel",
        "date_of_birth_0": "2",
        "date_of_birth_1": "3",
        "date_of_birth_2": "1994",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "agree": "on",
    }
    data.update(overrides)
    return data


# Joining --------------------------------------------------------------------


def test_signup_with_an_invitation_joins_after_verifying_email(client, pathway):
    invitation = make_invitation(pathway, Role.MEMBER)
    page = client.get(f"/accounts/signup/?code={invitation.code}")
    assert f'value="{invitation.code}"' in page.content.decode()

    response = client.post(
        "/accounts/signup/", signup_data(invitation_code=invitation.code)
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Kestrel"
    assert membership(user, pathway).status == MembershipStatus.ACTIVE

    code = re.search(r"^(\d{6})$", mail.outbox[-1].body, re.M).group(1)
    verify = client.post(response.url, {"code": code}, follow=True)
    assert verify.status_code == 200
    assert verify.wsgi_request.user == user


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Enter the invitation code"),
        ("NOTAREALCODE", "couldn&#x27;t use that invitation code"),
    ],
)
def test_signup_without_a_good_code_keeps_what_was_typed(
    client, pathway, code, message
):
    response = client.post("/accounts/signup/", signup_data(invitation_code=code))
    body = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in body and message in body
    assert 'value="Kestrel"' in body and 'value="newcomer@example.org"' in body
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_signup_with_an_expired_code_is_told_to_ask_for_another(client, pathway):
    invitation = make_invitation(
        pathway, expires_at=timezone.now() - timedelta(hours=1)
    )
    response = client.post(
        "/accounts/signup/", signup_data(invitation_code=invitation.code)
    )
    assert "We couldn&#x27;t use that invitation code" in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_signup_too_young_is_refused_before_an_account_exists(client, pathway):
    pathway.minimum_age = 18
    pathway.save()
    invitation = make_invitation(pathway)
    year = timezone.localdate().year - 14
    response = client.post(
        "/accounts/signup/",
        signup_data(invitation_code=invitation.code, date_of_birth_2=str(year)),
    )
    assert "aged 18 or over" in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("kes@example.org", "email address"),
        ("Call 07700 900123", "phone number"),
        ("<b>Kestrel</b>", "Use letters"),
        ("ab", "at least 3"),
        ("newcomer", "part of your email"),
    ],
)
def test_display_names_never_carry_contact_details(client, pathway, name, message):
    invitation = make_invitation(pathway)
    response = client.post(
        "/accounts/signup/",
        signup_data(invitation_code=invitation.code, display_name=name),
    )
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_display_names_are_unique_ignoring_case(client, pathway):
    UserFactory(display_name="Kestrel")
    response = client.post(
        "/accounts/signup/",
        signup_data(
            invitation_code=make_invitation(pathway).code, display_name="KESTREL"
        ),
    )
    assert "Someone already uses that name" in response.content.decode()


def test_weak_passwords_are_refused(client, pathway):
    response = client.post(
        "/accounts/signup/",
        signup_data(
            invitation_code=make_invitation(pathway).code,
            password1="password123",
            password2="password123",
        ),
    )
    assert "too common" in response.content.decode()


def test_join_page_sends_a_good_code_on_and_explains_a_bad_one(client, pathway):
    invitation = make_invitation(pathway)
    good = client.post("/join/", {"code": invitation.code.lower()})
    assert good.url == f"/join/{invitation.code}/"
    bad = client.post("/join/", {"code": "WRONG"})
    assert bad.status_code == 200
    assert "couldn&#x27;t use that invitation code" in bad.content.decode()
    assert 'value="WRONG"' in bad.content.decode()


def test_invitation_page_names_the_pathway_only_for_a_good_code(client, pathway):
    invitation = make_invitation(pathway)
    assert pathway.name in client.get(f"/join/{invitation.code}/").content.decode()
    forged = client.get("/join/ZZZZZZZZZZ/")
    assert forged.status_code == 404
    assert pathway.name not in forged.content.decode()


def test_a_signed_in_member_redeems_another_invitation(client, pathway, other_pathway):
    user = make_member(pathway)
    client.force_login(user)
    invitation = make_invitation(other_pathway, Role.CARER)
    response = client.post(f"/join/{invitation.code}/")
    assert response.status_code == 302
    assert membership(user, other_pathway).role == Role.CARER
    again = client.post(f"/join/{invitation.code}/")
    assert again.status_code == 404
    assert "We couldn&#x27;t use that invitation code" in again.content.decode()


def test_join_request_through_the_page(client, pathway):
    pathway.allow_join_requests = True
    pathway.save()
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/join/request/", {"pathway": pathway.pk, "message": "Referred by my GP"}
    )
    assert response.status_code == 302
    assert JoinRequest.objects.filter(user=user, pathway=pathway).exists()
    twice = client.post("/join/request/", {"pathway": pathway.pk})
    assert "already asked" in twice.content.decode()


def test_join_request_to_an_invitation_only_pathway_is_not_offered(client, pathway):
    client.force_login(UserFactory())
    response = client.post("/join/request/", {"pathway": pathway.pk})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not JoinRequest.objects.exists()


# Staff: invitations ---------------------------------------------------------


def test_clinician_creates_an_invitation_and_sees_its_code(client, pathway):
    clinician = staff_client(client, pathway, Role.CLINICIAN)
    response = client.post(
        f"/community/{pathway.slug}/invitations/",
        {"role": Role.MEMBER, "count": 1, "days": 7, "note": "March list"},
    )
    invitation = Invitation.objects.get()
    assert invitation.created_by == clinician
    assert invitation.code in response.content.decode()


def test_batch_exports_a_csv_of_codes_and_links(client, pathway):
    staff_client(client, pathway, Role.LEAD)
    response = client.post(
        f"/community/{pathway.slug}/invitations/",
        {"role": Role.MEMBER, "count": 3, "days": 14},
    )
    assert response.status_code == 302
    exported = client.get(response.url + "?format=csv")
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    codes = set(Invitation.objects.values_list("code", flat=True))
    assert {row["code"] for row in rows} == codes
    assert all(row["link"].endswith(f"/join/{row['code']}/") for row in rows)


def test_invitation_form_errors_are_shown_again(client, pathway):
    staff_client(client, pathway, Role.CLINICIAN)
    response = client.post(
        f"/community/{pathway.slug}/invitations/",
        {"role": Role.LEAD, "count": 9999, "days": 14, "note": "keep me"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "nhsuk-error-summary" in body and 'value="keep me"' in body
    assert "Create up to 500 invitations at a time." in body
    assert not Invitation.objects.exists()


def test_clinician_withdraws_an_invitation(client, pathway):
    staff_client(client, pathway, Role.CLINICIAN)
    invitation = make_invitation(pathway)
    client.post(f"/community/{pathway.slug}/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.state == "revoked"


def test_no_one_withdraws_another_pathways_invitation(client, pathway, other_pathway):
    staff_client(client, pathway, Role.LEAD)
    theirs = make_invitation(other_pathway)
    response = client.post(f"/community/{pathway.slug}/invitations/{theirs.pk}/revoke/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "open"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CARER, Role.PEER])
def test_non_inviting_roles_get_not_found(client, pathway, role):
    staff_client(client, pathway, role)
    assert client.get(f"/community/{pathway.slug}/invitations/").status_code == 404


# Staff: requests and settings -----------------------------------------------


def test_clinician_approves_a_request(client, pathway):
    from community import actions

    pathway.allow_join_requests = True
    pathway.save()
    asker = UserFactory()
    join_request = actions.do_request_to_join(asker, pathway)
    staff_client(client, pathway, Role.CLINICIAN)
    page = client.get(f"/community/{pathway.slug}/requests/")
    assert asker.display_name in page.content.decode()
    client.post(
        f"/community/{pathway.slug}/requests/",
        {"request": join_request.pk, "decision": "approve"},
    )
    assert membership(asker, pathway).status == MembershipStatus.ACTIVE


def test_a_request_of_another_pathway_cannot_be_decided(client, pathway, other_pathway):
    from community import actions

    other_pathway.allow_join_requests = True
    other_pathway.save()
    asker = UserFactory()
    join_request = actions.do_request_to_join(asker, other_pathway)
    staff_client(client, pathway, Role.CLINICIAN)
    response = client.post(
        f"/community/{pathway.slug}/requests/",
        {"request": join_request.pk, "decision": "approve"},
    )
    assert response.status_code == 404
    assert membership(asker, other_pathway).status == MembershipStatus.PENDING


def test_lead_changes_settings_and_bad_values_are_explained(client, pathway):
    staff_client(client, pathway, Role.LEAD)
    url = f"/community/{pathway.slug}/settings/"
    form = {
        "name": pathway.name,
        "description": "For new parents",
        "premoderation_threshold": 2,
        "rule_packs": ["eating_disorders"],
        "minimum_age": 18,
        "direct_messages_allowed": "",
        "reports_to_hide": 3,
        "alert_acknowledge_minutes": 10,
    }
    assert client.post(url, form).status_code == 302
    pathway.refresh_from_db()
    assert pathway.minimum_age == 18 and pathway.rule_packs == ["eating_disorders"]
    assert pathway.direct_messages_allowed is False

    bad = client.post(url, {**form, "reports_to_hide": 0, "description": "kept"})
    assert bad.status_code == 200
    assert "nhsuk-error-summary" in bad.content.decode()
    assert "kept" in bad.content.decode()


def test_clinicians_cannot_change_settings(client, pathway):
    staff_client(client, pathway, Role.CLINICIAN)
    assert client.get(f"/community/{pathway.slug}/settings/").status_code == 404


# Help -------------------------------------------------------------------------


def test_help_shows_national_and_own_pathway_contacts_only(
    client, pathway, other_pathway
):
    from wagtail.models import Locale

    locale = Locale.get_default()
    CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", locale=locale
    )
    CrisisContact.objects.create(
        pathway=other_pathway, name="Other crisis line", locale=locale
    )
    anonymous = client.get("/help/").content.decode()
    assert "Samaritans" in anonymous and "999" in anonymous
    assert "crisis line" not in anonymous

    client.force_login(make_member(pathway))
    mine = client.get("/help/").content.decode()
    assert "Perinatal crisis line" in mine
    assert "Other crisis line" not in mine
    assert 'href="tel:116123"' in mine


def test_new_members_without_a_community_are_guided(client, home):
    client.force_login(UserFactory())
    body = client.get("/").content.decode()
    assert "not in a community yet" in body
    assert Membership.objects.count() == 0


def test_safety_page_explains_checks_in_plain_words(client, home):
    body = client.get("/safety/").content.decode()
    assert "What is checked automatically" in body
    assert "We never change them for you" in body
    assert "Who sees a risk alert, and what happens next" in body
    assert "the next person on the rota, then to the service lead" in body
    assert "Reporting, blocking and muting" in body
    assert 'href="/help/"' in body


def test_signup_links_to_the_safety_page_it_asks_people_to_read(client, home):
    assert 'href="/safety/"' in client.get("/accounts/signup/").content.decode()


def test_national_crisis_contacts_exist_without_demo_data(client, home):
    body = client.get("/help/").content.decode()
    for name in ("Samaritans", "NHS 111, option 2", "Emergency services", "Shout"):
        assert name in body
    assert CrisisContact.objects.filter(pathway=None).count() == 4


def test_invitation_states_are_shown_in_words(client, pathway):
    staff_client(client, pathway, Role.CLINICIAN)
    make_invitation(pathway, revoked_at=timezone.now())
    body = client.get(f"/community/{pathway.slug}/invitations/").content.decode()
    assert "Withdrawn" in body


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "1990", "Enter a real date of birth"),
        ("", "2", "1990", "Enter a day, month and year"),
        ("x", "2", "1990", "Use numbers only"),
        ("1", "1", str(timezone.localdate().year + 1), "Enter your real date of birth"),
    ],
)
def test_date_of_birth_mistakes_are_explained_and_kept(
    client, pathway, day, month, year, message
):
    response = client.post(
        "/accounts/signup/",
        signup_data(
            invitation_code=make_invitation(pathway).code,
            date_of_birth_0=day,
            date_of_birth_1=month,
            date_of_birth_2=year,
        ),
    )
    body = response.content.decode()
    assert message in body
    year_box = re.search(r'<input[^>]*name="date_of_birth_2"[^>]*>', body).group(0)
    assert f'value="{year}"' in year_box


def test_wrong_codes_are_limited_per_address_and_say_the_same(client, pathway):
    """Each wrong guess counts against the client's address; past the limit
    even a real code from there waits, while another address is unaffected."""
    from django.test import Client

    from community.actions import CODE_GUESSES_PER_ADDRESS, do_redeem_invitation

    real = make_invitation(pathway)
    used = make_invitation(pathway)
    do_redeem_invitation(make_member(pathway), used.code)
    said = "We couldn&#x27;t use that invitation code"
    forged, taken = (
        client.post("/join/", {"code": code}, REMOTE_ADDR="10.7.7.7").content.decode()
        for code in ("ZZZZZZZZZZ", used.code)
    )
    # The same words for a forged and a used code, and nothing else told.
    assert said in forged and said in taken
    assert forged.count(said) == taken.count(said)
    assert "already" not in taken
    for n in range(CODE_GUESSES_PER_ADDRESS - 2):
        client.get(f"/join/WRONGCODE{n}/", REMOTE_ADDR="10.7.7.7")
    paused = client.post("/join/", {"code": real.code}, REMOTE_ADDR="10.7.7.7")
    assert "paused checking codes" in paused.content.decode()
    elsewhere = Client().post("/join/", {"code": real.code}, REMOTE_ADDR="10.2.2.2")
    assert elsewhere.status_code == 302


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Dr \u0410sh", "letters from one alphabet"),
        ("Nurse Hazel", "Names can&#x27;t include words like nurse"),
        ("Staff Member", "Names can&#x27;t include words like nurse"),
    ],
)
def test_signing_up_as_a_member_under_a_name_that_passes_for_staff_is_refused(
    client, pathway, name, said
):
    invitation = make_invitation(pathway)
    response = client.post(
        "/accounts/signup/",
        signup_data(invitation_code=invitation.code, display_name=name),
    )
    assert said in response.content.decode()
    assert not User.objects.filter(email="newcomer@example.org").exists()


def test_someone_invited_as_staff_may_name_their_role(client, pathway):
    invitation = make_invitation(pathway, Role.CLINICIAN)
    response = client.post(
        "/accounts/signup/",
        signup_data(invitation_code=invitation.code, display_name="Nurse Hazel"),
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    assert user.display_name == "Nurse Hazel"
    assert user.display_name_skeleton == "nurse hazel"


# Easy read ----------------------------------------------------------------------


def test_a_lead_makes_easy_read_the_pathways_default(client, pathway):
    staff_client(client, pathway, Role.LEAD)
    url = f"/community/{pathway.slug}/settings/"
    assert "easy_read_by_default" in client.get(url).content.decode()
    form = {
        "name": pathway.name,
        "premoderation_threshold": 3,
        "minimum_age": 16,
        "reports_to_hide": 3,
        "alert_acknowledge_minutes": 15,
        "easy_read_by_default": "on",
    }
    assert client.post(url, form).status_code == 302
    pathway.refresh_from_db()
    assert pathway.easy_read_by_default


def test_easy_read_settings_ask_to_sign_in(client):
    response = client.get("/account/easy-read/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_member_turns_easy_read_on_and_off(client, pathway):
    member = make_member(pathway)
    client.force_login(member)
    page = client.get("/account/easy-read/").content.decode()
    assert 'value="off" id="id_easy_read_1" checked' in page

    response = client.post("/account/easy-read/", {"easy_read": "on"})
    assert response.status_code == 302 and response["Location"] == "/account/easy-read/"
    member.refresh_from_db()
    assert member.easy_read and member.easy_read_chosen
    page = client.get("/account/easy-read/").content.decode()
    assert "Easy read is on." in page
    assert 'class="harbour-easy-read ' in page

    client.post("/account/easy-read/", {"easy_read": "off"})
    member.refresh_from_db()
    assert not member.easy_read and member.easy_read_chosen


def test_the_quick_toggle_goes_back_to_the_page_it_was_on(client, pathway):
    member = make_member(pathway, easy_read=True)
    client.force_login(member)
    back = f"/community/{pathway.slug}/forums/?page=2"
    response = client.post("/account/easy-read/", {"easy_read": "off", "next": back})
    assert response["Location"] == back
    elsewhere = client.post(
        "/account/easy-read/",
        {"easy_read": "on", "next": "https://elsewhere.example/"},
    )
    assert elsewhere["Location"] == "/account/easy-read/"


def test_a_choice_not_offered_shows_the_form_again_kindly(client, pathway):
    member = make_member(pathway, easy_read=True)
    client.force_login(member)
    back = f"/community/{pathway.slug}/forums/"
    response = client.post("/account/easy-read/", {"easy_read": "maybe", "next": back})
    assert response.status_code == 200
    page = response.content.decode()
    assert "nhsuk-error-summary" in page and "Choose on or off." in page
    # What was sent is kept: the page to go back to, and nothing changed.
    assert f'value="{back}"' in page
    member.refresh_from_db()
    assert member.easy_read and not member.easy_read_chosen
