"""The main pages at phone and desktop widths: each fits the screen without
sideways scrolling, passes axe, and is saved as a PNG for a person to look at
(test-artifacts/screenshots/)."""

from playwright.sync_api import expect
from wagtail.models import Locale

from community.actions import do_add_membership
from community.models import CrisisContact, Role
from community.queries import landing_url
from tests.factories import make_invitation, make_member


def test_main_pages_fit_and_are_captured(
    any_page, pathway, other_pathway, visit, sign_in, fits_the_screen, screenshot
):
    """Home (anonymous and signed in), the invitation and registration pages
    and a pathway page, at 390 and 1280 pixels wide."""
    page = any_page
    width = page.viewport_size["width"]
    # National contacts (Samaritans, NHS 111...) come with the migrations.
    locale = Locale.get_default()
    CrisisContact.objects.create(
        pathway=pathway,
        name="Perinatal crisis team",
        phone="0300 123 4567",
        description="Your care team's line, 9am to 9pm.",
        locale=locale,
    )
    invitation = make_invitation(pathway)
    member = make_member(pathway, Role.MEMBER, display_name="Morning Tide")
    do_add_membership(member, other_pathway, Role.CARER)

    visit(page, "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Harbour")
    screenshot(page, f"home-anonymous-{width}")
    fits_the_screen(page)

    visit(page, f"/join/{invitation.code}/")
    screenshot(page, f"invitation-{width}")
    fits_the_screen(page)

    visit(page, f"/accounts/signup/?code={invitation.code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Create your account")
    screenshot(page, f"registration-{width}")
    fits_the_screen(page)

    sign_in(page, member)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Morning Tide")
    expect(page.get_by_role("link", name="Eating disorders")).to_be_visible()
    screenshot(page, f"home-signed-in-{width}")
    fits_the_screen(page)

    visit(page, landing_url(pathway))
    expect(page.get_by_role("heading", level=1)).to_have_text("Perinatal care")
    expect(page.get_by_role("link", name="116 123")).to_have_attribute(
        "href", "tel:116123"
    )
    screenshot(page, f"pathway-{width}")
    fits_the_screen(page)
