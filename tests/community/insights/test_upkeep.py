"""The insights' summaries follow the content whichever road writes it:
each person's posts per London day (AuthorDay) and each topic's first-reply
times (Topic.first_*_reply_at), through creation, moderation, deletion,
moves between pathways and a closed account; and the figures read from them
agree with the rows themselves (summary.rebuild)."""

import uuid
from datetime import UTC, date, timedelta

import pytest
import time_machine

from chat.models import Message, Room, RoomKind
from community.forums import actions as forums
from community.forums.models import Reply, Topic
from community.insights.figures import activity
from community.insights.models import AuthorDay, KindHour
from community.insights.periods import last_days
from community.insights.summary import rebuild
from community.models import ContentStatus, Membership, Role
from community.rights.actions import do_close_account
from tests.factories import _at, make_forum, make_member, make_wall_post


def days(pathway) -> dict[tuple[int, date], int]:
    return {
        (row.author_id, row.day): row.posts
        for row in AuthorDay.objects.filter(pathway=pathway)
    }


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def topic_by(author, forum, when: str) -> Topic:
    return Topic.objects.create(
        pathway=forum.pathway,
        forum=forum,
        author=author,
        title="T",
        body="B",
        created_at=_at(when),
    )


def reply_to(topic: Topic, author, when: str, **fields) -> Reply:
    return Reply.objects.create(
        pathway=topic.pathway,
        topic=topic,
        author=author,
        body="R",
        created_at=_at(when),
        **fields,
    )


def test_each_post_counts_on_its_london_day(pathway, forum):
    author, other = make_member(pathway), make_member(pathway)
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
    topic = topic_by(author, forum, "2026-07-01 23:30")
    reply_to(topic, author, "2026-07-02 08:00")
    make_wall_post(author, other, pathway, "W", created_at=_at("2026-07-01 12:00"))
    assert days(pathway) == {
        (author.pk, date(2026, 7, 2)): 2,
        (author.pk, date(2026, 7, 1)): 1,
    }


def test_a_chat_message_counts_and_a_deleted_row_no_longer(pathway):
    author = make_member(pathway)
    room = Room.objects.get(pathway=pathway, is_default=True)
    room.allocate_seq()
    message = Message.objects.create(
        pathway=pathway,
        room=room,
        author=author,
        body="C",
        seq=room.last_seq,
        client_id="00000000-0000-0000-0000-000000000001",
        created_at=_at("2026-01-05 10:00"),
    )
    assert days(pathway) == {(author.pk, date(2026, 1, 5)): 1}
    message.delete()
    assert days(pathway) == {}


def test_hiding_keeps_the_count_deleting_a_topic_takes_its_replies(pathway, forum):
    author, other = make_member(pathway), make_member(pathway)
    topic = topic_by(author, forum, "2026-02-02 10:00")
    reply = reply_to(topic, other, "2026-02-02 11:00")
    reply.status = ContentStatus.HIDDEN
    reply.save()  # as a moderator's decision saves it
    # Counted whatever became of it, as the activity figures count it.
    assert days(pathway)[(other.pk, date(2026, 2, 2))] == 1
    topic.delete()
    assert days(pathway) == {}


def test_a_move_to_another_pathway_or_day_moves_the_count(
    pathway, other_pathway, forum
):
    author = make_member(pathway)
    post = make_wall_post(
        author, author, pathway, "W", created_at=_at("2026-03-03 10:00")
    )
    post.pathway = other_pathway
    post.save(update_fields=["pathway"])
    assert days(pathway) == {}
    assert days(other_pathway) == {(author.pk, date(2026, 3, 3)): 1}
    post.created_at = _at("2026-03-04 10:00")
    post.save()
    assert days(other_pathway) == {(author.pk, date(2026, 3, 4)): 1}
    post.body = "edited"
    post.save(update_fields=["body"])  # names no counted field: no read
    assert days(other_pathway) == {(author.pk, date(2026, 3, 4)): 1}


