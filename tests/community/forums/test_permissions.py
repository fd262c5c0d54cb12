"""community.forums.permissions: a topic is opened only by the members of its
pathway who may read it; held topics by their author and moderators."""

import pytest
from django.http import Http404

from community.models import Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db

ALL_ROLES = list(Role)


def _topic(pathway, author=None):
    from community.forums import actions as forums
    from tests.factories import make_forum, make_trusted

    forum = pathway.forums.first() or make_forum(pathway)
    author = author or make_trusted(pathway)
    return forums.do_start_topic(author, forum, "Title", "Body").obj


@pytest.mark.parametrize("role", ALL_ROLES)
def test_access_topic_allows_members_and_denies_other_pathways(
    pathway, other_pathway, role
):
    from community.forums.models import Topic
    from community.forums.permissions import access_forum, access_topic
    from community.permissions import access_content

    topic = _topic(pathway)
    user = make_member(pathway, role)
    assert access_topic(user, pathway.slug, topic.pk) == topic
    assert access_forum(user, pathway.slug, topic.forum.slug) == topic.forum
    assert access_content(user, pathway.slug, Topic, topic.pk) == topic
    outsider = make_member(other_pathway, role)
    for call in (
        lambda: access_topic(outsider, pathway.slug, topic.pk),
        lambda: access_topic(outsider, other_pathway.slug, topic.pk),
        lambda: access_forum(outsider, pathway.slug, topic.forum.slug),
        lambda: access_content(outsider, other_pathway.slug, Topic, topic.pk),
        lambda: access_topic(user, pathway.slug, "not-a-number"),
        lambda: access_topic(user, pathway.slug, 999999),
    ):
        with pytest.raises(Http404):
            call()


@pytest.mark.parametrize(
    ("role", "sees_held"),
    [
        (Role.MEMBER, False),
        (Role.CARER, False),
        (Role.PEER, True),
        (Role.CLINICIAN, True),
        (Role.LEAD, True),
    ],
)
def test_held_topics_are_for_their_author_and_moderators(pathway, role, sees_held):
    from community.forums.permissions import access_topic

    author = make_member(pathway)
    held = _topic(pathway, author)
    assert access_topic(author, pathway.slug, held.pk) == held
    reader = make_member(pathway, role)
    if sees_held:
        assert access_topic(reader, pathway.slug, held.pk) == held
    else:
        with pytest.raises(Http404):
            access_topic(reader, pathway.slug, held.pk)
