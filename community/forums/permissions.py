"""The forums wing's part of the access layer: which forum and topic a
reader may open. Built on the core's rules (community/permissions.py); each
`access_*` returns the object or raises Http404, alike for missing and
forbidden."""

from django.http import Http404

from community.forums.models import Forum, Topic
from community.inputs import with_id
from community.models import User
from community.permissions import (
    ROLE_CAPABILITIES,
    Capability,
    access_pathway,
    membership_by_slug,
    visible_content,
)


def access_forum(user: User, slug: str, forum_slug: str) -> Forum:
    """Forum `forum_slug` of pathway `slug` for an active member; else Http404."""
    pathway = access_pathway(user, slug)
    forum = Forum.objects.filter(pathway=pathway, slug=forum_slug).first()
    if forum is None:
        raise Http404("No such forum")
    return forum


def access_topic(user: User, slug: str, topic_id: object) -> Topic:
    """Topic `topic_id` of pathway `slug` if the reader may see it (see
    `visible_content`; moderators also see held and hidden topics); else
    Http404."""
    membership = membership_by_slug(user, slug)
    topics = Topic.objects.select_related("forum", "author", "pathway")
    if Capability.MODERATE in ROLE_CAPABILITIES[membership.role]:
        topics = topics.filter(pathway=membership.pathway)
    else:
        topics = visible_content(user, topics, membership.pathway)
    topic = with_id(topics, topic_id).first()
    if topic is None:
        raise Http404("No such topic")
    return topic
