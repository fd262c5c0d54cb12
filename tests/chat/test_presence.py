"""Who a room shows as here and how far others have read, and the two choices
a person has over them: to chat without appearing here, and to keep their
read receipts to themselves."""

import pytest

from chat import actions
from chat.events import room_group
from chat.presence import (
    do_arrive,
    is_here,
    people_here,
    presence_frame,
    receipts_for,
)
from community.social import actions as social
from tests.chat.conftest import stored
from tests.factories import make_trusted

pytestmark = pytest.mark.django_db


def privacy(user, **choices):
    """`user`'s privacy settings as they are, with `choices` changed."""
    return {
        "wall_audience": user.wall_audience,
        "wall_open": user.wall_open,
        "message_audience": user.message_audience,
        "show_presence": user.show_presence,
        "share_read_receipts": user.share_read_receipts,
    } | choices


def test_someone_who_hides_is_left_out_of_who_is_here_but_still_counts_as_here(
    room, member, pathway
):
    hazel = make_trusted(pathway, display_name="Hazel")
    do_arrive(member, room, "socket-of-maple")
    do_arrive(hazel, room, "socket-of-hazel")
    social.do_set_privacy(member, **privacy(member, show_presence=False))

    assert [person.name for person in people_here(room)] == ["Hazel"]
    assert [person["name"] for person in presence_frame(room.pk)["here"]] == ["Hazel"]
    # Notices still know she has the room open, so she is not told twice.
    assert is_here(member, room)


def test_hiding_or_showing_tells_every_room_the_person_is_in_at_once(
    room, member, pathway, broadcasts, django_capture_on_commit_callbacks
):
    hazel = make_trusted(pathway, display_name="Hazel")
    do_arrive(member, room, "socket-of-maple")
    do_arrive(hazel, room, "socket-of-hazel")
    broadcasts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        social.do_set_privacy(member, **privacy(member, show_presence=False))
    [(group, event)] = broadcasts
    assert group == room_group(room.pk)
    assert [person["name"] for person in event["frame"]["here"]] == ["Hazel"]

    broadcasts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        social.do_set_privacy(member, **privacy(member, show_presence=True))
    [(group, event)] = broadcasts
    assert [person["name"] for person in event["frame"]["here"]] == ["Hazel", "Maple"]


def test_changing_other_settings_does_not_announce_anything(
    room, member, broadcasts, django_capture_on_commit_callbacks
):
    do_arrive(member, room, "socket-of-maple")
    broadcasts.clear()
    with django_capture_on_commit_callbacks(execute=True):
        member.pronouns = "she/her"
        member.save(update_fields=["pronouns"])
    assert broadcasts == []


def test_someone_who_keeps_receipts_to_themselves_moves_their_cursor_silently(
    room, member, pathway, broadcasts, django_capture_on_commit_callbacks
):
    hazel = make_trusted(pathway, display_name="Hazel")
    stored(room, hazel, "How is everyone?")
    social.do_set_privacy(member, **privacy(member, share_read_receipts=False))
    broadcasts.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.do_mark_read(member, room, 1) == 1
    assert broadcasts == []
    assert receipts_for(room, hazel) == []

    social.do_set_privacy(member, **privacy(member, share_read_receipts=True))
    assert [receipt["user"]["name"] for receipt in receipts_for(room, hazel)] == [
        "Maple"
    ]
