"""The room hub (chat/fanout.py): a room's events reach the layer once per
process and every socket of the process in the room from there, filtered for
each reader as before (blocks, mutes, mute words, pathways), encoded once;
one slow or broken socket does not hold up the room, and a layer that fails to
receive (Redis restarting) does not stop it."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from chat import fanout
from chat.consumers import ChatConsumer
from chat.events import room_group
from chat.models import Room
from community.actions import do_add_mute_word, do_block, do_mute
from tests.chat.test_consumers import close, joined, send, until
from tests.factories import make_trusted

db = database_sync_to_async
WAIT = 10


async def group_members(layer, group: str) -> list[str]:
    if hasattr(layer, "groups"):  # the in-memory layer
        return list(layer.groups.get(group, {}))
    connection = layer.connection(layer.consistent_hash(group))
    return [m.decode() for m in await connection.zrange(layer._group_key(group), 0, -1)]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("channel_layer")
class TestSockets:
    async def test_a_room_has_one_receiver_per_process_whoever_is_in_it(
        self, room, member
    ):
        layer = get_channel_layer()
        sockets = [(await joined(member, room))[0]]
        for _ in range(3):
            other = await db(make_trusted)(room.pathway)
            sockets.append((await joined(other, room))[0])
        hub = fanout.hub_for(layer)
        assert await group_members(layer, room_group(room.pk)) == [hub.channel]
        await send(sockets[0], room, "Hello everyone")
        for socket in sockets:
            heard = [
                f for f in await until(socket, "message") if f["type"] == "message"
            ]
            assert [f["body"] for f in heard] == ["Hello everyone"]
        await close(*sockets)
        # The last one out takes the hub out of the room, and stops it.
        assert await group_members(layer, room_group(room.pk)) == []
        assert hub.task is None and not hub.rooms

    async def test_each_reader_still_gets_only_what_they_chose_to_see(
        self, room, member, other_pathway
    ):
        """One event for the room; a reader who blocked or muted the author,
        or muted a word in it, gets its number only (`skip`), the others the
        message; a socket of another pathway's room, in the same process and
        hub, hears nothing."""
        author = await db(make_trusted)(room.pathway, display_name="Thorn")
        blocker = await db(make_trusted)(room.pathway)
        muter = await db(make_trusted)(room.pathway)
        worded = await db(make_trusted)(room.pathway)
        await db(do_block)(blocker, author)
        await db(do_mute)(muter, author)
        await db(do_add_mute_word)(worded, "calories")
        outsider = await db(make_trusted)(other_pathway)
        elsewhere = await db(Room.objects.get)(pathway=other_pathway, is_default=True)
        writing, _ = await joined(author, room)
        readers = {}
        for who, user in (
            ("plain", member),
            ("blocker", blocker),
            ("muter", muter),
            ("worded", worded),
        ):
            readers[who] = (await joined(user, room))[0]
        away, _ = await joined(outsider, elsewhere)
        await send(writing, room, "Counting CALORIES again")
        await until(writing, "message")
        heard = {}
        for who, socket in readers.items():
            frame = await socket.receive_json_from(timeout=WAIT)
            heard[who] = (frame["type"], frame.get("body"))
        assert heard == {
            "plain": ("message", "Counting CALORIES again"),
            "blocker": ("skip", None),
            "muter": ("skip", None),
            "worded": ("skip", None),
        }
        # The author's next message, without the word: only the silencers skip.
        await send(writing, room, "Sorry")
        await until(writing, "message")
        kinds = {
            who: (await socket.receive_json_from(timeout=WAIT))["type"]
            for who, socket in readers.items()
        }
        assert kinds == {
            "plain": "message",
            "blocker": "skip",
            "muter": "skip",
            "worded": "message",
        }
        assert await away.receive_nothing(timeout=0.3)
        await close(writing, away, *readers.values())

    async def test_a_live_message_is_encoded_once_not_once_a_reader(
        self, room, member, monkeypatch
    ):
        """Readers send the event's encoded frame as it is: the consumer's own
        encoder sees the sender's ack, never a reader's copy of a message."""
        encoded = []
        real = ChatConsumer.encode_json

        @classmethod
        async def counted(cls, content):
            encoded.append(content.get("type"))
            return await real(content)

        others = []
        for _ in range(3):
            other = await db(make_trusted)(room.pathway)
            others.append((await joined(other, room))[0])
        writing, _ = await joined(member, room)
        monkeypatch.setattr(ChatConsumer, "encode_json", counted)
        await send(writing, room, "Once")
        texts = set()
        for socket in [writing, *others]:
            while True:
                raw = (await socket.receive_output(timeout=WAIT))["text"]
                if json.loads(raw)["type"] == "message":
                    texts.add(raw)
                    break
        assert len(texts) == 1  # the same text for everyone
        assert "message" not in encoded and "ack" in encoded
        await close(writing, *others)


# The hub alone, with stand-ins for the layer and the sockets. -------------------


class Ear:
    """A socket stand-in: notes what it hears; may hang (then queues what
    comes next, as ChatConsumer does) or fail."""

    def __init__(self, hang=False, fail=False):
        self.heard: list[dict] = []
        self.behind: list[dict] | None = None
        self.hang, self.fail = hang, fail

    async def hear(self, event):
        if self.behind is not None:
            self.behind.append(event)
            return
        if self.hang:
            await asyncio.Event().wait()  # a send that never finishes
        if self.fail:
            raise OSError("the client has gone")
        self.heard.append(event)

    def fell_behind(self, event):
        self.behind = [event]


class FlakyLayer:
    """A layer whose first receive fails (Redis restarting), then brings the
    events given, then waits."""

    def __init__(self, events):
        self.events = list(events)
        self.failed = False
        self.groups: dict[str, set[str]] = {}

    async def new_channel(self, prefix="specific"):
        return f"{prefix}.test!hub"

    async def group_add(self, group, channel):
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group, channel):
        self.groups.get(group, set()).discard(channel)

    async def receive(self, channel):
        if not self.failed:
            self.failed = True
            raise ConnectionError("Redis is restarting")
        if self.events:
            return self.events.pop(0)
        await asyncio.Event().wait()


async def test_a_slow_or_broken_socket_does_not_hold_up_the_room(monkeypatch):
    """A socket whose send hangs is not waited for beyond SEND_WITHIN: it is
    handed the event it could not send and queues the rest itself; one that
    fails is passed over; the rest hear every event, in order."""
    monkeypatch.setattr(fanout, "SEND_WITHIN", 0.05)
    hub = fanout.RoomHub(FlakyLayer([]))
    slow, broken, first, last = Ear(hang=True), Ear(fail=True), Ear(), Ear()
    for ear in (first, slow, broken, last):
        await hub.add(7, ear)
    for seq in (1, 2):
        await hub.deliver({"type": "chat.message", "room": 7, "seq": seq})
    await hub.deliver({"type": "chat.message", "room": 8, "seq": 1})  # no one
    assert [e["seq"] for e in first.heard] == [1, 2]
    assert [e["seq"] for e in last.heard] == [1, 2]
    assert [e["seq"] for e in slow.behind] == [1, 2] and not slow.heard
    assert hub.listening(7, slow) and hub.listening(7, broken)
    for ear in (first, slow, broken, last):
        await hub.discard(7, ear)
    assert hub.task is None


async def test_the_hub_keeps_receiving_after_the_layer_fails(monkeypatch):
    monkeypatch.setattr(fanout, "RETRY_AFTER", 0)
    event = {"type": "chat.message", "room": 3, "seq": 1}
    layer = FlakyLayer([event])
    hub = fanout.RoomHub(layer)
    ear = Ear()
    await hub.add(3, ear)
    assert layer.groups == {room_group(3): {"specific.test!hub"}}
    for _ in range(100):
        if ear.heard:
            break
        await asyncio.sleep(0.01)
    assert layer.failed and ear.heard == [event]
    await hub.discard(3, ear)
    assert layer.groups == {room_group(3): set()} and hub.task is None


async def test_a_socket_that_fell_behind_sends_the_rest_itself_in_order():
    """ChatConsumer's side: handed the event the hub could not send, it
    queues what follows (returning at once, so the hub moves on) up to the
    layer's capacity, sends the queue in order from its own task, then hears
    live again."""
    from types import SimpleNamespace

    from chat.events import message_event
    from chat.permissions import ReaderFilter

    def event(seq):
        frame = {"type": "message", "room": 5, "seq": seq, "body": f"m{seq}"}
        return message_event("chat.message", frame, author_id=2)

    consumer = ChatConsumer()
    consumer.rooms = {5: {"pathway": 1, "backlog_to": 0}}
    consumer.held, consumer.lag, consumer.user_id = None, None, 1
    consumer.filter = ReaderFilter(user_id=1, silenced=frozenset(), mute_words=())
    consumer.channel_layer = SimpleNamespace(capacity=2)
    sent, gate = [], asyncio.Event()

    async def slow_send(text_data=None, **kwargs):
        await gate.wait()  # the connection's buffer is full until the gate opens
        sent.append(json.loads(text_data)["seq"])

    consumer.send = slow_send
    consumer.fell_behind(event(1))
    await consumer.hear(event(2))  # queued
    await consumer.hear(event(3))  # beyond the capacity: dropped (a gap)
    assert sent == []
    gate.set()
    await consumer.catching_up
    assert sent == [1, 2] and consumer.lag is None
    await consumer.hear(event(4))
    assert sent == [1, 2, 4]
