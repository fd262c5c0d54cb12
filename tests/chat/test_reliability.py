"""Chat never loses a word, shown against real processes (issue #6): uvicorn
servers running the site's ASGI application on a PostgreSQL database of their
own and a private Redis (channel layer and cache), and clients on real
sockets that keep chat/README.md's resync rule (tests/chat/live_servers.py).

Each test ends by checking that every client holds exactly the room's
messages: numbers 1..N, each once, in order, each with the text its sender's
ack numbered. Timeouts are generous and only keep a broken run from hanging;
nothing here measures speed (bench/ does).

They need PostgreSQL (HARBOUR_LIVE_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432) and the redis-server program: without
them they skip, but fail when HARBOUR_REQUIRE_SERVICES is set (CI). They
bring their own database and Redis, so they run the same in both CI stages.
"""

import asyncio
import itertools

import pytest

from tests.chat.live_servers import (
    AsgiServer,
    ChatClient,
    LiveDatabase,
    Received,
    RedisServer,
    Seed,
    ServiceMissing,
    seed_pathway,
)
from tests.services import service_missing

# One worker runs them all (`--dist loadgroup`), so `live_database` is made
# and migrated once, not once a worker.
pytestmark = [pytest.mark.services, pytest.mark.xdist_group("live_database")]

# Long enough for a loaded CI machine; a healthy run takes a fraction of it.
WAIT = 60


@pytest.fixture(scope="session")
def live_database():
    """One migrated database for the session (each test seeds its own
    pathway in it), dropped at the end."""
    try:
        database = LiveDatabase.create()
    except ServiceMissing as error:
        service_missing(error)
    yield database
    database.drop()


@pytest.fixture
def redis_server():
    try:
        server = RedisServer.start()
    except ServiceMissing as error:
        service_missing(error)
    yield server
    server.stop()


@pytest.fixture
def env(redis_server, live_database):
    """What the servers run with: the live database, the private Redis."""
    return live_database.env(redis_server.url())


@pytest.fixture
def live(env):
    """`await live(members, processes, **settings)`: a new pathway with that
    many signed-in trusted members, and that many uvicorn processes sharing
    the database and Redis (with more environment `settings`), made side by
    side. The servers are stopped after the test (their
    logs printed, shown when it fails)."""
    started: list[AsgiServer] = []

    async def make(
        members: int, processes: int, **settings: str
    ) -> tuple[Seed, list[AsgiServer]]:
        # Spawned from this (the main) thread: they live as long as it does.
        servers = [AsgiServer.spawn({**env, **settings}) for _ in range(processes)]
        started.extend(servers)
        seed = await asyncio.to_thread(seed_pathway, env, members)
        for server in servers:
            await asyncio.to_thread(server.wait_until_answering)
        return seed, servers

    yield make
    for server in started:
        server.stop()
        print(f"--- uvicorn :{server.port}\n{server.log_tail(30)}")  # noqa: T201


@pytest.fixture
async def clients():
    """`clients(server, sessions)`: a connected client per session, closed
    after the test."""
    made: list[ChatClient] = []

    async def connect(server: AsgiServer, sessions: list[str], **options):
        new = [
            ChatClient(
                server.ws_url, session, name=f"client {len(made) + n}", **options
            )
            for n, session in enumerate(sessions)
        ]
        made.extend(new)
        await asyncio.gather(*(client.connect(WAIT) for client in new))
        return new

    yield connect
    await asyncio.gather(*(client.close() for client in made))


# What every test checks in the end -------------------------------------------------


