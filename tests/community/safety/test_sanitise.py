"""Member text is stored as plain text: markup stripped, nothing executable."""

import pytest

from community.safety.sanitise import sanitise


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("<b>Hello</b> <script>alert(1)</script>there", "Hello there"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("I <3 you & the group", "I <3 you & the group"),
        ("fish &amp; chips", "fish & chips"),
        ("  line one\r\n\r\n\r\n\r\nline two  ", "line one\n\nline two"),
        ("abc\u202edef\x00", "abcdef"),
        ("cafe\u0301", "café"),
    ],
)
def test_sanitise_keeps_the_words_and_drops_the_markup(raw, clean):
    assert sanitise(raw) == clean


def test_too_long_text_is_refused_not_cut():
    with pytest.raises(ValueError, match="longer than 5"):
        sanitise("abcdefgh", max_length=5)
