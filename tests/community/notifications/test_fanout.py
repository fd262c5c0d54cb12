"""community.notifications.fanout: a reply's notices to its topic's followers
leave the request. The POST stores the reply and one fan-out row and queues
one task on commit, whatever the number of followers; the task (run here by
the database queue through `harbour_worker --once`, as production does)
stores the notices in bulk, with the checks every notice has (blocks, mutes,
active members of the pathway, never the author), tells nobody of a reply held
or removed since, and tells nobody twice however often it runs."""

import asyncio
from io import StringIO

import pytest
import time_machine
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from community.actions import do_block, do_mute
from community.forums import actions as forums
from community.forums.models import Reply
from community.models import ContentStatus, MembershipStatus, Role
from community.moderation.cases import do_decide_case
from community.moderation.models import ModerationCase
from community.notifications import fanout
from community.notifications.events import user_group
from community.notifications.models import FanOutState, NoticeFanOut, Notification
from community.social import actions as social
from tests.factories import make_forum, make_member, make_trusted, membership

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
FAN_OUT_TASK = "community.notifications.fanout.fan_out"


@pytest.fixture
def database_queue(settings):
    """Tasks go through the database queue the worker runs, as in production
    (the test settings' immediate backend would run the task inside the
    request's commit)."""
    settings.TASKS = DATABASE_QUEUE


@pytest.fixture
def forum(pathway):
    return make_forum(pathway)


def worker_pass():
    """One pass of the worker, each task committing on its own as in
    production; here inside the test's transaction."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("harbour_worker", "--once", stdout=StringIO(), stderr=StringIO())


def topic_with_followers(forum, count):
    author = make_trusted(forum.pathway)
    topic = forums.do_start_topic(author, forum, "Hello", "A good day").obj
    followers = [make_trusted(forum.pathway) for _ in range(count - 1)]
    for follower in followers:
        social.do_follow_topic(follower, topic)
    return topic, [author, *followers]


def reply(replier, topic, body="Sending strength"):
    """A reply as a request makes it: what waits for the commit runs then."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return forums.do_reply(replier, topic, body).obj


def notices(user, kind=None):
    found = Notification.objects.filter(user=user)
    return list(found.filter(kind=kind) if kind else found)


def listen(user):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(user.pk), channel)
    return channel


def heard(channel) -> list[dict]:
    """Every event waiting on `channel` (a short wait for none)."""
    layer = get_channel_layer()

    async def drain():
        events = []
        while True:
            try:
                events.append(await asyncio.wait_for(layer.receive(channel), 0.05))
            except TimeoutError:
                return events

    return async_to_sync(drain)()


# The request -----------------------------------------------------------------------


def test_a_reply_post_does_the_same_work_for_1_or_50_followers(
    client, forum, database_queue
):
    """The POST's queries (its commit and what runs on commit included) are
    the same with 1 follower and with 50: one fan-out row and one queued task,
    no notice yet. The worker then tells all 50."""
    counts = {}
    for size in (1, 50):
        topic, followers = topic_with_followers(forum, size)
        replier = make_trusted(forum.pathway)
        client.force_login(replier)
        url = f"/community/{forum.pathway.slug}/topics/{topic.pk}/"
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post(url, {"body": "Warm the session and the caches"})
        worker_pass()
        before = Notification.objects.count()
        queued = DBTaskResult.objects.filter(task_path=FAN_OUT_TASK).count()
        with (
            CaptureQueriesContext(connection) as queries,
            TestCase.captureOnCommitCallbacks(execute=True),
        ):
            response = client.post(url, {"body": "Sending strength"})
        assert response.status_code == 302
        counts[size] = len(queries)
        # Nothing per follower in the request: no notice, one task.
        assert Notification.objects.count() == before
        assert DBTaskResult.objects.filter(task_path=FAN_OUT_TASK).count() == queued + 1
        worker_pass()
        assert Notification.objects.count() == before + size
        assert all(len(notices(person, "reply")) == 2 for person in followers)
    assert counts[1] == counts[50]


def test_the_task_s_queries_do_not_grow_with_the_followers(forum, database_queue):
    counts = {}
    for size in (3, 30):
        topic, _followers = topic_with_followers(forum, size)
        reply(make_trusted(forum.pathway), topic)
        row = NoticeFanOut.objects.latest("pk")
        with CaptureQueriesContext(connection) as queries:
            assert fanout.run_fan_out(row.pk) == FanOutState.SENT
        counts[size] = len(queries)
        row.refresh_from_db()
        assert row.notices == size
    assert counts[3] == counts[30]


# Who hears ----------------------------------------------------------------------


