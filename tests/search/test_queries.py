"""search.queries: what a reader may find, filtered inside the search query."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.search.backends import get_search_backend

from community import actions, permissions
from community.actions import do_add_mute_word, do_block, do_mute
from community.forums import actions as forums
from community.forums.models import Reply, Topic
from community.models import (
    Audience,
    Block,
    ContentStatus,
    Membership,
    MembershipStatus,
    Mute,
    Role,
    User,
)
from community.moderation.cases import do_decide_case, do_report
from community.moderation.models import Decision, ModerationCase, ReportReason
from community.social import actions as social
from community.social import permissions as social_permissions
from community.social.models import WallPost
from search import queries, recent
from tests.factories import (
    make_blog_post,
    make_forum,
    make_member,
    make_pathway,
    make_trusted,
    make_wall_post,
    membership,
)

WORD = "zephyrine"  # a word nothing else in the test data contains


def find(reader, query=WORD, pathways=None, site_wide=True):
    """(kind, title) of what `reader` finds, in the order shown."""
    pathways = queries.my_pathways(reader) if pathways is None else pathways
    hits = queries.search_everything(reader, query, pathways, site_wide=site_wide).hits
    return [(hit.kind, hit.title) for hit in hits]


def kinds(reader, **kwargs):
    return sorted(kind for kind, _title in find(reader, **kwargs))


def topic_by(author, forum, title="A good day", body=f"It was {WORD} today"):
    return forums.do_start_topic(author, forum, title, body).obj


def join(user, pathway, role=Role.MEMBER):
    actions.do_add_membership(user, pathway, role)
    return user


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def everything_in(pathway, author):
    """A topic, a reply, a wall message and a blog post, each with WORD."""
    topic = topic_by(author, make_forum(pathway, "Stories"), f"The {WORD} walk")
    forums.do_reply(author, topic, f"Yes, {WORD} again")
    make_wall_post(author, author, pathway, f"{WORD} on my wall")
    make_blog_post(pathway, f"Notes on {WORD}", introduction=f"About {WORD}.")
    return topic


# The backend --------------------------------------------------------------------------


def test_the_database_backend_uses_the_databases_own_full_text_search(db):
    """PostgreSQL full-text search on PostgreSQL, SQLite's FTS5 on SQLite: the
    database backend picks by vendor, and this checks it picked the real one
    (not the LIKE-based fallback) on whichever database the suite runs on.
    By name: each module imports only on its own database."""
    expected = {
        "postgresql": "modelsearch.backends.database.postgres.postgres."
        "PostgresSearchBackend",
        "sqlite": "modelsearch.backends.database.sqlite.sqlite.SQLiteSearchBackend",
    }
    backend = type(get_search_backend())
    assert f"{backend.__module__}.{backend.__qualname__}" == expected[connection.vendor]


def test_the_readers_rules_are_in_the_full_text_statements_themselves(
    pathway, forum, each_plan
):
    """Both full-text statements, the newest matches and the ranking of them,
    carry the reader's rules: nothing forbidden takes a place among the
    newest matches or is ranked."""
    reader = make_trusted(pathway)
    topic_by(reader, forum)
    with CaptureQueriesContext(connection) as captured:
        assert queries.search_everything(reader, WORD, [pathway], site_wide=False).hits
    match = "MATCH" if connection.vendor == "sqlite" else "@@"
    statements = [
        q["sql"]
        for q in captured.captured_queries
        if match in q["sql"] and 'FROM "community_topic"' in q["sql"]
    ]
    assert len(statements) == 2
    for sql in statements:
        # The reader's pathways, read from their active memberships.
        assert f'"community_topic"."pathway_id" IN ({pathway.pk})' in sql
        assert '"community_topic"."status" = \'published\'' in sql
        assert '"community_block"' in sql and '"community_mute"' in sql


def test_new_and_edited_content_is_found_by_its_current_words(pathway, forum):
    author = make_trusted(pathway)
    topic = topic_by(author, forum, body="Nothing special")
    reader = make_trusted(pathway)
    assert find(reader) == []
    social.do_edit(author, topic, {"body": f"Now with {WORD}"})
    assert find(reader) == [("topic", "A good day")]
    assert find(reader, "special") == []


def test_text_a_moderator_edited_out_is_not_found(pathway, forum):
    topic = topic_by(make_trusted(pathway), forum, body=f"Meet me at {WORD} Street")
    reader = make_trusted(pathway)
    do_report(reader, topic, ReportReason.RULES)
    do_decide_case(
        membership(make_member(pathway, Role.CLINICIAN), pathway),
        ModerationCase.objects.get(),
        Decision.EDIT_OUT,
        edited_text="Meet me somewhere safe",
    )
    assert find(reader) == []
    assert find(reader, "safe") == [("topic", "A good day")]


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ('"', False),
        ("zephyrine*", True),
        ("(zephyrine)", True),
        ('"zephyrine', True),
        ("zeph' OR 1=1 --", False),
        ("%s %", False),
    ],
)
def test_search_syntax_in_what_people_type_is_read_as_words(
    pathway, forum, query, finds
):
    topic_by(make_trusted(pathway), forum)
    expected = [("topic", "A good day")] if finds else []
    assert find(make_trusted(pathway), query) == expected


def test_punctuation_alone_searches_nothing(pathway, forum):
    topic_by(make_trusted(pathway), forum)
    assert queries.search_terms("?!* ()") == []
    assert find(make_trusted(pathway), "?!* ()") == []


# Pathways -----------------------------------------------------------------------------


def test_a_word_only_in_another_pathway_finds_nothing(pathway, other_pathway):
    everything_in(other_pathway, make_trusted(other_pathway))
    outsider = make_trusted(pathway)
    insider = make_trusted(other_pathway)
    assert find(outsider) == []
    assert kinds(insider) == ["page", "reply", "topic", "wall"]


def test_passing_another_pathway_still_finds_nothing_of_it(pathway, other_pathway):
    """The view passes only the reader's pathways; the query keeps to them
    whatever it is given."""
    everything_in(other_pathway, make_trusted(other_pathway))
    outsider = make_trusted(pathway)
    assert find(outsider, pathways=[other_pathway], site_wide=False) == []


def test_choosing_one_pathway_leaves_the_others_out(pathway, other_pathway):
    both = join(make_trusted(pathway), other_pathway)
    everything_in(other_pathway, make_trusted(other_pathway))
    assert len(find(both)) == 4
    assert find(both, pathways=[pathway], site_wide=False) == []
    assert len(find(both, pathways=[other_pathway], site_wide=False)) == 4


def test_a_suspended_member_finds_nothing_of_the_pathway(pathway):
    everything_in(pathway, make_trusted(pathway))
    reader = make_trusted(pathway)
    Membership.objects.filter(user=reader).update(status=MembershipStatus.SUSPENDED)
    assert find(reader) == []
    assert find(reader, pathways=[pathway]) == []


def test_site_wide_pages_are_found_by_everyone_signed_in(pathway, home):
    home.title = f"Welcome to {WORD}"
    home.save_revision().publish()
    assert find(make_trusted(pathway)) == [("page", f"Welcome to {WORD}")]
    assert find(make_trusted(pathway), pathways=[pathway], site_wide=False) == []


# Moderation ---------------------------------------------------------------------------


def test_held_content_is_found_only_by_its_author(pathway, forum):
    newcomer = make_member(pathway)  # not yet trusted: held
    topic = topic_by(newcomer, forum)
    assert topic.status == ContentStatus.HELD
    hits = queries.search_everything(newcomer, WORD, [pathway], site_wide=False).hits
    assert [(h.kind, h.status) for h in hits] == [("topic", ContentStatus.HELD)]
    assert find(make_trusted(pathway)) == []


def test_hidden_content_is_found_by_nobody(pathway, forum):
    author = make_trusted(pathway)
    topic = topic_by(author, forum)
    do_report(make_member(pathway), topic, ReportReason.UNKIND)
    do_decide_case(
        membership(make_member(pathway, Role.CLINICIAN), pathway),
        ModerationCase.objects.get(),
        Decision.HIDE,
    )
    assert find(author) == []
    assert find(make_trusted(pathway)) == []


def test_a_reply_under_a_hidden_topic_is_not_found(pathway, forum):
    author = make_trusted(pathway)
    topic = topic_by(author, forum, body="Plain words")
    forums.do_reply(author, topic, f"A {WORD} reply")
    reader = make_trusted(pathway)
    assert kinds(reader) == ["reply"]
    topic.status = ContentStatus.HIDDEN
    topic.save()
    assert find(reader) == []


# Blocks and mutes ---------------------------------------------------------------------


def test_posts_by_someone_the_reader_blocked_or_muted_are_not_found(pathway, forum):
    blocked, muted = make_trusted(pathway), make_trusted(pathway)
    topic_by(blocked, forum, "From blocked")
    make_wall_post(muted, muted, pathway, f"{WORD} from muted")
    reader = make_trusted(pathway)
    assert kinds(reader) == ["topic", "wall"]
    do_block(reader, blocked)
    do_mute(reader, muted)
    assert find(reader) == []
    assert Block.objects.count() == 1 and Mute.objects.count() == 1


def test_the_readers_mute_words_hide_what_contains_them(pathway, forum):
    topic_by(make_trusted(pathway), forum, body=f"{WORD} and chips")
    reader = make_trusted(pathway)
    do_add_mute_word(reader, "chips")
    assert find(reader) == []
    assert find(make_trusted(pathway)) == [("topic", "A good day")]


# Walls --------------------------------------------------------------------------------


def test_a_message_its_walls_owner_removed_is_not_found(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    social.do_post_on_wall(writer, owner, pathway, f"{WORD} for you")
    reader = make_trusted(pathway)
    assert kinds(reader) == ["wall"]
    social.do_remove_wall_post(owner, WallPost.objects.get())
    assert find(reader) == []
    assert find(writer) == []


def test_replies_under_a_removed_wall_message_are_not_found(pathway):
    owner = make_trusted(pathway)
    parent = make_wall_post(owner, owner, pathway, "Hello wall")
    make_wall_post(owner, owner, pathway, f"{WORD} reply", parent=parent)
    reader = make_trusted(pathway)
    assert kinds(reader) == ["wall"]
    social.do_remove_wall_post(owner, parent)
    assert find(reader) == []


@pytest.mark.parametrize(
    ("audience", "member_finds", "peer_finds"),
    [
        (Audience.MEMBERS, True, True),
        (Audience.STAFF, False, True),
        (Audience.NOBODY, False, False),
    ],
)
def test_a_wall_is_searched_only_by_whom_its_owner_shows_it_to(
    pathway, audience, member_finds, peer_finds
):
    owner = make_trusted(pathway)
    make_wall_post(owner, owner, pathway, f"{WORD} at home")
    User.objects.filter(pk=owner.pk).update(wall_audience=audience)
    member, peer = make_trusted(pathway), make_member(pathway, Role.PEER)
    assert bool(find(member)) is member_finds
    assert bool(find(peer)) is peer_finds
    assert find(owner) == [("wall", f"{owner.display_name}’s wall")]


def test_walls_open_to_agrees_with_the_access_layer(pathway, other_pathway):
    """The one-condition mirror matches `can_see_wall` and `access_profile`
    for owners of every kind."""
    reader = join(make_member(pathway, Role.PEER), other_pathway)
    third_pathway = make_pathway("Psychosis")
    owners = [reader]
    for audience in Audience.values:
        for where in (pathway, other_pathway, third_pathway):
            owners.append(make_trusted(where, wall_audience=audience))
    blocker = make_trusted(pathway)
    do_block(blocker, reader)
    gone = make_trusted(pathway, is_active=False)
    owners += [blocker, gone]
    for owner in owners:
        make_wall_post(
            owner, owner, owner.memberships.order_by("pk").first().pathway, "hello"
        )

    open_walls = set(
        WallPost.objects.filter(queries.walls_open_to(reader)).values_list(
            "owner_id", flat=True
        )
    )

    def may_open(owner):
        try:
            permissions.access_profile(reader, owner.pk)
        except Exception:  # noqa: BLE001 - Http404
            return False
        return social_permissions.can_see_wall(reader, owner)

    assert open_walls == {o.pk for o in owners if may_open(o)}
    assert reader.pk in open_walls and len(open_walls) == 1 + 2 + 1
    assert blocker.pk not in open_walls and gone.pk not in open_walls


def test_a_message_on_the_wall_of_someone_who_blocked_the_reader_is_hidden(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    make_wall_post(writer, owner, pathway, f"{WORD} for you")
    reader = make_trusted(pathway)
    assert kinds(reader) == ["wall"]
    do_block(owner, reader)
    assert find(reader) == []


# Results ------------------------------------------------------------------------------


def test_each_hit_links_where_the_reader_sees_it(pathway, forum):
    topic = everything_in(pathway, make_trusted(pathway))
    hits = {
        hit.kind: hit
        for hit in queries.search_everything(
            make_trusted(pathway), WORD, [pathway], site_wide=False
        ).hits
    }
    reply = topic.replies.get()
    post = WallPost.objects.get()
    assert hits["topic"].url == f"/community/{pathway.slug}/topics/{topic.pk}/"
    assert hits["reply"].url.endswith(f"/topics/{topic.pk}/#reply-{reply.pk}")
    assert hits["wall"].url == f"/people/{post.owner_id}/#wall-{post.pk}"
    assert hits["page"].url.endswith(f"/notes-on-{WORD}/")
    assert {hit.pathway for hit in hits.values()} == {pathway}
    assert hits["reply"].title == f"Reply in “The {WORD} walk”"
    assert hits["page"].excerpt == f"About {WORD}."
    assert [hit.label for hit in hits.values()] == [
        "Page",
        "Forum topic",
        "Reply",
        "Wall message",
    ]


def test_kinds_are_interleaved_each_in_its_own_rank_order(pathway, forum):
    author = make_trusted(pathway)
    for n in range(2):
        topic_by(author, forum, f"Topic {n}")
        make_wall_post(author, author, pathway, f"{WORD} wall {n}")
    found = [kind for kind, _title in find(make_trusted(pathway))]
    assert found == ["topic", "wall", "topic", "wall"]


def test_each_kind_is_cut_to_its_best_few(pathway, forum, monkeypatch):
    monkeypatch.setattr(queries, "MAX_PER_KIND", 2)
    author = make_trusted(pathway)
    for n in range(4):
        make_wall_post(author, author, pathway, f"{WORD} {n}")
    assert len(find(make_trusted(pathway))) == 2


# Ranking only the most recent matches -------------------------------------------------


# PostgreSQL has two ways to find the newest matches (search/recent.py); SQLite
# has one, so there the tests run once, not once per plan.
PLANS = ["walk", "index"] if connection.vendor == "postgresql" else ["one"]


@pytest.fixture(params=PLANS)
def each_plan(request, monkeypatch):
    """On PostgreSQL, each of the two ways `search.recent` finds the newest
    matches, whatever the planner's estimates would choose; elsewhere the one."""
    if request.param == "one":
        return
    monkeypatch.setattr(
        recent, "walk_is_cheaper", lambda *args: request.param == "walk"
    )


