"""Shared fragments (cms/fragments.py) never leak: one reader warms each
fragment, another reads it — of another pathway, with another role, in
Welsh, having blocked or muted someone — and sees exactly what they would
with an empty cache; an edit, an unpublish or a deletion shows at once."""

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.test import RequestFactory
from django.utils import translation
from wagtail.models import Locale
from wagtail.rich_text import RichText

from cms import fragments
from community.models import Block, CrisisContact, Mute, Role
from home.models import PathwayPage
from home.translations import translate_page
from tests.caches import clear_cache
from tests.factories import (
    enrol_totp,
    make_blog_post,
    make_forum,
    make_member,
)

pytestmark = pytest.mark.django_db

# What differs between two responses to one reader whatever the cache holds.
_PER_RESPONSE = re.compile(r'(nonce|value|data-loaded)="[^"]*"')


def main_of(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    start, end = html.index("<main"), html.index("</main>")
    return _PER_RESPONSE.sub("", html[start:end])


def warm_and_cold(client, url: str) -> tuple[str, str]:
    """The page's main part for the signed-in reader with the cache as it is,
    then with it emptied."""
    warm = main_of(client.get(url))
    clear_cache()
    return warm, main_of(client.get(url))


def landing(pathway) -> PathwayPage:
    return PathwayPage.objects.get(pathway=pathway, locale__language_code="en")


def give_body(page, text: str) -> None:
    page.body = [("rich_text", RichText(f"<p>{text}</p>"))]
    page.save_revision().publish()


# The helpers -----------------------------------------------------------------


def test_a_bump_changes_every_key_of_the_family_and_no_other():
    body = fragments.fragment_key("page-body", [1, 2])
    crisis = fragments.fragment_key("crisis-contacts", [1])
    assert fragments.fragment_key("page-body", [1, 2]) == body
    fragments.bump("pages")
    assert fragments.fragment_key("page-body", [1, 2]) != body
    assert fragments.fragment_key("crisis-contacts", [1]) == crisis


def test_a_key_holds_the_language_and_every_value():
    with translation.override("en"):
        english = fragments.fragment_key("forum-list", [7])
        assert fragments.fragment_key("forum-list", [8]) != english
    with translation.override("cy"):
        assert fragments.fragment_key("forum-list", [7]) != english


def test_an_evicted_generation_never_comes_back_as_an_old_one():
    first = fragments.generations(["pages"])
    clear_cache()
    assert fragments.generations(["pages"]) != first


def test_an_unknown_fragment_is_a_template_error():
    with pytest.raises(TemplateSyntaxError):
        Template(
            '{% load fragments %}{% fragment "nobody-named-it" %}{% endfragment %}'
        )


def test_a_wagtail_preview_is_drawn_afresh_and_never_kept():
    template = Template(
        '{% load fragments %}{% fragment "page-body" 1 2 %}{{ text }}{% endfragment %}'
    )
    preview = RequestFactory().get("/")
    preview.is_preview = True
    draft = template.render(Context({"request": preview, "text": "draft words"}))
    live = template.render(
        Context({"request": RequestFactory().get("/"), "text": "live"})
    )
    assert draft == "draft words" and live == "live"


def test_a_fragment_is_escaped_as_it_was_drawn():
    template = Template(
        '{% load fragments %}{% fragment "header-service" %}{{ text }}{% endfragment %}'
    )
    assert template.render(Context({"text": "<b>"})) == "&lt;b&gt;"
    assert template.render(Context({"text": "other"})) == "&lt;b&gt;"


# Page bodies and a pathway's lists of pages ----------------------------------------


def test_a_page_body_stays_in_its_pathway(client, pathway, other_pathway):
    give_body(landing(pathway), "Only for perinatal members")
    give_body(landing(other_pathway), "Only for eating disorders members")
    client.force_login(make_member(pathway))
    assert "Only for perinatal members" in main_of(client.get(f"/{pathway.slug}/"))
    client.force_login(make_member(other_pathway))
    warm, cold = warm_and_cold(client, f"/{other_pathway.slug}/")
    assert warm == cold
    assert "Only for perinatal members" not in warm
    assert "Only for eating disorders members" in warm
    # And the page itself is still not found outside the pathway.
    assert client.get(f"/{pathway.slug}/").status_code == 404


def test_a_published_edit_and_an_unpublished_post_show_at_once(client, pathway):
    page = landing(pathway)
    give_body(page, "First words")
    post = make_blog_post(pathway, title="What helped me sleep")
    client.force_login(make_member(pathway))
    body = main_of(client.get(f"/{pathway.slug}/"))
    assert "First words" in body and "What helped me sleep" in body
    give_body(page, "Second words")
    post.unpublish()
    body = main_of(client.get(f"/{pathway.slug}/"))
    assert "Second words" in body and "First words" not in body
    assert "What helped me sleep" not in body


def test_a_deleted_post_and_a_renamed_author_show_at_once(client, pathway):
    peer = make_member(pathway, Role.PEER, display_name="Robin")
    post = make_blog_post(pathway, title="Small steps", owner=peer)
    kept = make_blog_post(pathway, title="Walking", owner=peer)
    client.force_login(make_member(pathway))
    assert "Small steps" in main_of(client.get(f"/{pathway.slug}/"))
    post.delete()
    peer.display_name = "Wren"
    peer.save()
    body = main_of(client.get(f"/{pathway.slug}/"))
    assert "Small steps" not in body and kept.title in body
    assert "by Wren" in body and "by Robin" not in body


def test_a_content_warning_page_body_is_shared_but_not_its_fold(client, pathway):
    post = make_blog_post(pathway, title="Hard days", content_warning="self-harm")
    give_body(post, "Words behind the fold")
    opener = make_member(pathway)
    opener.content_warnings = "expand"
    opener.save()
    client.force_login(opener)
    assert "<details" in main_of(client.get(post.url)) and " open>" in main_of(
        client.get(post.url)
    )
    client.force_login(make_member(pathway))
    warm, cold = warm_and_cold(client, post.url)
    assert warm == cold and "Words behind the fold" in warm and " open>" not in warm


def test_staff_tools_never_reach_a_member(client, pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    client.force_login(clinician)
    assert "Staff tools" in main_of(client.get(f"/{pathway.slug}/"))
    client.force_login(make_member(pathway))
    warm, cold = warm_and_cold(client, f"/{pathway.slug}/")
    assert warm == cold and "Staff tools" not in warm


# Crisis contacts -----------------------------------------------------------------


def test_crisis_contacts_stay_in_their_pathway_and_language(
    client, pathway, other_pathway, django_capture_on_commit_callbacks
):
    english, welsh = (
        Locale.objects.get(language_code="en"),
        Locale.objects.get(language_code="cy"),
    )
    contact = CrisisContact.objects.create(
        pathway=pathway, name="Perinatal crisis line", locale=english
    )
    CrisisContact.objects.create(
        pathway=pathway,
        name="Llinell argyfwng amenedigol",
        locale=welsh,
        translation_key=contact.translation_key,
    )
    CrisisContact.objects.create(
        pathway=other_pathway, name="Eating disorders line", locale=english
    )
    with django_capture_on_commit_callbacks(execute=True):
        landing_cy = translate_page(landing(pathway), welsh)
    client.force_login(make_member(pathway))
    assert "Perinatal crisis line" in main_of(client.get(f"/{pathway.slug}/"))
    warm, cold = warm_and_cold(client, landing_cy.url)
    assert warm == cold
    assert "Llinell argyfwng amenedigol" in warm
    assert "Perinatal crisis line" not in warm
    client.force_login(make_member(other_pathway))
    body = main_of(client.get(f"/{other_pathway.slug}/"))
    assert "Eating disorders line" in body and "Perinatal crisis line" not in body


def test_an_edited_crisis_contact_shows_at_once(client, pathway):
    contact = CrisisContact.objects.create(
        pathway=pathway, name="Old number", locale=Locale.get_default()
    )
    client.force_login(make_member(pathway))
    assert "Old number" in main_of(client.get(f"/{pathway.slug}/"))
    contact.name = "New number"
    contact.save()
    body = main_of(client.get(f"/{pathway.slug}/"))
    assert "New number" in body and "Old number" not in body
    contact.delete()
    assert "New number" not in main_of(client.get(f"/{pathway.slug}/"))


# Forum lists -----------------------------------------------------------------------


def test_a_forum_list_stays_in_its_pathway_and_follows_its_forums(
    client, pathway, other_pathway
):
    forum = make_forum(pathway, "Night owls")
    make_forum(other_pathway, "Meal support")
    client.force_login(make_member(pathway))
    url = f"/community/{pathway.slug}/forums/"
    assert "Night owls" in main_of(client.get(url))
    client.force_login(make_member(other_pathway))
    other_url = f"/community/{other_pathway.slug}/forums/"
    warm, cold = warm_and_cold(client, other_url)
    assert warm == cold and "Night owls" not in warm and "Meal support" in warm
    assert client.get(url).status_code == 404

    client.force_login(make_member(pathway))
    forum.name = "Early risers"
    forum.save()
    body = main_of(client.get(url))
    assert "Early risers" in body and "Night owls" not in body
    forum.delete()
    assert "Early risers" not in main_of(client.get(url))


def test_a_reader_who_blocked_and_muted_shares_nothing_of_it(client, pathway):
    """The shared fragments hold no member content, so a reader's blocks,
    mutes and mute words neither shape them nor are shaped by them: the
    pages read the same warm as cold for a reader who has none."""
    make_forum(pathway, "Night owls")
    peer = make_member(pathway, Role.PEER, display_name="Robin")
    make_blog_post(pathway, title="Small steps", owner=peer)
    silencer = make_member(pathway)
    Block.objects.create(blocker=silencer, blocked=peer)
    Mute.objects.create(muter=silencer, muted=peer)
    client.force_login(silencer)
    for url in [f"/{pathway.slug}/", f"/community/{pathway.slug}/forums/"]:
        main_of(client.get(url))
    client.force_login(make_member(pathway))
    for url in [f"/{pathway.slug}/", f"/community/{pathway.slug}/forums/"]:
        warm, cold = warm_and_cold(client, url)
        assert warm == cold


# The header ------------------------------------------------------------------------


def test_the_header_keeps_no_reader_in_it(client, pathway):
    first = make_member(pathway, display_name="Robin")
    client.force_login(first)
    client.get("/help/")
    second = make_member(pathway)
    client.force_login(second)
    html = client.get("/help/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert f"/people/{second.pk}/" in header and f"/people/{first.pk}/" not in header
    client.logout()
    html = client.get("/help/").content.decode()
    header = html[html.index("<header") : html.index("</header>")]
    assert "Sign in" in header and "Sign out" not in header


def test_a_warm_pathway_page_asks_the_database_less(client, pathway):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    give_body(landing(pathway), "Shared words")
    make_blog_post(pathway)
    CrisisContact.objects.create(
        pathway=pathway, name="Crisis line", locale=Locale.get_default()
    )
    client.force_login(make_member(pathway))
    with CaptureQueriesContext(connection) as cold:
        client.get(f"/{pathway.slug}/")
    with CaptureQueriesContext(connection) as warm:
        client.get(f"/{pathway.slug}/")
    assert len(warm) < len(cold)
    page = landing(pathway)
    with translation.override("en"):
        # The tag's first value is the reader's wording: False, not easy read.
        key = fragments.fragment_key(
            "page-body", [False, page.pk, page.live_revision_id]
        )
    assert "Shared words" in fragments.cache.get(key)


def test_a_topic_hidden_by_a_moderator_leaves_the_forum_at_once(client, pathway):
    """A forum's topics are not a shared fragment (they are filtered for each
    reader); a moderator's decision shows on the next page, and the pathway's
    cached list of forums around it does not hold it back."""
    from community.moderation.cases import do_decide_case, do_report
    from community.moderation.models import Decision, ModerationCase
    from tests.community.moderation.posting import moderator_of, post

    topic = post(pathway, title="A topic to hide")
    forum = topic.forum
    client.force_login(make_member(pathway))
    forums_url = f"/community/{pathway.slug}/forums/"
    forum_url = f"{forums_url}{forum.slug}/"
    assert forum.name in main_of(client.get(forums_url))
    assert "A topic to hide" in main_of(client.get(forum_url))
    do_report(make_member(pathway), topic, "unkind")
    do_decide_case(moderator_of(pathway), ModerationCase.objects.get(), Decision.HIDE)
    assert "A topic to hide" not in main_of(client.get(forum_url))
    assert forum.name in main_of(client.get(forums_url))


def test_easy_read_wording_is_its_own_variant_of_a_fragment(client, pathway):
    """The forum list and the pathway page's lists hold {% wording %} blocks
    (decision 0030): an easy-read reader's copy never reaches a usual reader,
    nor the other way round."""
    make_forum(pathway, "Night owls")
    make_blog_post(pathway, "A good week")
    easy = make_member(pathway)
    easy.easy_read, easy.easy_read_chosen = True, True
    easy.save()
    usual = make_member(pathway)
    usual.easy_read, usual.easy_read_chosen = False, True
    usual.save()
    lists = [f"/community/{pathway.slug}/forums/", landing(pathway).url]
    for url in lists:
        client.force_login(easy)
        client.get(url)
        client.force_login(usual)
        warm, cold = warm_and_cold(client, url)
        assert warm == cold
        client.force_login(easy)
        warm, cold = warm_and_cold(client, url)
        assert warm == cold
    client.force_login(usual)
    usual_forums = main_of(client.get(lists[0]))
    assert "There is nothing here yet" not in usual_forums
    assert "Talk with others" not in usual_forums
    client.force_login(easy)
    assert "Talk with others" in main_of(client.get(lists[0]))