def test_rebuild_counts_what_the_receivers_kept(pathway, other_pathway, forum):
    author, other = make_member(pathway), make_member(pathway)
    topic = topic_by(author, forum, "2026-04-01 10:00")
    for hour in (11, 12, 13):
        reply_to(topic, other, f"2026-04-01 {hour}:00")
    make_wall_post(author, other, pathway, "W", created_at=_at("2026-04-02 10:00"))
    kept = days(pathway)
    AuthorDay.objects.all().delete()
    assert rebuild(pathway) == 3
    assert days(pathway) == kept
    assert rebuild() == 3  # the other pathway has nothing
    assert days(pathway) == kept


def test_drift_is_repaired_and_a_drifted_row_never_fails_a_delete(pathway, forum):
    from io import StringIO

    from django.core.management import call_command

    author = make_member(pathway)
    topic = topic_by(author, forum, "2026-04-01 10:00")
    AuthorDay.objects.all().delete()  # as if written by raw SQL
    topic.delete()  # takes one from a row that is not there: no error
    topic_by(author, forum, "2026-04-01 10:00")
    AuthorDay.objects.update(posts=7)
    KindHour.objects.update(posts=3)
    out = StringIO()
    call_command("repair_insights", pathway=pathway.slug, stdout=out)
    assert days(pathway) == {(author.pk, date(2026, 4, 1)): 1}
    assert hours(pathway) == {("2026-04-01 10", "topic"): 1}
    assert "(2 rows differed)" in out.getvalue()
    assert "1 pathway-hours (2 differed)" in out.getvalue()


def firsts(topic: Topic):
    topic.refresh_from_db()
    return topic.first_member_reply_at, topic.first_staff_reply_at


def test_first_replies_by_members_and_staff_skip_the_authors_own(pathway, forum):
    author, member = make_member(pathway), make_member(pathway)
    peer = make_member(pathway, Role.PEER)
    topic = topic_by(author, forum, "2026-05-01 10:00")
    reply_to(topic, author, "2026-05-01 10:05")  # the author's own
    assert firsts(topic) == (None, None)
    reply_to(topic, peer, "2026-05-01 11:00")
    reply_to(topic, member, "2026-05-01 12:00")
    reply_to(topic, member, "2026-05-01 10:30", status=ContentStatus.HELD)
    assert firsts(topic) == (_at("2026-05-01 12:00"), _at("2026-05-01 11:00"))


def test_the_rule_held_hidden_and_deleted_replies(pathway, forum):
    """The first reply is the earliest published one by someone else, at the
    time it was written: a held reply counts once approved, a hidden or
    deleted one stops counting and the next takes its place."""
    author, member, later = (make_member(pathway) for _ in range(3))
    topic = topic_by(author, forum, "2026-05-01 10:00")
    held = reply_to(topic, member, "2026-05-01 10:30", status=ContentStatus.HELD)
    second = reply_to(topic, later, "2026-05-01 11:00")
    assert firsts(topic) == (_at("2026-05-01 11:00"), None)
    held.status = ContentStatus.PUBLISHED  # a moderator approves it
    held.save()
    assert firsts(topic) == (_at("2026-05-01 10:30"), None)
    held.status = ContentStatus.HIDDEN_BY_REPORTS
    held.save(update_fields=["status"])
    assert firsts(topic) == (_at("2026-05-01 11:00"), None)
    second.delete()
    assert firsts(topic) == (None, None)


def test_the_submission_road_keeps_both(pathway, forum):
    author, member = make_member(pathway), make_member(pathway)
    with time_machine.travel(_at("2026-06-01 09:00"), tick=False):
        topic = forums.do_start_topic(author, forum, "Hello", "First day").obj
    with time_machine.travel(_at("2026-06-01 10:00"), tick=False):
        reply = forums.do_reply(member, topic, "Welcome, glad you're here").obj
    # A new member's posts wait for a moderator (pre-moderation): not yet.
    assert reply.status == ContentStatus.HELD
    assert firsts(topic) == (None, None)
    reply.status = ContentStatus.PUBLISHED  # as the moderator's approval saves it
    reply.save()
    assert firsts(topic) == (_at("2026-06-01 10:00"), None)
    assert days(pathway) == {
        (author.pk, date(2026, 6, 1)): 1,
        (member.pk, date(2026, 6, 1)): 1,
    }


