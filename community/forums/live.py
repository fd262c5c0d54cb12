"""An open topic's new replies, live (decision 0031): the topic page watches
its topic through the bell's socket; a reply, once published (at once, or
when a moderator approves it), is announced to the topic's group by id on
commit; the page then fetches the replies after the last one it shows
(`new_replies`), rendered by the server through the access layer. The same
fetch is the catch-up after the socket was away, so nothing is missed and
nothing is shown twice."""

from django.http import Http404

from community.forums.models import Reply, Topic
from community.forums.permissions import access_topic
from community.forums.queries import replies_to
from community.models import User
from community.models.silence import silencing
from community.notifications.events import broadcast_on_commit, live_update_event
from community.notifications.watch import Watch, watchable
from community.social import actions as social

# The most replies one fetch returns; the page asks again from the last.
FETCH_LIMIT = 30


def topic_group(topic_id: int) -> str:
    """The channel-layer group of the sockets of pages showing one topic."""
    return f"topic-{topic_id}"


@watchable("topic")
def watch_topic(user: User, frame: dict) -> Watch | None:
    """`{"kind": "topic", "pathway": slug, "topic": id}`: the topic's group
    if `user` may read the topic (`access_topic`), with the people they
    blocked or muted; else None."""
    try:
        topic = access_topic(user, str(frame.get("pathway", "")), frame.get("topic"))
    except Http404:
        return None
    blocks, mutes = silencing(reader=user)
    silenced = set(blocks.values_list("blocked", flat=True))
    silenced.update(mutes.values_list("muted", flat=True))
    return Watch(topic_group(topic.pk), frozenset(silenced))


def after_reply_published(reply: Reply) -> None:
    """The reply kind's `published` hook: social's (activity, follow,
    notices), then, on commit, the live event to the pages showing the
    topic. Held replies reach here only when approved."""
    social.after_reply_published(reply)
    group = topic_group(reply.topic_id)
    broadcast_on_commit(
        group, live_update_event(group, "topic", reply.pk, reply.author_id)
    )


def new_replies(reader: User, topic: Topic, after: int) -> tuple[list[Reply], bool]:
    """The replies of `topic` the reader may see whose id is above `after`,
    oldest first, at most FETCH_LIMIT, and whether more follow. The caller
    asked the access layer for the topic."""
    replies = list(
        replies_to(reader, topic).filter(pk__gt=after).order_by("pk")[: FETCH_LIMIT + 1]
    )
    return replies[:FETCH_LIMIT], len(replies) > FETCH_LIMIT
