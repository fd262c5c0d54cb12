"""The one block/mute filter: a reader does not see what the people they
blocked or muted wrote, and those who silenced an author hear nothing of them."""

import pytest

from community.models import Block, Mute, User
from community.models.silence import silencing, without_silenced, without_silencers
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_both_directions_leave_out_blocks_and_mutes_inside_one_query(pathway):
    reader, blocked, muted, other = (make_member(pathway) for _ in range(4))
    Block.objects.create(blocker=reader, blocked=blocked)
    Mute.objects.create(muter=reader, muted=muted)
    people = User.objects.filter(pk__in=[blocked.pk, muted.pk, other.pk])
    assert set(without_silenced(people, reader, "pk")) == {other}
    assert set(without_silencers(User.objects.all(), blocked)) == (
        set(User.objects.all()) - {reader}
    )
    assert set(without_silencers(User.objects.all(), muted)) == (
        set(User.objects.all()) - {reader}
    )
    blocks, mutes = silencing(reader, blocked)
    assert blocks.exists() and not mutes.exists()