@pytest.mark.parametrize("remove_posts", [True, False])
def test_a_closed_account(pathway, forum, remove_posts):
    """Erasure hides the posts by update(), which sends no signal: it derives
    the first replies again itself. The person-days stay with the posts."""
    author, leaving, staying = (make_member(pathway) for _ in range(3))
    topic = topic_by(author, forum, "2026-05-01 10:00")
    reply_to(topic, leaving, "2026-05-01 10:30")
    reply_to(topic, staying, "2026-05-01 11:00")
    do_close_account(leaving, remove_posts=remove_posts)
    first = _at("2026-05-01 11:00" if remove_posts else "2026-05-01 10:30")
    assert firsts(topic) == (first, None)
    assert days(pathway)[(leaving.pk, date(2026, 5, 1))] == 1


def test_the_repair_derives_first_replies_again(pathway, forum):
    from django.core.management import call_command

    author, member = make_member(pathway), make_member(pathway)
    topic = topic_by(author, forum, "2026-05-01 10:00")
    reply_to(topic, member, "2026-05-01 10:30")
    Reply.objects.update(status=ContentStatus.HIDDEN)  # sends no signal
    assert firsts(topic)[0] is not None
    call_command("repair_insights", stdout=None)
    assert firsts(topic) == (None, None)


def test_an_active_member_on_the_edges_of_the_window(pathway, forum):
    """Active in 7 and 30 days, to the minute, from whole days in the
    summary and the part-days at the edges from the rows."""
    from community.insights.figures import _active_by_role, _active_from_days

    end = _at("2026-05-31 12:00")
    inside, edge, before, recent = (make_member(pathway) for _ in range(4))
    Membership.objects.filter(pathway=pathway).update(
        joined_at=end - timedelta(days=100)
    )
    # The 30 days start at 12:00 UTC on 1 May, the 7 days on 24 May.
    topic_by(inside, forum, "2026-05-10 10:00")  # a whole day inside
    topic_by(edge, forum, "2026-05-01 12:00")  # 30 days' first part-day
    topic_by(before, forum, "2026-05-01 11:59")  # the same day, just before
    topic_by(edge, forum, "2026-05-24 11:59")  # 7 days' first day, before
    topic_by(recent, forum, "2026-05-24 12:00")  # 7 days' first part-day
    topic_by(inside, forum, "2026-05-31 11:59")  # the last part-day
    assert _active_by_role(pathway, end) == {"member": (2, 3)}
    assert _active_from_days(pathway, end) == {"member": (2, 3)}


def test_the_latest_post_follows_creation_moves_and_deletion(pathway, forum):
    from community.insights.models import AuthorLatest

    author = make_member(pathway)

    def latest():
        return list(AuthorLatest.objects.values_list("last_at", flat=True))

    first = topic_by(author, forum, "2026-05-01 10:00")
    second = topic_by(author, forum, "2026-05-03 10:00")
    topic_by(author, forum, "2026-05-02 10:00")  # earlier than the latest
    assert latest() == [_at("2026-05-03 10:00")]
    second.delete()
    assert latest() == [_at("2026-05-02 10:00")]
    first.created_at = _at("2026-05-04 10:00")
    first.save()
    assert latest() == [_at("2026-05-04 10:00")]
    Topic.objects.all().delete()
    assert latest() == []


def test_active_members_who_wrote_after_the_end_and_in_the_past(
    pathway, forum, monkeypatch
):
    """Whoever wrote after the period's end is looked up in the person-days;
    a period in the past (many such people) is counted from them alone: the
    same figures either way."""
    from community.insights import figures

    end = _at("2026-05-31 12:00")
    both, after_only = make_member(pathway), make_member(pathway)
    Membership.objects.filter(pathway=pathway).update(
        joined_at=end - timedelta(days=100)
    )
    topic_by(both, forum, "2026-05-20 10:00")  # in the 30 days, not the 7
    topic_by(both, forum, "2026-06-02 10:00")  # after the end
    topic_by(after_only, forum, "2026-06-02 10:00")
    assert figures._active_by_role(pathway, end) == {"member": (0, 1)}
    monkeypatch.setattr(figures, "LATE_LIMIT", -1)
    assert figures._active_by_role(pathway, end) == {"member": (0, 1)}


