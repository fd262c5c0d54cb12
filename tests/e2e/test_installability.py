"""Chromium's own verdict that Harbour installs (issue #21, item 6), asked of
the DevTools protocol on a 390px phone. test_install.py asks it of a signed-in
member's page on the way to going offline; this asks it of the first page a
person ever sees, the home page before signing in, once the service worker
controls it (the state in which Chromium offers to install), and reads back
the manifest as Chromium parsed it: what a phone shows on its home screen."""

from tests.e2e.conftest import PHONE
from tests.e2e.waiting import CONTROLLED, wait_until


def test_the_home_page_is_installable_by_chromiums_own_account(
    installing_phone, home, live_server, check_a11y, fits_the_screen
):
    page = installing_phone
    page.goto(live_server.url + "/")
    check_a11y(page)
    fits_the_screen(page)
    assert page.viewport_size == PHONE
    wait_until(page, CONTROLLED)

    cdp = page.context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == [], errors

    manifest = cdp.send("Page.getAppManifest")
    assert manifest["url"] == live_server.url + "/manifest.webmanifest"
    assert manifest["errors"] == [], manifest["errors"]
    # Chromium's own parse of it (its enum and colour spellings): what a
    # phone puts on its home screen.
    parsed = manifest["manifest"]
    assert parsed["display"] == "kStandalone"
    assert parsed["name"] == "Harbour"
    assert parsed["scope"] == live_server.url + "/"
    assert parsed["startUrl"].startswith(live_server.url + "/")
    assert parsed["themeColor"] == "rgba(0,94,184,1)"  # NHS blue, #005eb8
    sizes = [icon["sizes"] for icon in parsed["icons"]]
    assert "192x192" in sizes and "512x512" in sizes, sizes
