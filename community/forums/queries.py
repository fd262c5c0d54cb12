"""Reads for the forum pages, given a pathway the access layer has already
granted: forums, topics, replies and their counts, follows."""

from django.db.models import Count, Exists, OuterRef

from community.forums.models import Forum, Reply, Topic, TopicFollow
from community.models import ContentStatus, Pathway, User
from community.permissions import visible_content


def forums_of(pathway: Pathway):
    return Forum.objects.filter(pathway=pathway)


def topics_in(reader: User, forum):
    """The forum's topics the reader may see, pinned first then newest
    activity."""
    return (
        visible_content(reader, Topic.objects.filter(forum=forum), forum.pathway)
        .select_related("author")
        .order_by("-pinned", "-last_activity_at", "-pk")
    )


def reply_counts(topics) -> dict[int, int]:
    """Published replies of each of `topics` (one page of them), in one query.
    Counted per page, not annotated on the whole forum: a count over every
    topic before paging made a big forum's page slow (bench/pages.py)."""
    return dict(
        Reply.objects.filter(
            topic__in=[t.pk for t in topics], status=ContentStatus.PUBLISHED
        )
        .values_list("topic")
        .annotate(n=Count("pk"))
    )


def unanswered_topics(reader: User, pathway: Pathway):
    """Topics in `pathway` the reader may see that nobody but their author has
    replied to yet, longest waiting first (for peer supporters)."""
    answered = Reply.objects.filter(
        topic=OuterRef("pk"), status=ContentStatus.PUBLISHED
    ).exclude(author=OuterRef("author"))
    return (
        visible_content(reader, Topic.objects.filter(locked=False), pathway)
        .filter(status=ContentStatus.PUBLISHED)
        .exclude(Exists(answered))
        .select_related("author", "forum")
        .order_by("created_at", "pk")
    )


def follows_topic(user: User, topic) -> bool:
    return TopicFollow.objects.filter(topic=topic, user=user).exists()


def replies_to(reader: User, topic):
    """The topic's replies the reader may see, oldest first."""
    return visible_content(
        reader, Reply.objects.filter(topic=topic), topic.pathway
    ).select_related("author")
