"""Rooms and their message numbers: one default room per pathway, numbers one
more than the last, each used once even when senders race."""

import uuid

import pytest
from django.db import IntegrityError, transaction

from chat.actions import ensure_default_room
from chat.models import Message, ReadCursor, Room, RoomKind
from tests.chat.conftest import at_once, stored
from tests.factories import make_pathway


@pytest.mark.django_db
def test_each_new_pathway_gets_one_default_room(pathway):
    rooms = Room.objects.filter(pathway=pathway)
    assert [(r.kind, r.is_default, r.last_seq) for r in rooms] == [
        (RoomKind.PATHWAY, True, 0)
    ]
    assert ensure_default_room(pathway) == rooms.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Room.objects.create(pathway=pathway, name="Another", is_default=True)
    Room.objects.create(pathway=pathway, name="Evenings")  # not the default: fine


@pytest.mark.django_db
def test_numbers_go_up_by_one_per_room_and_are_unique(pathway, room, member):
    other_room = Room.objects.get(pathway=make_pathway())
    first = stored(room, member, "one")
    second = stored(room, member, "two")
    elsewhere = stored(other_room, member, "three")
    assert (first.seq, second.seq, elsewhere.seq) == (1, 2, 1)
    room.refresh_from_db()
    assert room.last_seq == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            room=room,
            pathway=pathway,
            author=member,
            body="again",
            seq=2,
            client_id=uuid.uuid4(),
        )


@pytest.mark.django_db
def test_a_client_id_is_stored_once_per_author_and_room(room, member):
    client_id = uuid.uuid4()
    stored(room, member, "one", client_id=client_id)
    with pytest.raises(IntegrityError), transaction.atomic():
        stored(room, member, "two", client_id=client_id)


@pytest.mark.django_db
def test_a_rolled_back_message_gives_its_number_back(room, member):
    with pytest.raises(RuntimeError), transaction.atomic():
        stored(room, member, "lost")
        raise RuntimeError
    assert stored(room, member, "kept").seq == 1


@pytest.mark.django_db
def test_one_read_cursor_per_person_and_room(room, member):
    ReadCursor.objects.create(room=room, user=member, last_read_seq=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadCursor.objects.create(room=room, user=member)


@pytest.mark.django_db(transaction=True)
def test_racing_senders_each_get_their_own_number(pathway, room, member):
    """Eight threads, each with its own database connection, allocate five
    numbers each inside their own transactions: forty numbers, 1 to 40, none
    twice. They truly race: on the room's row lock (PostgreSQL) or the
    database's write lock (SQLite, in a file for tests)."""

    def send_five():
        numbers = []
        for _ in range(5):
            with transaction.atomic():
                numbers.append(Room.objects.get(pk=room.pk).allocate_seq())
        return numbers

    numbers = [n for five in at_once(send_five, threads=8) for n in five]
    assert sorted(numbers) == list(range(1, 41))
