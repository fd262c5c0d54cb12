"""community.templatetags.harbour: member text is escaped before the only
markup (paragraphs, line breaks, quotes) is added."""

import pytest

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


@pytest.mark.django_db
def test_a_role_badge_comes_from_the_membership_only(pathway, other_pathway):
    from community.queries import staff_roles_for
    from community.templatetags.harbour import role_badge
    from tests.factories import make_member

    reader = make_member(pathway)
    clinician = make_member(pathway, "clinician")
    peer = make_member(pathway, "peer")
    member = make_member(pathway, display_name="Sam Clinician-ish")
    elsewhere = make_member(other_pathway, "lead")
    roles = staff_roles_for(reader)
    assert "Clinician" in role_badge(roles, pathway.pk, clinician.pk)
    assert "harbour-role" in role_badge(roles, pathway.pk, clinician.pk)
    assert "Peer supporter" in role_badge(roles, pathway.pk, peer.pk)
    assert role_badge(roles, pathway.pk, member.pk) == ""
    # Staff of a pathway the reader is not in are nobody's business here.
    assert role_badge(roles, other_pathway.pk, elsewhere.pk) == ""
    assert role_badge(roles, None, clinician.pk) == ""


# Easy read: {% wording %} and nhs_field's easy labels (decision 0030) -----------


def test_wording_picks_the_easy_words_only_for_an_easy_read_reader():
    from django.template import Context, Template

    template = Template(
        "{% load harbour %}{% wording %}Post reply{% easy %}Send my answer"
        "{% endwording %}"
    )
    assert template.render(Context({"easy_read": True})) == "Send my answer"
    assert template.render(Context({"easy_read": False})) == "Post reply"
    assert template.render(Context({})) == "Post reply"


def test_nhs_field_uses_the_forms_easy_wording_and_leaves_the_form_alone():
    from django.template import Context, Template

    from community.web.forms import ReplyForm

    form = ReplyForm()
    template = Template("{% load harbour %}{% nhs_field form.body %}")
    easy = template.render(Context({"form": form, "easy_read": True}))
    usual = template.render(Context({"form": form, "easy_read": False}))
    assert "Write your answer here" in easy and "Other people will read it." in easy
    assert "Your reply" not in easy
    assert "Your reply" in usual and "Write your answer here" not in usual
    assert form["body"].label == "Your reply"
