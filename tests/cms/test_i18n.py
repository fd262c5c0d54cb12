"""English first, Welsh the second site language."""

import pytest

pytestmark = pytest.mark.django_db


def test_switching_to_welsh_keeps_the_page_and_marks_the_language(client, home):
    response = client.post(
        "/i18n/setlang/", {"language": "cy", "next": "/help/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/cy/help/"
    assert '<html lang="cy"' in response.content.decode()


def test_english_has_no_prefix(client, home):
    body = client.get("/help/").content.decode()
    assert '<html lang="en"' in body
    assert "Get help now" in body


def test_content_locales_are_english_and_welsh():
    from django.conf import settings

    assert [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES] == ["en", "cy"]
    assert settings.LANGUAGE_CODE == "en"
