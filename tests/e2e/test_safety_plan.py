"""A member writes their safety plan on a phone (390px), a step at a time,
with the crisis contacts suggested; keeps it on the phone; with no signal
the installed app's offline page shows it beside the crisis contacts;
turning keeping it off takes it off the phone; signing out forgets the
copy. Every page passes axe and fits the screen; the print page too."""

import re

import pytest
from playwright.sync_api import expect
from wagtail.models import Locale

from community.models import CrisisContact
from tests.e2e.conftest import PHONE, WATCH_CSP
from tests.e2e.waiting import CONTROLLED, KEPT_OFFLINE_PAGE, wait_until
from tests.factories import make_member

HOLDS = f"""async (words) => {{
  const kept = await ({KEPT_OFFLINE_PAGE})();
  return kept !== null && kept.includes(words);
}}"""
LACKS = f"""async (words) => {{
  const kept = await ({KEPT_OFFLINE_PAGE})();
  return kept === null || !kept.includes(words);
}}"""


@pytest.fixture
def phone(browser_type, browser_type_launch_args, tmp_path):
    """A 390px phone with a profile of its own (a service worker and its
    caches, as an installed app has)."""
    context = browser_type.launch_persistent_context(
        tmp_path / "profile",
        **browser_type_launch_args,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.add_init_script(WATCH_CSP)
    yield context.pages[0] if context.pages else context.new_page()
    context.close()


def test_a_member_writes_a_plan_and_finds_it_with_no_signal(
    phone,
    pathway,
    home,
    sign_in,
    visit,
    submit,
    follow,
    check_a11y,
    fits_the_screen,
    screenshot,
):
    page = phone
    CrisisContact.objects.create(
        pathway=pathway,
        name="Perinatal crisis line",
        phone="0800 111",
        locale=Locale.get_default(),
    )
    sign_in(page, make_member(pathway))

    # Found from the help page, where a member looks in a hard moment.
    visit(page, "/help/")
    follow(page, "Open my safety plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My safety plan")
    fits_the_screen(page)
    follow(page, "Start my plan")

    # One step at a time: the words, then on to the next.
    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    fits_the_screen(page)
    page.get_by_label("My warning signs").fill("Not sleeping\nWanting to die")
    submit(page, "Save and go to the next step")
    page.get_by_label("Things I can do on my own").fill("Walk the dog\nRun a bath")
    submit(page, "Save and go back to my plan")
    expect(page.get_by_text("Walk the dog")).to_be_visible()
    expect(page.get_by_text("Wanting to die")).to_be_visible()

    # The professionals step starts with the care team's crisis contacts.
    # The link's name ends with its step's (visually hidden beside "Write
    # this step"); Chromium may space the two parts either way.
    with page.expect_navigation():
        page.get_by_role(
            "link", name=re.compile(r"^Write this step\W+Professionals and crisis")
        ).click()
    expect(page.get_by_label("Professionals and crisis lines")).to_contain_text(
        "Perinatal crisis line: 0800 111"
    )
    submit(page, "Save and go back to my plan")
    screenshot(page, "safety-plan-390")

    # Printable: the print page passes axe and fits; its stylesheet is A4.
    follow(page, "Open my plan to print")
    fits_the_screen(page)
    page.emulate_media(media="print")
    expect(page.locator("header").first).to_be_hidden()
    page.emulate_media(media="screen")
    page.go_back()

    # Kept on this phone when chosen: the offline page shows it.
    wait_until(page, CONTROLLED)
    submit(page, "Keep my plan on this phone")
    wait_until(page, HOLDS, "Walk the dog")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("No signal right now")
    expect(page.get_by_text("Perinatal crisis line").first).to_be_visible()
    expect(page.get_by_text("Walk the dog")).to_be_visible()
    check_a11y(page)
    fits_the_screen(page)
    screenshot(page, "safety-plan-offline-390")
    page.context.set_offline(False)

    # Turned off: the copy on the phone no longer holds it.
    visit(page, "/account/safety-plan/")
    submit(page, "Stop keeping it on this phone")
    wait_until(page, LACKS, "Walk the dog")

    # On again, then signing out forgets the copy: a phone may be shared.
    submit(page, "Keep my plan on this phone")
    wait_until(page, HOLDS, "Walk the dog")
    page.goto(page.url.split("/account/")[0] + "/accounts/logout/")
    page.get_by_role("button", name="Sign Out").click()
    page.wait_for_url(lambda url: "/logout/" not in url)
    wait_until(page, f"async () => (await ({KEPT_OFFLINE_PAGE})()) === null")