class Sent:
    """The messages sent to one room and their acks: what every reader must
    end up with."""

    def __init__(self, room: int):
        self.room = room
        self.acked: dict[int, str] = {}  # seq -> body
        self.count = itertools.count(1)

    async def send(self, client: ChatClient, label: str, body: str = "") -> int:
        # Few words: the safety pipeline's classifier reads six or more, and
        # may hold what it cannot place for a moderator (none is on duty).
        text = f"{label} {next(self.count)} ({client.name}){body}"
        ack = await client.send(self.room, text, timeout=WAIT)
        assert ack["status"] == "published", ack
        assert ack["seq"] not in self.acked, f"number {ack['seq']} given twice"
        self.acked[ack["seq"]] = text
        return ack["seq"]

    @property
    def last(self) -> int:
        return max(self.acked, default=0)

    def expected(self) -> list[Received]:
        """Numbers 1..N with no hole: the room held nothing but these."""
        assert sorted(self.acked) == list(range(1, len(self.acked) + 1)), (
            "the acked numbers have holes"
        )
        return [Received(self.room, seq, self.acked[seq]) for seq in sorted(self.acked)]

    def check(self, client: ChatClient) -> None:
        """`client` holds every message exactly once, in order, and every copy
        the server sent it of a number carried that number's text."""
        expected = self.expected()
        got = client.messages(self.room)
        if got != expected:
            numbers = [message.seq for message in got]
            missing = sorted(set(range(1, len(expected) + 1)) - set(numbers))
            raise AssertionError(
                f"{client.name} holds {len(got)} of {len(expected)} messages; "
                f"missing {missing[:20]}, order {numbers[:40]}..."
            )
        for _connection, frame in client.frames_of("message", self.room):
            assert frame["body"] == self.acked[frame["seq"]], frame


async def everyone_has(readers: list[ChatClient], room: int, seq: int) -> None:
    await asyncio.gather(*(reader.wait_for(room, seq, WAIT) for reader in readers))


# 1. Two processes -------------------------------------------------------------------


async def test_a_message_sent_through_one_process_reaches_a_reader_on_the_other(
    live, clients
):
    seed, (process_a, process_b) = await live(members=2, processes=2)
    (on_a,) = await clients(process_a, seed.sessions[:1])
    (on_b,) = await clients(process_b, seed.sessions[1:])
    await on_a.join(seed.room)
    await on_b.join(seed.room)
    sent = Sent(seed.room)

    assert await sent.send(on_a, "From A") == 1
    await on_b.wait_for(seed.room, 1, WAIT)
    assert await sent.send(on_b, "From B") == 2
    await everyone_has([on_a, on_b], seed.room, 2)

    for client in (on_a, on_b):
        sent.check(client)
        # Live, across processes: one socket each, no resync, no copy twice.
        assert client.connections == 1
        assert client.rooms[seed.room].resyncs == 0
        live = [frame["seq"] for _, frame in client.frames_of("message")]
        assert live == [1, 2]


# 2. Redis restarts under 50 clients -------------------------------------------------


async def test_fifty_clients_get_every_message_once_across_redis_restarts(
    live, clients, redis_server
):
    """Redis is killed and started again, empty, twice: the channel layer's
    groups and queued events are gone, and so is the cache (rate limits).
    Sends made meanwhile fail and go again with the same client id; sockets
    that broke reconnect and resync; sockets that rode through must not stay
    deaf. The first time Redis is back at once, before most servers notice
    (their connection pools reconnect unseen); the second time it stays away
    two seconds and the sockets break."""
    seed, (process_a, process_b) = await live(members=50, processes=2)
    readers = [
        *await clients(process_a, seed.sessions[0::2]),
        *await clients(process_b, seed.sessions[1::2]),
    ]
    await asyncio.gather(*(reader.join(seed.room, WAIT) for reader in readers))
    senders = readers[:3] + readers[25:28]  # on both processes
    sent = Sent(seed.room)

    async def round_of(label: str, each: int = 2):
        async def one(sender):
            for _ in range(each):
                await sent.send(sender, label)

        await asyncio.gather(*(one(sender) for sender in senders))

    await round_of("Before")
    await everyone_has(readers, seed.room, sent.last)

    for outage in (0.0, 2.0):
        redis_server.kill()
        during = asyncio.create_task(round_of(f"During {outage}s outage"))
        await asyncio.sleep(outage)  # how long Redis stays away, not a wait
        redis_server.start_again()  # from this thread: see live_servers
        await during

        # The page's heartbeat comes due: every client pings; the pong says
        # how far each room has got, so a message whose live copy was lost
        # with Redis is fetched although nothing was sent after it.
        await asyncio.gather(*(reader.ping(WAIT) for reader in readers))
        await everyone_has(readers, seed.room, sent.last)

        # Live traffic flows again, to every socket, with no further heartbeat.
        await round_of(f"After {outage}s outage")
        await everyone_has(readers, seed.room, sent.last)

    assert len(sent.acked) == 5 * 2 * len(senders)
    for reader in readers:
        sent.check(reader)
    print(  # noqa: T201 - how the outages went, shown when the test fails
        "sockets opened per client:", [reader.connections for reader in readers]
    )


