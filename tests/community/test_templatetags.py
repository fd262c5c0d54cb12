"""community.templatetags.harbour: member text is escaped before the only
markup (paragraphs, line breaks, quotes) is added."""

from community.templatetags.harbour import lookup, member_text


def test_member_text_escapes_everything_including_quotes():
    html = member_text(
        '> <script>alert(1)</script>\n> "quoted"\n\n<b>hi</b> & bye\nline two'
    )
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<blockquote class="harbour-quote"><p>&lt;script&gt;' in html
    assert "<p>&lt;b&gt;hi&lt;/b&gt; &amp; bye<br>line two</p>" in html


def test_member_text_of_nothing_is_empty():
    assert member_text("") == "" and member_text(None) == ""


def test_lookup_reads_a_dict_or_gives_none():
    assert lookup({1: "a"}, 1) == "a"
    assert lookup(None, 1) is None
