"""The account pages a member reaches (allauth's, in the NHS look) on a
390px phone: the account page with password and two-factor in plain sight
and real radios for the email addresses, and every sign-in and security
page, each checked with axe, for fitting the screen, and photographed
(/tmp/live-*.png, looked at)."""

from playwright.sync_api import expect

from tests.factories import PASSWORD, enrol_totp, make_member

SHOTS = "/tmp/live-account-{}.png"  # noqa: S108 - a fixed place to look at them


def look(page, name, visit, fits_the_screen, path=None):
    if path is not None:
        visit(page, path)
    fits_the_screen(page)
    page.screenshot(path=SHOTS.format(name), full_page=True)


def confirm_its_me(page, check_a11y):
    """Give the password again where allauth asks for it."""
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm", exact=True).click()
    check_a11y(page)


def test_the_account_page_and_the_pages_it_leads_to(
    phone_page, pathway, sign_in, visit, fits_the_screen, check_a11y
):
    member = make_member(pathway, display_name="Wren")
    page = phone_page
    visit(page, "/accounts/login/")
    look(page, "login", visit, fits_the_screen)
    sign_in(page, member)
    visit(page, "/accounts/email/")
    look(page, "email", visit, fits_the_screen)
    expect(page.get_by_role("heading", name="Your account", level=1)).to_be_visible()
    # Password and two-factor in plain sight.
    expect(page.get_by_role("link", name="Change your password")).to_be_visible()
    expect(
        page.get_by_role("link", name="Manage two-factor authentication")
    ).to_be_visible()
    # The email address is a real radio button, checked, with its label.
    radio = page.get_by_role("radio", name=member.email)
    expect(radio).to_be_checked()
    box = page.locator(".nhsuk-radios__label").first.bounding_box()
    assert box is not None and box["width"] > 40
    for name, path in (
        ("password-change", "/accounts/password/change/"),
        ("mfa", "/accounts/2fa/"),
    ):
        look(page, name, visit, fits_the_screen, path)
    # Turning two-factor on asks for the password again first.
    visit(page, "/accounts/2fa/totp/activate/")
    confirm_its_me(page, check_a11y)
    expect(page.get_by_role("img", name="QR code")).to_be_visible()
    look(page, "mfa-activate", visit, fits_the_screen)
    look(page, "logout", visit, fits_the_screen, "/accounts/logout/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url("**/")
    look(page, "password-reset", visit, fits_the_screen, "/accounts/password/reset/")


def test_the_two_factor_pages_of_a_member_who_turned_it_on(
    phone_page, pathway, sign_in, visit, fits_the_screen, check_a11y
):
    member = make_member(pathway, display_name="Linnet")
    page = phone_page
    sign_in(page, member)
    enrol_totp(member)  # turned on from this session (the sign-in code: test_chat)
    visit(page, "/accounts/email/")
    expect(
        page.locator(".nhsuk-summary-list").get_by_text("On", exact=True)
    ).to_be_visible()
    look(page, "reauthenticate", visit, fits_the_screen, "/accounts/reauthenticate/")
    confirm_its_me(page, check_a11y)
    for name, path in (
        ("mfa-on", "/accounts/2fa/"),
        ("mfa-deactivate", "/accounts/2fa/totp/deactivate/"),
        ("recovery-codes", "/accounts/2fa/recovery-codes/generate/"),
    ):
        look(page, name, visit, fits_the_screen, path)
