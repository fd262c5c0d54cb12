"""Harbour installs as an app (issue #21, items 1 and 6), at 390px in
Chromium: the browser itself finds nothing stopping installation
(`Page.getInstallabilityErrors`), the service worker is registered and
keeps the member's offline page; with no signal a reload of a member's page
shows it with their pathway's crisis contacts; after signing out the
member's copy is gone from the phone."""

from playwright.sync_api import expect
from wagtail.models import Locale

from community.models import CrisisContact
from tests.e2e.waiting import CONTROLLED, KEPT_OFFLINE_PAGE, wait_until
from tests.factories import make_member


def test_a_member_installs_harbour_and_finds_help_with_no_signal(
    installing_phone,
    pathway,
    other_pathway,
    home,
    sign_in,
    visit,
    check_a11y,
    screenshot,
):
    page = installing_phone
    locale = Locale.get_default()
    CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", phone="0800 111", locale=locale
    )
    CrisisContact.objects.create(
        pathway=other_pathway, name="Eating disorders night line", locale=locale
    )
    sign_in(page, make_member(pathway))

    # Chromium's own verdict: installable.
    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"].endswith("/manifest.webmanifest")
    assert not manifest.get("errors"), manifest["errors"]

    # The worker controls the page and has kept this member's offline page.
    wait_until(page, CONTROLLED)
    wait_until(page, KEPT_OFFLINE_PAGE)
    kept = page.evaluate(KEPT_OFFLINE_PAGE)
    assert "Perinatal crisis line" in kept
    assert "Eating disorders night line" not in kept

    # No signal: a member's page reloads as the offline page, from the phone.
    visit(page, "/help/")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal right now")
    expect(page.get_by_text("Perinatal crisis line")).to_be_visible()
    expect(page.get_by_text("Samaritans")).to_be_visible()
    expect(page.get_by_text("Eating disorders night line")).to_have_count(0)
    check_a11y(page)  # and nothing blocked: no font from another host
    screenshot(page, "install-offline-390")
    page.context.set_offline(False)

    # Signing out forgets the member's copy: the phone may be shared.
    page.goto(page.url.split("/help/")[0] + "/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(lambda url: "/logout/" not in url)
    wait_until(page, f"async () => (await ({KEPT_OFFLINE_PAGE})()) === null")
    assert page.evaluate(KEPT_OFFLINE_PAGE) is None