def hours(pathway) -> dict[tuple[str, str], int]:
    return {
        (f"{row.hour.astimezone(UTC):%Y-%m-%d %H}", row.kind): row.posts
        for row in KindHour.objects.filter(pathway=pathway)
    }


def chat_message(room: Room, author, when: str) -> Message:
    room.allocate_seq()
    return Message.objects.create(
        pathway=room.pathway,
        room=room,
        author=author,
        body="C",
        seq=room.last_seq,
        client_id=str(uuid.uuid4()),
        created_at=_at(when),
    )


def test_each_post_counts_in_its_hour_by_kind(pathway, other_pathway, forum):
    author, other = make_member(pathway), make_member(pathway)
    topic = topic_by(author, forum, "2026-07-01 10:15")
    reply_to(topic, other, "2026-07-01 10:45")
    reply = reply_to(topic, other, "2026-07-01 11:05")
    make_wall_post(author, other, pathway, "W", created_at=_at("2026-07-01 10:30"))
    chat_message(
        Room.objects.get(pathway=pathway, is_default=True), other, "2026-07-01 10:59"
    )
    support = Room.objects.create(
        pathway=pathway, kind=RoomKind.SUPPORT, name="S", member=author
    )
    chat_message(Room.objects.get(pk=support.pk), author, "2026-07-01 11:00")
    kept = {
        ("2026-07-01 10", "topic"): 1,
        ("2026-07-01 10", "reply"): 1,
        ("2026-07-01 11", "reply"): 1,
        ("2026-07-01 10", "wall"): 1,
        ("2026-07-01 10", "chat"): 1,
        ("2026-07-01 11", "support"): 1,
    }
    assert hours(pathway) == kept

    KindHour.objects.all().delete()  # the repair counts them again alike
    rebuild()
    assert hours(pathway) == kept

    reply.created_at = _at("2026-07-01 12:10")  # moved in time
    reply.save()
    reply.pathway = other_pathway  # and to another pathway
    reply.save(update_fields=["pathway"])
    assert ("2026-07-01 11", "reply") not in hours(pathway)
    assert hours(other_pathway) == {("2026-07-01 12", "reply"): 1}
    topic.delete()  # its replies with it
    assert hours(pathway) == {
        ("2026-07-01 10", "wall"): 1,
        ("2026-07-01 10", "chat"): 1,
        ("2026-07-01 11", "support"): 1,
    }


def test_activity_counts_a_periods_partial_hours_from_the_content(pathway, forum):
    """ "The last 7 days" starts and ends inside an hour: the whole hours come
    from the summary, the minutes at either edge from the rows themselves."""
    author = make_member(pathway)
    topic = topic_by(author, forum, "2026-05-03 12:20")  # before the period
    for when in (
        "2026-05-03 12:40",  # the first minutes of the period
        "2026-05-05 03:00",  # a whole hour, out of hours
        "2026-05-07 13:00",  # a whole hour, in office hours (Thursday)
        "2026-05-10 12:10",  # the last minutes
        "2026-05-10 12:45",  # after its end
    ):
        reply_to(topic, author, when)
    # In the edge minutes a message's kind is its room's, as in the hours.
    room = Room.objects.get(pathway=pathway, is_default=True)
    chat_message(room, author, "2026-05-10 12:20")
    support = Room.objects.create(
        pathway=pathway, kind=RoomKind.SUPPORT, name="S", member=author
    )
    chat_message(Room.objects.get(pk=support.pk), author, "2026-05-10 12:25")
    chat_message(Room.objects.get(pk=support.pk), author, "2026-05-03 12:50")
    now = _at("2026-05-10 12:34")
    period = last_days(7, now)
    by_kind, outside, _weeks = activity(pathway, period)
    assert by_kind["reply"] == 4
    assert by_kind["topic"] == 0
    assert (by_kind["chat"], by_kind["support"]) == (1, 2)
    # 13:40 and 13:10 BST on a Sunday, 04:00 BST on a Tuesday: out of hours.
    assert outside["reply"] == 3