def test_the_task_respects_blocks_mutes_the_pathway_and_the_author(
    forum, other_pathway, database_queue
):
    topic, (author, follower) = topic_with_followers(forum, 2)
    replier = make_trusted(forum.pathway, display_name="Kestrel")
    blocker, muter, leaver, gone = (make_trusted(forum.pathway) for _ in range(4))
    for person in (blocker, muter, leaver, gone):
        social.do_follow_topic(person, topic)
    do_block(blocker, replier)
    do_mute(muter, replier)
    leaver.memberships.update(status=MembershipStatus.SUSPENDED)
    gone.is_active = False
    gone.save()
    # Mentioned: a member who does not follow (told of the mention), the
    # topic's author, who follows (one notice, the reply's), and a member of
    # another pathway (never told).
    named = make_trusted(forum.pathway, display_name="Sunny Day")
    make_trusted(other_pathway, display_name="Rain Cloud")
    listening = {person: listen(person) for person in (author, follower, blocker)}
    written = reply(
        replier,
        topic,
        f"@Sunny Day @{author.display_name} @Rain Cloud thank you",
    )
    assert Notification.objects.count() == 0  # the request told nobody
    worker_pass()
    assert [n.kind for n in notices(author)] == ["reply"]
    assert [n.kind for n in notices(follower)] == ["reply"]
    assert [n.kind for n in notices(named)] == ["mention"]
    assert Notification.objects.count() == 3  # nobody else
    for nobody in (replier, blocker, muter, leaver, gone):
        assert notices(nobody) == []
    [notice] = notices(follower)
    assert notice.actor == replier and notice.pathway == forum.pathway
    assert notice.url.endswith(f"#reply-{written.pk}")
    assert "Kestrel" in notice.message and "thank you" not in notice.message
    # The bell hears at once of each stored notice, and only of those.
    for person in (author, follower):
        [event] = heard(listening[person])
        assert event["type"] == "notify" and event["kind"] == "reply"
    assert heard(listening[blocker]) == []


def test_a_reply_held_or_removed_before_its_task_runs_tells_nobody(
    forum, database_queue
):
    topic, (author,) = topic_with_followers(forum, 1)
    replier = make_trusted(forum.pathway)
    held = reply(replier, topic)
    removed = reply(replier, topic, "Another")
    # A moderator holds the first (e.g. on reports) and the second is removed
    # before the worker gets to them.
    Reply.objects.filter(pk=held.pk).update(status=ContentStatus.HELD)
    Reply.objects.filter(pk=removed.pk).delete()
    worker_pass()
    assert notices(author) == []
    assert set(NoticeFanOut.objects.values_list("state", flat=True)) == {
        FanOutState.WITHHELD
    }
    # Approved later, the held reply tells its followers then, once.
    ModerationCase.objects.create(
        pathway=forum.pathway,
        content_type=ContentType.objects.get_for_model(Reply),
        object_id=held.pk,
        author=replier,
        held=True,
    )
    peer = make_member(forum.pathway, Role.PEER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_decide_case(
            membership(peer, forum.pathway),
            ModerationCase.objects.get(object_id=held.pk),
            "approve",
        )
    worker_pass()
    assert [n.kind for n in notices(author)] == ["reply"]


def test_a_pre_moderated_reply_tells_its_followers_once_on_approval(
    forum, database_queue
):
    topic, (author,) = topic_with_followers(forum, 1)
    newcomer = make_member(forum.pathway)  # not yet trusted: held
    written = reply(newcomer, topic)
    assert written.status == ContentStatus.HELD
    worker_pass()
    assert notices(author) == [] and not NoticeFanOut.objects.exists()
    peer = make_member(forum.pathway, Role.PEER)
    with TestCase.captureOnCommitCallbacks(execute=True):
        do_decide_case(
            membership(peer, forum.pathway),
            ModerationCase.objects.get(object_id=written.pk),
            "approve",
        )
    assert notices(author) == []  # not in the moderator's request either
    worker_pass()
    assert [n.kind for n in notices(author)] == ["reply"]


# Once --------------------------------------------------------------------------------


def test_a_task_run_twice_or_queued_twice_tells_nobody_twice(forum, database_queue):
    topic, (author, follower) = topic_with_followers(forum, 2)
    written = reply(make_trusted(forum.pathway), topic)
    row = NoticeFanOut.objects.get()
    # The queue hands the same task to a second worker, and a retry comes.
    fanout.fan_out.enqueue(row.pk)
    worker_pass()
    assert fanout.run_fan_out(row.pk) == "skipped"
    # Announcing the reply again (as a second publish would) queues nothing.
    with TestCase.captureOnCommitCallbacks(execute=True):
        fanout.fan_out_on_commit(written)
    worker_pass()
    assert len(notices(author)) == len(notices(follower)) == 1
    assert NoticeFanOut.objects.get().state == FanOutState.SENT


def test_the_sweeper_queues_a_fan_out_whose_task_was_lost(forum, database_queue):
    topic, (author,) = topic_with_followers(forum, 1)
    with TestCase.captureOnCommitCallbacks(execute=False):
        # The process dies between the commit and the enqueue.
        forums.do_reply(make_trusted(forum.pathway), topic, "Hello")
    worker_pass()
    assert notices(author) == []
    with time_machine.travel(timezone.now() + fanout.SWEEP_GRACE):
        worker_pass()  # queued again by the sweeper, run by the same pass
    assert len(notices(author)) == 1
    with time_machine.travel(timezone.now() + 2 * fanout.SWEEP_GRACE):
        worker_pass()
    assert len(notices(author)) == 1


def test_the_task_waits_its_turn_ahead_of_deliveries(forum, database_queue):
    topic, _ = topic_with_followers(forum, 1)
    reply(make_trusted(forum.pathway), topic)
    task = DBTaskResult.objects.get(task_path=FAN_OUT_TASK)
    assert task.priority == fanout.PRIORITY > 0
