"""Timelines: every kind of entry, newest first; cursors that never skip or
repeat (even for entries made in the same instant); and nothing the reader
may not see."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community.actions import do_block
from community.forums import actions as forums
from community.forums.models import Topic
from community.social import actions as social
from community.social import timeline
from community.social.models import WallPost
from tests.factories import make_blog_post, make_forum, make_gift, make_trusted

pytestmark = pytest.mark.django_db


def kinds(entries):
    return [entry.kind for entry in entries]


def test_a_pathway_timeline_shows_each_kind_newest_first(home, pathway):
    a, b = make_trusted(pathway), make_trusted(pathway)
    forums.do_start_topic(a, make_forum(pathway), "Hello", "A good day")
    social.do_post_on_wall(b, a, pathway, "Thinking of you")
    social.do_post_on_wall(a, a, pathway, "One year", milestone=True)
    social.do_send_present(b, a, pathway, make_gift())
    make_blog_post(pathway, "What helped")
    entries, more = timeline.entries(a, [pathway])
    assert kinds(entries) == ["blog", "present", "milestone", "wall", "topic"]
    assert more is None


def test_cursor_pages_cover_everything_once_even_in_one_instant(pathway):
    a = make_trusted(pathway)
    forum = make_forum(pathway)
    for n in range(7):
        forums.do_start_topic(a, forum, f"Topic {n}", "Body")
        social.do_post_on_wall(a, a, pathway, f"Wall {n}")
    moment = timezone.now() - timedelta(minutes=1)
    Topic.objects.update(created_at=moment)
    WallPost.objects.filter(pk__in=WallPost.objects.all()[:3]).update(created_at=moment)
    seen, cursor = [], None
    while True:
        entries, cursor = timeline.entries(a, [pathway], cursor, size=4)
        seen += [(entry.kind, entry.obj.pk) for entry in entries]
        if cursor is None:
            break
    assert len(seen) == 14 and len(set(seen)) == 14


def test_a_malformed_cursor_starts_from_the_newest(pathway):
    a = make_trusted(pathway)
    social.do_post_on_wall(a, a, pathway, "Hello")
    for raw in ("", "nonsense", "1_2", "99999999999999999999_1_1", "-5_1_1"):
        entries, _next = timeline.entries(a, [pathway], raw)
        assert len(entries) == 1


def test_another_pathway_blocked_people_and_closed_walls_stay_out(
    home, pathway, other_pathway
):
    reader, friend = make_trusted(pathway), make_trusted(pathway)
    private, blocked = make_trusted(pathway), make_trusted(pathway)
    outsider = make_trusted(other_pathway)
    forums.do_start_topic(outsider, make_forum(other_pathway), "Elsewhere", "Hi")
    social.do_post_on_wall(outsider, outsider, other_pathway, "Not for you")
    make_blog_post(other_pathway, "Their blog")
    private.wall_audience = "staff"
    private.save()
    social.do_post_on_wall(private, private, pathway, "Only my care team")
    social.do_post_on_wall(blocked, blocked, pathway, "From someone blocked")
    do_block(reader, blocked)
    social.do_post_on_wall(friend, friend, pathway, "Hello all")
    entries, _ = timeline.entries(reader, [pathway])
    assert [entry.obj.body for entry in entries] == ["Hello all"]
    held = make_trusted(pathway)
    held.memberships.update(approved_posts=0)
    social.do_post_on_wall(held, held, pathway, "Held for now")
    assert len(timeline.entries(reader, [pathway])[0]) == 1
    own_view = {entry.obj.body for entry in timeline.entries(held, [pathway])[0]}
    assert own_view == {"Hello all", "From someone blocked", "Held for now"}


def test_the_home_feed_spans_the_readers_pathways(pathway, other_pathway):
    from community.models import Membership

    reader = make_trusted(pathway)
    Membership.objects.create(
        user=reader, pathway=other_pathway, status="active", approved_posts=99
    )
    a, b = make_trusted(pathway), make_trusted(other_pathway)
    social.do_post_on_wall(a, a, pathway, "In A")
    social.do_post_on_wall(b, b, other_pathway, "In B")
    from community.permissions import visible_pathways

    entries, _ = timeline.entries(reader, visible_pathways(reader))
    assert {entry.obj.body for entry in entries} == {"In A", "In B"}
    assert [e.obj.body for e in timeline.entries(a, visible_pathways(a))[0]] == ["In A"]
