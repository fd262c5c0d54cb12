"""Journeys people take through Harbour in a real browser, each page checked
with axe-core (see conftest.py)."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from community.models import Invitation, Membership, Role, User
from community.queries import landing_url
from tests.factories import (
    PASSWORD,
    TOTP_SECRET,
    enrol_totp,
    make_invitation,
    make_member,
)


def fill_signup(page, *, display_name: str, email: str) -> None:
    """Everything on the sign-up form but the invitation code."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Day").fill("8")
    page.get_by_label("Month").fill("3")
    page.get_by_label("Year").fill("1994")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_label("I have read how Harbour keeps people safe").check()


def verification_code(mailoutbox, email: str) -> str:
    """The code in the last verification email sent to `email`."""
    message = [m for m in mailoutbox if email in m.to][-1]
    match = re.search(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})*)\s*$", message.body, re.M)
    assert match, f"no code in the verification email:\n{message.body}"
    return match.group(1)


def test_register_with_invitation_on_a_phone(
    phone_page, pathway, visit, follow, submit, mailoutbox
):
    """Someone given a clinician's invitation joins from their phone: invitation
    page, sign-up, the emailed code, and they land in their community."""
    clinician = make_member(pathway, Role.CLINICIAN)
    invitation = make_invitation(pathway, Role.MEMBER, created_by=clinician)
    page = phone_page

    visit(page, f"/join/{invitation.code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "You're invited to join Perinatal care"
    )
    follow(page, "Create your account")
    expect(page.get_by_label("Invitation code")).to_have_value(invitation.code)

    fill_signup(page, display_name="Quiet Tide", email="new.parent@example.org")
    submit(page, "Create account")

    page.get_by_label("Code").fill(
        verification_code(mailoutbox, "new.parent@example.org")
    )
    submit(page, "Confirm")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Quiet Tide")
    user = User.objects.get(email="new.parent@example.org")
    membership = Membership.objects.get(user=user, pathway=pathway)
    assert membership.role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.used_by == user
    assert invitation.used_at is not None

    visit(page, "/")
    expect(page.get_by_role("link", name="Perinatal care")).to_be_visible()
    follow(page, "Perinatal care")
    expect(page.get_by_role("heading", level=1)).to_have_text("Perinatal care")
    assert page.url.endswith(landing_url(pathway))


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        pytest.param("forged", "We couldn't use that invitation code.", id="forged"),
        pytest.param("expired", "We couldn't use that invitation code.", id="expired"),
    ],
)
def test_signup_with_a_bad_code_keeps_what_was_typed(
    page, pathway, visit, submit, kind, message
):
    """A forged or expired code gets the NHS error summary with a kind message,
    and nothing the person typed has to be typed again."""
    if kind == "expired":
        code = make_invitation(
            pathway, expires_at=timezone.now() - timedelta(days=1)
        ).code
    else:
        code = "ZZZZ-ZZZZ-ZZ"

    visit(page, f"/accounts/signup/?code={code}")
    typed_code = page.get_by_label("Invitation code").input_value()
    assert typed_code.replace("-", "") == code.replace("-", "")
    fill_signup(page, display_name="Sea Glass", email="sea.glass@example.org")
    submit(page, "Create account")

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(
        summary.get_by_role("link", name=re.compile(re.escape(message)))
    ).to_have_attribute("href", "#id_invitation_code")
    expect(page.get_by_label("Invitation code")).to_have_value(typed_code)
    expect(page.get_by_label("Display name")).to_have_value("Sea Glass")
    expect(page.get_by_label("Email", exact=True)).to_have_value(
        "sea.glass@example.org"
    )
    expect(page.get_by_label("Year")).to_have_value("1994")
    assert not User.objects.filter(email="sea.glass@example.org").exists()


def test_clinician_signs_in_with_two_factor_and_invites(
    any_page, pathway, follow, submit, sign_in, fits_the_screen, screenshot
):
    """A clinician, on a phone or at a desk, signs in with password and
    authenticator code, opens their community, creates one invitation, then a
    batch of three with a CSV."""
    page = any_page
    width = page.viewport_size["width"]
    clinician = make_member(pathway, Role.CLINICIAN, display_name="Dr Willow")
    enrol_totp(clinician, TOTP_SECRET)

    sign_in(page, clinician, totp_secret=TOTP_SECRET)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dr Willow")

    follow(page, "Perinatal care")
    expect(page.get_by_role("heading", level=1)).to_have_text("Perinatal care")
    follow(page, "Invite people")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Invite people to Perinatal care"
    )

    page.get_by_label("They will join as").select_option(label="Member")
    page.get_by_label("How many invitations").fill("1")
    page.get_by_label("Note for the care team").fill("Tuesday clinic")
    submit(page, "Create invitations")

    invitation = Invitation.objects.get(created_by=clinician)
    assert invitation.pathway == pathway
    assert invitation.role == Role.MEMBER
    assert invitation.note == "Tuesday clinic"
    assert invitation.batch is None
    created = page.get_by_role("status").filter(has_text="Invitation created")
    expect(created).to_contain_text(invitation.code)
    expect(created.get_by_role("link", name=invitation.code)).to_have_attribute(
        "href", f"/join/{invitation.code}/"
    )
    screenshot(page, f"invitation-created-{width}")
    fits_the_screen(page)

    page.get_by_label("How many invitations").fill("3")
    page.get_by_label("Note for the care team").fill("March waiting list")
    submit(page, "Create invitations")

    batch = Invitation.objects.filter(created_by=clinician, batch__isnull=False)
    codes = list(batch.order_by("pk").values_list("code", flat=True))
    assert len(codes) == 3
    expect(page.get_by_role("heading", level=1)).to_have_text("3 invitations created")
    expect(page.locator("li.harbour-code")).to_have_text(codes)
    screenshot(page, f"invitation-batch-{width}")
    fits_the_screen(page)

    csv_link = page.get_by_role("link", name="Download the codes and links (CSV)")
    response = page.request.get(csv_link.evaluate("link => link.href"))
    assert response.ok
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text())))
    assert [row["code"] for row in rows] == codes
    assert {row["note"] for row in rows} == {"March waiting list"}
    assert all(row["link"].endswith(f"/join/{row['code']}/") for row in rows)


def test_staff_without_two_factor_are_sent_to_set_it_up(
    page, pathway, visit, submit, sign_in
):
    """A peer supporter with no authenticator app signs in and is sent to set
    one up, not into their community."""
    peer = make_member(pathway, Role.PEER)

    sign_in(page, peer)

    # allauth asks for the password again before it shows a new TOTP secret:
    # a sign-in a moment ago does not count as a recent re-authentication.
    assert "/accounts/reauthenticate/" in page.url
    expect(page.get_by_role("status")).to_contain_text(
        "Staff accounts need two-factor authentication."
    )
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, "Confirm")

    assert page.url.endswith("/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Set up an authenticator app"
    )
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    expect(page.get_by_label("Authenticator code")).to_be_editable()

    # Until it is set up, every page but the account and help pages leads back.
    visit(page, landing_url(pathway))
    assert page.url.endswith("/accounts/2fa/totp/activate/")


def test_pathway_page_is_not_found_outside_the_pathway(
    page, pathway, other_pathway, visit, sign_in
):
    """A pathway's landing page does not exist for anyone outside it: a member
    of another pathway and an anonymous visitor both get "Page not found"."""
    path = landing_url(pathway)
    assert path != "/"

    response = visit(page, path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Perinatal care")

    outsider = make_member(other_pathway, Role.MEMBER)
    sign_in(page, outsider)
    response = visit(page, path)
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("main")).not_to_contain_text("Perinatal care")
