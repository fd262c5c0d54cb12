"""Search in a real browser on a phone: a member searches from the header box,
finds their pathway's topic, wall message and blog post and nothing of another
pathway, follows a result, and pages through; each page passes axe."""

import re

from playwright.sync_api import expect

from community.forums import actions as forums
from tests.factories import (
    make_blog_post,
    make_forum,
    make_trusted,
    make_wall_post,
)


def test_a_member_searches_from_the_header_on_a_phone(
    phone_page,
    pathway,
    other_pathway,
    sign_in,
    visit,
    follow,
    check_a11y,
    screenshot,
    fits_the_screen,
):
    author = make_trusted(pathway, display_name="Calm Harbour")
    forum = make_forum(pathway)
    topic = forums.do_start_topic(
        author, forum, "Evening walks", "A lighthouse walk helped me sleep."
    ).obj
    make_wall_post(author, author, pathway, "Saw the lighthouse again <today>")
    make_blog_post(pathway, "The lighthouse", introduction="A lighthouse story.")
    stranger = make_trusted(other_pathway)
    forums.do_start_topic(
        stranger, make_forum(other_pathway), "Elsewhere", "Lighthouse elsewhere."
    )
    member = make_trusted(pathway, display_name="Quiet Tide")

    page = phone_page
    sign_in(page, member)
    visit(page, "/help/")
    page.get_by_label("Search your communities").fill("lighthouse")
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).first.click()
    check_a11y(page)
    fits_the_screen(page)
    expect(page.locator("#results")).to_have_text("3 results for “lighthouse”")
    results = page.locator(".harbour-result")
    expect(results).to_have_count(3)
    expect(page.get_by_text("Elsewhere")).to_have_count(0)
    expect(page.get_by_text("Saw the lighthouse again <today>")).to_be_visible()
    expect(page.get_by_label("Search for")).to_have_value("lighthouse")
    screenshot(page, "search-390")

    follow(page, "Evening walks")
    assert page.url.endswith(f"/community/{pathway.slug}/topics/{topic.pk}/")

    # Too long a search: the page says so kindly, and the box keeps the text.
    visit(page, "/search/")
    page.get_by_label("Search for").evaluate("box => box.removeAttribute('maxlength')")
    page.get_by_label("Search for").fill("lighthouse " * 20)
    with page.expect_navigation():
        page.locator("form.harbour-search").get_by_role("button").click()
    check_a11y(page)
    expect(page.get_by_role("alert")).to_contain_text("That is longer than")
    fits_the_screen(page)


def test_search_results_page_through_on_a_phone(
    phone_page, pathway, sign_in, visit, check_a11y, fits_the_screen
):
    author = make_trusted(pathway)
    for n in range(23):
        make_wall_post(author, author, pathway, f"Harbour light number {n}")
    page = phone_page
    sign_in(page, make_trusted(pathway))
    visit(page, "/search/?q=light")
    expect(page.locator(".harbour-result")).to_have_count(20)
    fits_the_screen(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Next")).click()
    check_a11y(page)
    expect(page.locator(".harbour-result")).to_have_count(3)
    expect(page.get_by_label("Search for")).to_have_value("light")
