"""Who may enter a room and read its messages: active members of its pathway
only, asked each time; missing and forbidden answer alike."""

import pytest
from django.http import Http404
from django.utils import timezone

from chat.models import Message, Room
from chat.permissions import (
    OwnMessage,
    RoomNotFound,
    access_direct_room,
    access_message,
    access_moderated_message,
    access_own_message,
    access_pathway_room,
    access_room,
    access_staff_support_room,
    access_support_room,
    reader_filter,
    rooms_visible_to,
    visible_messages,
)
from community.actions import do_add_mute_word, do_block, do_mute
from community.models import ContentStatus, Membership, MembershipStatus, Role
from tests.chat.conftest import stored
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_a_member_enters_their_pathways_room(room, member):
    assert access_room(member, room.pk) == room
    assert access_room(member, str(room.pk)).pathway == room.pathway
    assert access_pathway_room(member, room.pathway.slug) == room


def test_outsiders_missing_rooms_and_nonsense_are_alike_not_found(
    room, other_pathway, member
):
    outsider = make_member(other_pathway)
    foreign = Room.objects.get(pathway=other_pathway)
    for user, room_id in [
        (outsider, room.pk),
        (member, foreign.pk),
        (member, 999_999),
        (member, "x"),
        (member, None),
        (member, True),
        (member, "²"),
        (member, "-1"),
        (member, 10**30),
    ]:
        with pytest.raises(RoomNotFound):
            access_room(user, room_id)
    with pytest.raises(Http404):
        access_pathway_room(outsider, room.pathway.slug)


def test_the_room_comes_with_its_pathway_and_the_members_membership(room, member):
    """One statement reads all three (chat.rows): each as the ORM reads it."""
    entered = access_room(member, room.pk)
    mine = Membership.objects.get(user=member, pathway=room.pathway)
    for made, stored_row in [
        (entered, Room.objects.get(pk=room.pk)),
        (entered.pathway, room.pathway),
        (entered.membership, mine),
        (entered.membership.pathway, room.pathway),
    ]:
        assert type(made) is type(stored_row)
        for field in type(made)._meta.concrete_fields:
            assert getattr(made, field.attname) == getattr(stored_row, field.attname)


def test_anonymous_people_are_not_let_in(room):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(RoomNotFound):
        access_room(AnonymousUser(), room.pk)


@pytest.mark.parametrize("status", [MembershipStatus.SUSPENDED, "removed"])
def test_a_member_removed_from_the_pathway_is_cut_off_at_once(room, member, status):
    assert access_room(member, room.pk)
    found = Membership.objects.filter(user=member, pathway=room.pathway)
    if status == "removed":
        found.delete()
    else:
        found.update(status=status)
    with pytest.raises(RoomNotFound):
        access_room(member, room.pk)


def test_readers_see_published_messages_and_their_own_held_ones(room, member):
    other = make_member(room.pathway)
    shown = stored(room, other, "hello")
    held = stored(room, other, "held", status=ContentStatus.HELD)
    mine = stored(room, member, "mine, held", status=ContentStatus.HELD)
    hidden = stored(room, other, "hidden", status=ContentStatus.HIDDEN)
    stored(room, member, "deleted", deleted_at=shown.created_at)
    assert list(visible_messages(member, room)) == [shown, mine]
    assert list(visible_messages(other, room)) == [shown, held]
    assert hidden not in visible_messages(other, room)


def test_blocked_and_muted_authors_and_mute_words_are_left_out(room, member):
    blocked, muted, friend = (make_member(room.pathway) for _ in range(3))
    stored(room, blocked, "from someone I blocked")
    stored(room, muted, "from someone I muted")
    kept = stored(room, friend, "a good day")
    stored(room, friend, "talking about Calories")
    do_block(member, blocked)
    do_mute(member, muted)
    do_add_mute_word(member, "calories")
    assert list(visible_messages(member, room)) == [kept]
    rules = reader_filter(member)
    assert rules.hides(blocked.pk) and rules.hides(muted.pk)
    assert rules.hides(friend.pk, "so many CALORIES")
    assert not rules.hides(friend.pk, "a good day")


def test_a_message_is_reached_through_its_room_and_number(room, member):
    other = make_member(room.pathway)
    message = stored(room, other, "hello")
    held = stored(room, other, "held", status=ContentStatus.HELD)
    assert access_message(member, room.pk, message.seq) == message
    for seq in (held.seq, 99, "x"):
        with pytest.raises(RoomNotFound):
            access_message(member, room.pk, seq)


def test_moderators_reach_any_message_of_their_pathway_and_members_none(
    room, member, clinician
):
    held = stored(room, member, "held", status=ContentStatus.HELD)
    assert access_moderated_message(clinician, room.pk, held.seq) == held
    peer = make_member(room.pathway, Role.PEER)
    assert access_moderated_message(peer, room.pk, held.seq) == held
    with pytest.raises(RoomNotFound):
        access_moderated_message(member, room.pk, held.seq)


def test_a_support_room_is_for_its_member_and_the_pathways_staff_only(
    room, member, clinician, other_pathway
):
    from chat.support import do_ask_for_support

    support = do_ask_for_support(member, room.pathway)
    assert access_room(member, support.pk) == support
    assert access_room(clinician, support.pk) == support
    peer = make_member(room.pathway, Role.PEER)
    assert access_room(peer, support.pk) == support
    # Another member of the pathway is not let in, even with staff about, nor
    # a clinician of another pathway who is only a member here.
    other_member = make_member(room.pathway)
    elsewhere_staff = make_member(other_pathway, Role.CLINICIAN)
    Membership.objects.create(user=elsewhere_staff, pathway=room.pathway)
    for outsider in (other_member, elsewhere_staff):
        with pytest.raises(RoomNotFound):
            access_room(outsider, support.pk)
    Membership.objects.filter(user=clinician, pathway=room.pathway).update(
        status=MembershipStatus.SUSPENDED
    )
    with pytest.raises(RoomNotFound):
        access_room(clinician, support.pk)


