"""The search page through the test client: signed-in only, kind answers to
odd input, what a reader sees of each hit, nothing of another pathway, and the
same number of queries however many things match."""

import re

import pytest
from django.db import connection

from community import actions
from community.forums import actions as forums
from community.models import Role
from search.views import RESULTS_PER_PAGE
from tests.factories import (
    make_blog_post,
    make_forum,
    make_pathway,
    make_trusted,
    make_wall_post,
)

pytestmark = pytest.mark.django_db

WORD = "zephyrine"

# Session, user, the two-factor check, the reader's pathways; pages: landing
# pages, the active locale, other pathways' page paths, the ranked search, the
# specific rows (one page type here), the site's root paths; the searched
# pathways the reader may read; topics: the newest matches (on PostgreSQL after
# an EXPLAIN, the planner's estimate of the matches, which with its estimate of
# the kind's size, kept a while per process, chooses how: search/recent.py), the
# ranked search among them, then the rows read again through the access layer;
# replies and wall messages the same (the reader's mute words are read once
# for all of them); then the unread badge (a member has no Wagtail user bar).
# The same however many things match.
QUERIES_SEARCH = 22 + (3 if connection.vendor == "postgresql" else 0)


def signed_in(client, user):
    client.force_login(user)
    return user


def search(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def result_titles(page: str) -> list[str]:
    return re.findall(
        r'class="nhsuk-heading-s harbour-result__title"[^>]*>([^<]*)<', page
    )


def everything_in(pathway, n=1, **author):
    """`n` each of topics, replies, wall messages and blog posts with WORD."""
    author = make_trusted(pathway, **author)
    forum = make_forum(pathway, f"Forum {pathway.pk}")
    for i in range(n):
        topic = forums.do_start_topic(author, forum, f"Topic {i}", f"{WORD} {i}").obj
        forums.do_reply(author, topic, f"A {WORD} reply {i}")
        make_wall_post(author, author, pathway, f"{WORD} wall {i}")
        make_blog_post(pathway, f"Post {i}", introduction=f"{WORD} post {i}")


def test_signed_out_people_are_asked_to_sign_in(client):
    response = client.get("/search/", {"q": WORD})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/search/")


def test_the_header_has_a_search_box_for_signed_in_people_only(client, pathway):
    assert 'id="search-field"' not in client.get("/help/").content.decode()
    signed_in(client, make_trusted(pathway))
    page = client.get("/help/").content.decode()
    assert 'action="/search/"' in page and 'id="search-field"' in page


def test_the_page_alone_shows_the_box_and_a_hint(client, pathway):
    signed_in(client, make_trusted(pathway))
    for params in ({}, {"pathway": pathway.slug}):
        page = search(client, **params)
        assert 'name="q"' in page and "Type a word or two above" in page
        assert "results for" not in page and "There is a problem" not in page


@pytest.mark.parametrize("q", ["", "   "])
def test_an_empty_search_asks_kindly_for_a_word(client, pathway, q):
    signed_in(client, make_trusted(pathway))
    page = search(client, q=q)
    assert "There is a problem" in page
    assert "Type a word or two to search for." in page
    assert "results for" not in page


def test_a_very_long_search_gets_a_kind_error_and_no_search(client, pathway):
    everything_in(pathway)
    signed_in(client, make_trusted(pathway))
    page = search(client, q=f"{WORD} " + "a" * 200)
    assert "There is a problem" in page
    assert "That is longer than we can search for" in page
    assert "up to 200 characters" in page
    assert result_titles(page) == []


def test_results_show_their_kind_pathway_and_a_link(client, pathway):
    everything_in(pathway, display_name="Quiet Tide")
    signed_in(client, make_trusted(pathway))
    page = search(client, q=WORD)
    assert "4 results for “zephyrine”" in page
    for label in ("Page", "Forum topic", "Reply", "Wall message"):
        assert f">{label}</strong> · {pathway.name}" in page
    assert sorted(result_titles(page)) == sorted(
        ["Post 0", "Topic 0", "Reply in “Topic 0”", "Quiet Tide’s wall"]
    )
    assert f'href="/community/{pathway.slug}/topics/' in page


def test_member_text_in_excerpts_is_escaped(client, pathway):
    author = make_trusted(pathway)
    make_wall_post(author, author, pathway, f"<b>{WORD}</b> <script>alert(1)</script>")
    signed_in(client, make_trusted(pathway))
    page = search(client, q=WORD)
    assert f"&lt;b&gt;{WORD}&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_word_only_in_another_pathway_finds_nothing(client, pathway, other_pathway):
    everything_in(other_pathway)
    signed_in(client, make_trusted(pathway))
    page = search(client, q=WORD)
    assert "0 results for “zephyrine”" in page and "Nothing found" in page
    assert result_titles(page) == []


@pytest.mark.parametrize("slug", ["no-such-pathway", "OTHER", "", "\x00", "a" * 500])
def test_a_pathway_that_is_not_the_readers_means_all_of_theirs(
    client, pathway, other_pathway, slug
):
    third = make_pathway("Psychosis")
    for each in (pathway, other_pathway, third):
        everything_in(each)
    reader = signed_in(client, make_trusted(pathway))
    actions.do_add_membership(reader, third, Role.MEMBER)
    slug = other_pathway.slug if slug == "OTHER" else slug
    page = search(client, q=WORD, pathway=slug)
    assert "8 results for" in page and "There is a problem" not in page
    # (The slug typed is echoed only in the language switcher's own URL.)
    assert other_pathway.name not in page
    assert f'value="{other_pathway.slug}"' not in page


def test_choosing_one_of_the_readers_pathways(client, pathway, other_pathway):
    everything_in(pathway)
    everything_in(other_pathway)
    reader = signed_in(client, make_trusted(pathway))
    actions.do_add_membership(reader, other_pathway, Role.MEMBER)
    page = search(client, q=WORD)
    assert "8 results for" in page
    assert ">All my communities</option>" in page
    chosen = search(client, q=WORD, pathway=other_pathway.slug)
    assert "4 results for" in chosen
    assert f"</strong> · {pathway.name}" not in chosen
    assert f'<option value="{other_pathway.slug}" selected>' in chosen


def test_one_pathway_needs_no_choice_of_where(client, pathway):
    signed_in(client, make_trusted(pathway))
    assert 'name="pathway"' not in search(client, q=WORD)


def test_pages_of_results_keep_the_search(client, pathway):
    author = make_trusted(pathway)
    for i in range(RESULTS_PER_PAGE + 5):
        make_wall_post(author, author, pathway, f"{WORD} {i}")
    signed_in(client, make_trusted(pathway))
    first = search(client, q=WORD)
    assert "25 results for" in first
    assert len(result_titles(first)) == RESULTS_PER_PAGE
    assert f'href="?q={WORD}&amp;pathway=&amp;page=2"' in first
    second = search(client, q=WORD, page="2")
    assert len(result_titles(second)) == 5
    assert 'start="21"' in second
    assert len(result_titles(search(client, q=WORD, page="nonsense"))) == 20


@pytest.mark.parametrize("size", [3, 30])
def test_the_search_page_runs_a_constant_number_of_queries(
    client, pathway, size, django_assert_num_queries
):
    everything_in(pathway, size)
    signed_in(client, make_trusted(pathway))
    client.get("/search/", {"q": WORD})  # warm the session and per-process caches
    with django_assert_num_queries(QUERIES_SEARCH):
        page = search(client, q=WORD)
    assert f"{4 * size} results for" in page


LIMITED = "Showing the best matches from the most recent posts."


def test_the_page_says_kindly_when_results_come_from_the_most_recent_posts(
    client, pathway, settings
):
    everything_in(pathway, 3)
    signed_in(client, make_trusted(pathway))
    assert LIMITED not in search(client, q=WORD)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 2
    page = search(client, q=WORD)
    assert LIMITED in page and "add another word" in page
    # Three blog posts (pages are not capped) and two of each member kind.
    assert "9 results for" in page


def test_no_limit_is_mentioned_when_every_match_was_ranked(client, pathway, settings):
    everything_in(pathway, 2)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 2
    signed_in(client, make_trusted(pathway))
    page = search(client, q=WORD)
    assert "8 results for" in page and LIMITED not in page