def test_the_walk_is_chosen_when_it_reads_fewer_rows_than_the_index(monkeypatch):
    """With n rows of a kind and m matching, the walk reads about
    limit * n / m rows, the full-text index m."""
    estimates = {"entries": 100_000.0}
    monkeypatch.setattr(recent, "_kind_sizes", {})
    monkeypatch.setattr(
        recent, "estimated_rows", lambda rows: estimates.get(rows, estimates["m"])
    )
    for m, walk in [(10_000.0, True), (1_000.0, False), (4_472.0, False)]:
        estimates["m"] = m
        assert recent.walk_is_cheaper(Reply, "entries", "matching", 200) is walk


def test_a_kinds_size_is_asked_once_a_while_per_kind(monkeypatch):
    """The planner's estimate of a kind's index entries only picks the plan:
    kept KIND_SIZE_SECONDS per process and kind, then asked again."""
    asked = []
    clock = [1000.0]
    monkeypatch.setattr(recent, "_kind_sizes", {})
    monkeypatch.setattr(recent.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(
        recent, "estimated_rows", lambda rows: asked.append(rows) or len(asked)
    )
    assert recent.kind_size(Reply, "replies") == 1
    assert recent.kind_size(Reply, "replies") == 1
    assert recent.kind_size(Topic, "topics") == 2
    clock[0] += recent.KIND_SIZE_SECONDS
    assert recent.kind_size(Reply, "replies") == 3
    assert asked == ["replies", "topics", "replies"]


def aged(row, days_ago):
    """`row` as if written `days_ago` days ago (the order the cap counts in)."""
    type(row).objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return row


def search(reader, pathways=None):
    pathways = queries.my_pathways(reader) if pathways is None else pathways
    return queries.search_everything(reader, WORD, pathways, site_wide=False)


def test_only_the_newest_matches_are_ranked(pathway, settings, each_plan):
    """With room for two matches, the oldest is not ranked, however well it
    would rank (the word three times and in the title), and the results say
    they were limited."""
    author = make_trusted(pathway)
    forum = make_forum(pathway)
    best = aged(topic_by(author, forum, f"{WORD} {WORD}", f"{WORD} {WORD} {WORD}"), 30)
    aged(topic_by(author, forum, "Second", f"Once {WORD}, among other words"), 20)
    aged(topic_by(author, forum, "Newest", f"Also {WORD}, among more words"), 10)
    reader = make_trusted(pathway)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 3
    found = search(reader)
    assert [hit.obj for hit in found.hits][0] == best and not found.limited

    settings.HARBOUR_SEARCH_RECENT_MATCHES = 2
    found = search(reader)
    assert {hit.title for hit in found.hits} == {"Newest", "Second"}
    assert found.limited


def test_the_newest_matches_are_ranked_among_themselves(pathway, settings, each_plan):
    """Within the newest matches, the best ranked comes first, not the newest."""
    author = make_trusted(pathway)
    forum = make_forum(pathway)
    aged(topic_by(author, forum, "Old", f"{WORD}"), 40)
    better = aged(topic_by(author, forum, f"{WORD} {WORD}", f"{WORD} {WORD}"), 30)
    aged(topic_by(author, forum, "Newest", f"Just {WORD}, said in passing"), 10)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 2
    found = search(make_trusted(pathway))
    assert [hit.obj for hit in found.hits][0] == better
    assert [hit.title for hit in found.hits][1] == "Newest" and found.limited


def test_the_cap_counts_per_kind(pathway, settings, each_plan):
    author = make_trusted(pathway)
    forum = make_forum(pathway)
    topic = aged(topic_by(author, forum), 10)
    forums.do_reply(author, topic, f"A {WORD} reply")
    make_wall_post(author, author, pathway, f"{WORD} on my wall")
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 1
    found = search(make_trusted(pathway))
    assert sorted(hit.kind for hit in found.hits) == ["reply", "topic", "wall"]
    assert not found.limited


def test_what_the_reader_may_not_see_never_takes_a_place_among_the_newest(
    pathway, other_pathway, settings, each_plan
):
    """With room for one match, the reader's one visible (and oldest) match is
    still found, and nothing newer that they may not see is: another
    pathway's, a blocked or muted author's, someone else's held post, a
    message its wall's owner removed. None of them used up the room, so the
    results are not limited either."""
    reader = make_trusted(pathway)
    author = make_trusted(pathway)
    forum = make_forum(pathway)
    visible = aged(topic_by(author, forum, "Visible"), 50)
    aged(make_wall_post(author, author, pathway, f"{WORD} visible"), 50)
    outsider = make_trusted(other_pathway)
    aged(topic_by(outsider, make_forum(other_pathway), "Elsewhere"), 1)
    aged(make_wall_post(outsider, outsider, other_pathway, f"{WORD} elsewhere"), 1)
    blocked, muted = make_trusted(pathway), make_trusted(pathway)
    do_block(reader, blocked)
    do_mute(reader, muted)
    for who in (blocked, muted):
        aged(topic_by(who, forum, f"By {who.display_name}"), 2)
        aged(make_wall_post(who, who, pathway, f"{WORD} by someone"), 2)
    held = topic_by(make_member(pathway), forum, "Held")  # a newcomer's: held
    assert held.status == ContentStatus.HELD
    aged(held, 3)
    removed = make_wall_post(author, author, pathway, f"{WORD} taken down")
    social.do_remove_wall_post(author, removed)
    aged(removed, 4)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 1

    found = search(reader)
    assert [(hit.kind, hit.obj) for hit in found.hits][0] == ("topic", visible)
    assert sorted(hit.kind for hit in found.hits) == ["topic", "wall"]
    assert all(hit.pathway == pathway for hit in found.hits)
    assert not found.limited
    # Even when asked for the other pathway, nothing of it is found.
    assert search(reader, [other_pathway]).hits == []


def test_the_readers_own_held_post_is_found_on_the_capped_path(
    pathway, settings, each_plan
):
    author = make_member(pathway)  # a newcomer: held
    forum = make_forum(pathway)
    aged(topic_by(make_trusted(pathway), forum, "Older"), 10)
    mine = topic_by(author, forum, "Mine")
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 1
    found = search(author)
    assert [(hit.obj, hit.status) for hit in found.hits] == [(mine, ContentStatus.HELD)]
    assert found.limited


def test_a_rare_word_is_not_limited(pathway, forum, settings, each_plan):
    topic_by(make_trusted(pathway), forum)
    settings.HARBOUR_SEARCH_RECENT_MATCHES = 1
    found = search(make_trusted(pathway))
    assert [hit.kind for hit in found.hits] == ["topic"] and not found.limited
    assert queries.search_everything(
        make_trusted(pathway), "nothingmatches", [pathway], site_wide=False
    ) == queries.Found([], False)


def test_an_excerpt_is_a_window_around_the_first_word_found():
    text = " ".join(["calm"] * 60 + ["zephyrine"] + ["sea"] * 60)
    piece = queries.excerpt(text, ["Zephyrine"], size=60)
    assert piece.startswith("…") and piece.endswith("…")
    assert "zephyrine" in piece and len(piece) <= 62
    assert queries.excerpt("Short and   sweet", ["x"]) == "Short and sweet"
    assert queries.excerpt("<b>kept as text</b>", []) == "<b>kept as text</b>"