def test_entering_one_room_follows_the_same_rule_as_listing_rooms(
    room, member, clinician, other_pathway
):
    """`access_room` (asked on every frame, in two plain queries) and
    `rooms_visible_to` (one joined query, for lists) state one rule twice:
    for every person and every kind of room, in and out of the pathway,
    they agree."""
    from chat.actions import do_open_direct, ensure_default_room
    from chat.support import do_ask_for_support

    pathway = room.pathway
    friend = make_member(pathway)
    peer = make_member(pathway, Role.PEER)
    bystander = make_member(pathway)
    suspended = make_member(pathway)
    Membership.objects.filter(user=suspended).update(status=MembershipStatus.SUSPENDED)
    elsewhere = make_member(other_pathway)
    elsewhere_staff = make_member(other_pathway, Role.CLINICIAN)
    Membership.objects.create(user=elsewhere_staff, pathway=pathway)
    rooms = [
        room,
        do_ask_for_support(member, pathway),
        do_open_direct(member, friend, pathway),
        ensure_default_room(other_pathway),
    ]
    people = [member, friend, peer, bystander, suspended, clinician]
    people += [elsewhere, elsewhere_staff]
    answers = {}
    for person in people:
        listed = set(rooms_visible_to(person).values_list("pk", flat=True))
        for each in rooms:
            try:
                entered = access_room(person, each.pk).pk == each.pk
            except RoomNotFound:
                entered = False
            assert entered == (each.pk in listed), (person, each.kind)
            answers[(person.pk, each.pk)] = entered
    # The matrix says something: some are let in, some kept out.
    assert any(answers.values()) and not all(answers.values())
    assert answers[(member.pk, rooms[2].pk)] and not answers[(peer.pk, rooms[2].pk)]


def test_a_direct_url_opens_a_direct_conversation_and_no_other_kind(
    room, member, other_pathway
):
    from chat.actions import do_open_direct
    from chat.support import do_ask_for_support

    friend, bystander = make_member(room.pathway), make_member(room.pathway)
    direct = do_open_direct(member, friend, room.pathway)
    assert access_direct_room(member, direct.pk) == direct  # allow
    assert access_direct_room(friend, str(direct.pk)).membership.user == friend
    with pytest.raises(RoomNotFound):  # deny: not one of its two people
        access_direct_room(bystander, direct.pk)
    # Rooms the member may enter, but not by a direct URL, and missing ones.
    support = do_ask_for_support(member, room.pathway)
    for room_id in (room.pk, support.pk, 999_999, "x"):
        with pytest.raises(RoomNotFound):
            access_direct_room(member, room_id)


def test_a_support_url_opens_that_pathways_support_conversation_only(
    room, member, clinician, other_pathway
):
    from chat.support import do_ask_for_support

    slug = room.pathway.slug
    support = do_ask_for_support(member, room.pathway)
    assert access_support_room(member, slug, support.pk) == support  # allow
    assert access_support_room(clinician, slug, support.pk) == support
    with pytest.raises(RoomNotFound):  # deny: another member of the pathway
        access_support_room(make_member(room.pathway), slug, support.pk)
    # The wrong pathway's slug, another kind of room, a missing one.
    Membership.objects.create(user=member, pathway=other_pathway)
    for wrong_slug, room_id in [
        (other_pathway.slug, support.pk),
        (slug, room.pk),
        (slug, 999_999),
        (slug, None),
    ]:
        with pytest.raises(RoomNotFound):
            access_support_room(member, wrong_slug, room_id)


def test_only_the_pathways_staff_may_pick_up_a_support_conversation(
    room, member, clinician
):
    from chat.support import do_ask_for_support

    slug = room.pathway.slug
    support = do_ask_for_support(member, room.pathway)
    found = access_staff_support_room(clinician, slug, support.pk)  # allow
    assert found == support and found.membership.user == clinician
    peer = make_member(room.pathway, Role.PEER)
    assert access_staff_support_room(peer, slug, support.pk) == support
    # Deny: the member who asked may be in it, but not pick it up; the same
    # answer as for a stranger and for a missing room.
    for user, room_id in [(member, support.pk), (clinician, 999_999)]:
        with pytest.raises(RoomNotFound):
            access_staff_support_room(user, slug, room_id)
    with pytest.raises(RoomNotFound):
        access_staff_support_room(clinician, slug, room.pk)


def test_only_the_author_reaches_their_message_to_edit_or_delete_it(
    room, member, other_pathway
):
    from chat.errors import ChatError

    mine = stored(room, member, "mine")
    assert access_own_message(member, room.pk, mine.seq) == mine  # allow
    assert access_own_message(member, room.pk, str(mine.seq), "delete") == mine
    # Deny: a reader of the room who did not write it, told in words (they
    # can see the message, so nothing leaks).
    reader = make_member(room.pathway)
    with pytest.raises(ChatError, match="only edit your own") as refused:
        access_own_message(reader, room.pk, mine.seq)
    assert refused.value.code == "not_allowed"
    with pytest.raises(ChatError, match="only delete your own"):
        access_own_message(reader, room.pk, mine.seq, OwnMessage.DELETE)
    # Not found: a missing or deleted message, or a room not theirs.
    gone = stored(room, member, "gone")
    Message.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    outsider = make_member(other_pathway)
    for user, seq in [(member, 999), (member, gone.seq), (outsider, mine.seq)]:
        with pytest.raises(RoomNotFound):
            access_own_message(user, room.pk, seq)
