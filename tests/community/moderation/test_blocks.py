"""community.moderation.blocks: blocks, mutes and mute words keep what a member
reads free of what they chose not to see."""

import pytest

from community.forums.models import Topic
from community.moderation.blocks import (
    do_add_mute_word,
    do_block,
    do_mute,
    do_remove_mute_word,
    do_unblock,
    do_unmute,
)
from community.moderation.errors import SafetyError
from community.permissions import visible_content
from tests.community.moderation.posting import post
from tests.factories import (
    make_member,
    make_trusted,
)

pytestmark = pytest.mark.django_db


def test_blocks_mutes_and_mute_words_leave_content_out_of_what_i_read(pathway):
    reader = make_member(pathway)
    blocked, muted, other = (make_trusted(pathway) for _ in range(3))
    post(pathway, "from the blocked one", author=blocked)
    post(pathway, "from the muted one", author=muted)
    post(pathway, "I had a panic attack on the bus", author=other)
    post(pathway, "A calm walk today", author=other)
    do_block(reader, blocked)
    do_mute(reader, muted)
    do_add_mute_word(reader, "  Panic ATTACK ")
    seen = visible_content(reader, Topic.objects.all(), pathway)
    assert [t.body for t in seen] == ["A calm walk today"]
    do_unblock(reader, blocked)
    do_unmute(reader, muted)
    do_remove_mute_word(reader, reader.mute_words.get().pk)
    assert visible_content(reader, Topic.objects.all(), pathway).count() == 4


def test_no_one_blocks_or_mutes_themselves_and_mute_words_are_bounded(pathway):
    reader = make_member(pathway)
    with pytest.raises(SafetyError):
        do_block(reader, reader)
    with pytest.raises(SafetyError):
        do_mute(reader, reader)
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "   ")
    with pytest.raises(SafetyError):
        do_add_mute_word(reader, "x" * 61)
