"""Rooms and their message numbers: one default room per pathway, numbers one
more than the last, each used once even when senders race, taken as a
message is saved (in its INSERT on PostgreSQL)."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat.actions import ensure_default_room
from chat.models import Message, ReadCursor, Room, RoomKind
from community.models import ContentStatus
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


@pytest.mark.django_db
def test_a_message_saved_without_a_number_takes_the_rooms_next_as_it_is_stored(
    room, member
):
    """On PostgreSQL the counter's UPDATE ... RETURNING is the INSERT's WITH
    clause: one statement; elsewhere allocate_seq's UPDATE comes just before
    the INSERT. The room in hand and the stored one both say the new last
    number, and save's signals still go (the insights' summaries hang on
    them)."""
    stored(room, member, "one")
    heard = []

    def hear(signal):
        def receiver(sender, instance, **kwargs):
            heard.append((signal, instance.seq, kwargs.get("created")))

        return receiver

    before, after = hear("pre_save"), hear("post_save")
    pre_save.connect(before, sender=Message)
    post_save.connect(after, sender=Message)
    message = Message(
        room=room, pathway=room.pathway, author=member, body="two",
        client_id=uuid.uuid4(),
    )  # fmt: skip
    try:
        with CaptureQueriesContext(connection) as queries:
            message.save()
    finally:
        pre_save.disconnect(before, sender=Message)
        post_save.disconnect(after, sender=Message)
    numbering = [
        q["sql"] for q in queries.captured_queries
        if "chat_room" in q["sql"] or "INSERT INTO \"chat_message\"" in q["sql"]
    ]  # fmt: skip
    if connection.vendor == "postgresql":
        assert len(numbering) == 1
        assert numbering[0].startswith("WITH next AS (UPDATE")
    else:
        assert [sql.split()[0] for sql in numbering] == ["UPDATE", "INSERT"]
    assert message.pk and message.seq == 2 and room.last_seq == 2
    room.refresh_from_db()
    assert room.last_seq == 2
    assert Message.objects.get(pk=message.pk).seq == 2
    assert heard == [("pre_save", None, None), ("post_save", 2, True)]


@pytest.mark.django_db
def test_a_numbered_insert_stores_what_djangos_own_would(room, member):
    """Every column prepared as Django's INSERT prepares it (JSON, times,
    text, flags): the row saved with its number taken in the statement and
    one saved by Django with a number given hold the same values."""
    when = timezone.now() - timezone.timedelta(minutes=3)
    same = {
        "room": room,
        "pathway": room.pathway,
        "author": member,
        "body": "It’s “quoted”, ünïcode and 'single' — and a \\ backslash",
        "status": ContentStatus.HELD,
        "risk_categories": ["self_harm", "suicide"],
        "original_body": "before a moderator's edit",
        "edited_by_moderator": True,
        "created_at": when,
        "edited_at": when,
        "changed_at": when,
    }
    numbered = Message(client_id=uuid.uuid4(), **same)
    numbered.save()
    given = Message(client_id=uuid.uuid4(), seq=numbered.seq + 1, **same)
    given.save()  # a number given: Django's own INSERT
    names = [
        field.attname
        for field in Message._meta.concrete_fields
        if field.attname not in {"id", "seq", "client_id"}
    ]
    rows = Message.objects.filter(pk__in=[numbered.pk, given.pk]).order_by("seq")
    first, second = rows.values(*names)
    assert first == second
    assert first["risk_categories"] == ["self_harm", "suicide"]
    assert first["deleted_at"] is None


@pytest.mark.django_db
def test_a_message_for_a_room_that_is_gone_is_not_stored(room, member):
    gone = Room.objects.create(pathway=room.pathway, name="Gone")
    message = Message(
        room_id=gone.pk, pathway=room.pathway, author=member, body="hello",
        client_id=uuid.uuid4(),
    )  # fmt: skip
    gone.delete()
    with pytest.raises((IntegrityError, Room.DoesNotExist)), transaction.atomic():
        message.save()
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_racing_messages_each_get_their_own_number(pathway, room, member):
    """As above, but each thread saves messages without a number: on
    PostgreSQL the number is taken inside each INSERT, which locks the
    room's row until its transaction ends."""

    def save_five():
        numbers = []
        for n in range(5):
            with transaction.atomic():
                message = Message.objects.create(
                    room_id=room.pk, pathway=pathway, author=member,
                    body=f"message {n}", client_id=uuid.uuid4(),
                )  # fmt: skip
            numbers.append(message.seq)
        return numbers

    numbers = [n for five in at_once(save_five, threads=8) for n in five]
    assert sorted(numbers) == list(range(1, 41))
    assert sorted(Message.objects.values_list("seq", flat=True)) == list(range(1, 41))
    room.refresh_from_db()
    assert room.last_seq == 40
