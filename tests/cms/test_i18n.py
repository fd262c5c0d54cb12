"""English first, Welsh the second site language."""

import re
from html import unescape

import pytest

pytestmark = pytest.mark.django_db


def test_switching_to_welsh_keeps_the_page_and_marks_the_language(client, home):
    response = client.post(
        "/i18n/setlang/", {"language": "cy", "next": "/help/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/cy/help/"
    assert '<html lang="cy"' in response.content.decode()


def switch(client, path: str, code: str):
    """Press the footer's button for language `code` on page `path`, as a
    browser does (with the form's own `next`)."""
    body = client.get(path).content.decode()
    found = re.search(r'<input name="next" type="hidden" value="([^"]*)">', body)
    assert found, f"no language switcher on {path}"
    return client.post(
        "/i18n/setlang/",
        {"language": code, "next": unescape(found.group(1))},
        follow=True,
    )


def test_a_welsh_page_opened_by_a_link_switches_to_english(client, home):
    """No language cookie yet (the page came from a link in a Welsh email):
    "English" leads to the English page, not back to the Welsh one."""
    response = switch(client, "/cy/help/", "en")
    assert response.redirect_chain[-1][0] == "/help/"
    assert '<html lang="en"' in response.content.decode()


def test_the_buttons_go_both_ways_and_keep_the_page_and_its_query(client, home):
    response = switch(client, "/help/?from=footer", "cy")
    assert response.redirect_chain[-1][0] == "/cy/help/?from=footer"
    # Now with a Welsh cookie: English still wins, and the current
    # language's own button keeps the page (it led to /cy/cy/…, a 404).
    assert switch(client, "/cy/help/", "cy").redirect_chain[-1][0] == "/cy/help/"
    response = switch(client, "/cy/help/?from=footer", "en")
    assert response.redirect_chain[-1][0] == "/help/?from=footer"
    assert '<html lang="en"' in response.content.decode()


def test_english_has_no_prefix(client, home):
    body = client.get("/help/").content.decode()
    assert '<html lang="en"' in body
    assert "Get help now" in body


def test_content_locales_are_english_and_welsh():
    from django.conf import settings

    assert [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES] == ["en", "cy"]
    assert settings.LANGUAGE_CODE == "en"
