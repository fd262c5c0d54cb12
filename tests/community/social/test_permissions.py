"""The social wing's part of the access layer: who may take a wall message
off a wall."""

import pytest
from django.http import Http404

from community.actions import Refused
from community.social import actions as social
from community.social.models import WallPost
from community.social.permissions import access_removable_wall_post
from tests.factories import make_member, make_trusted

pytestmark = pytest.mark.django_db


def test_the_walls_owner_and_the_writer_may_remove_a_message(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    assert access_removable_wall_post(owner, post.pk) == post
    assert access_removable_wall_post(writer, str(post.pk)) == post


def test_a_reader_who_is_neither_is_refused_in_words(pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    with pytest.raises(Refused, match="owner or the writer"):
        access_removable_wall_post(make_member(pathway), post.pk)


def test_a_message_one_may_not_read_is_not_found(pathway, other_pathway):
    owner, writer = make_trusted(pathway), make_trusted(pathway)
    post = social.do_post_on_wall(writer, owner, pathway, "Hello").obj
    stranger = make_member(other_pathway)
    for user, pk in [(stranger, post.pk), (owner, 999_999), (owner, "x")]:
        with pytest.raises(Http404):
            access_removable_wall_post(user, pk)
    social.do_remove_wall_post(owner, post)
    assert WallPost.objects.filter(pk=post.pk).exists()
    with pytest.raises(Http404):  # already off the wall
        access_removable_wall_post(writer, post.pk)