# 3. A client that stops reading -----------------------------------------------------


async def test_a_reader_that_stops_reading_holds_nobody_up_and_catches_up(
    live, clients
):
    """One client stops reading its socket while 152 long messages go by. The
    others, on its process and on another, still get everything while it is
    stalled; the slow one, reading again, gets everything, once each, in
    order, on the same socket (live copies it lost, if the layer's queue for
    it overflowed, come back by a join: its capacity is set to 100 here)."""
    seed, (server, other_server) = await live(
        members=9, processes=2, HARBOUR_CHANNEL_CAPACITY="100"
    )
    (slow,) = await clients(server, seed.sessions[:1], receive_buffer=4096)
    others = [
        *await clients(server, seed.sessions[1:5]),
        *await clients(other_server, seed.sessions[5:]),
    ]
    for client in (slow, *others):
        await client.join(seed.room, WAIT)
    sent = Sent(seed.room)
    # Long messages fill the socket buffers between server and client fast
    # (one long word: see Sent.send).
    padding = " " + "wave" * 500

    slow.pause()

    async def sender(client):
        for _ in range(19):  # under the rate limit of 20 in 10 s per person
            await sent.send(client, "Long", padding)

    await asyncio.gather(*(sender(client) for client in others))
    assert sent.last == 152
    await everyone_has(others, seed.room, sent.last)
    for client in others:
        sent.check(client)
    assert slow.rooms[seed.room].last_seq < sent.last, "the slow reader kept up"

    slow.resume()
    await slow.wait_for(seed.room, sent.last, WAIT)
    sent.check(slow)
    # Whatever it lost on the way came back on the same socket.
    assert slow.connections == 1


# 4. A connection cut mid-stream -----------------------------------------------------


async def test_a_connection_cut_mid_stream_resumes_from_its_last_number(live, clients):
    """A reader's TCP connection is cut (no closing handshake) while messages
    keep coming; it stays away while more are stored, reconnects, joins with
    the last number it holds and ends with every message once, in order."""
    seed, (server,) = await live(members=3, processes=1)
    reader, *senders = await clients(server, seed.sessions)
    for client in (reader, *senders):
        await client.join(seed.room, WAIT)
    sent = Sent(seed.room)
    stored = asyncio.Condition()

    async def keep_sending():
        for n in range(30):  # 15 each: under the rate limit
            await sent.send(senders[n % 2], "Stream")
            async with stored:
                stored.notify_all()

    async def stored_beyond(seq: int):
        async with stored:
            await asyncio.wait_for(stored.wait_for(lambda: sent.last >= seq), WAIT)

    stream = asyncio.create_task(keep_sending())
    for cut_after in (5, 15):
        await reader.wait_for(seed.room, cut_after, WAIT)
        held = reader.rooms[seed.room].last_seq
        reader.drop(stay_offline=True)
        await stored_beyond(held + 3)  # stored while it cannot hear them
        reader.go_online()
        await reader.join(seed.room, WAIT)
    await stream
    await reader.wait_for(seed.room, sent.last, WAIT)

    sent.check(reader)
    assert reader.connections == 3
    # Each new socket's join brought what the cut one missed.
    for connection in (2, 3):
        backlog = []
        for number, frame in reader.frames:
            if number != connection:
                continue
            if frame["type"] == "joined":
                break
            if frame["type"] == "message":
                backlog.append(frame["seq"])
        assert len(backlog) >= 3, (connection, backlog)
