"""Chat benchmark (issue #6): a real server process, real WebSocket clients.

The server is `uvicorn bench.chat_asgi:application`, one process (daphne, as
in production, with BENCH_CHAT_SERVER=daphne): the site's own ASGI
application plus a bare Channels echo consumer on the same layer (see
chat_asgi.py). The clients are the `websockets` library in this process.
Everything runs once on the in-memory channel layer and once on Redis
(skipped, and said so, when Redis is not reachable), on one throwaway
database:

(a) round trip: one client alone in its room sends `send` and waits for its
    `ack` and for the `message` broadcast of that number; BENCH_CHAT_ROUNDTRIPS
    sequential round trips after BENCH_CHAT_WARMUP, p50/p99 in ms, beside the
    echo consumer's (a frame through group_send and back) and the ratio
    (issue #6's target: within 3x), and beside a stored echo's (the same
    with one row inserted and committed first, in Channels' database thread:
    the floor for answering only once a message is stored) and that ratio.
    The three kinds take turns, one trip of each at a time, so a machine
    that slows down for a while slows them alike.
(b) fan-out: BENCH_CHAT_READERS clients (default 200) joined to one room and
    one more that sends BENCH_CHAT_MESSAGES messages, first at a steady
    BENCH_CHAT_RATE per second, then flat out (as fast as the server answers,
    at most BENCH_CHAT_WINDOW sends unanswered). For each message, the time
    from its send until the last reader has it (p50/p99), and messages per
    second from the first send until the last reader has the last message.
    The readers are the live-process harness's ChatClient
    (tests/chat/live_servers.py), which follows the protocol's resync rule (a
    number that jumps: `join` after the last number held); the run checks
    that every reader ended with every number exactly once and prints how
    many resyncs that took and how many duplicate frames readers dropped,
    and the server process's CPU time a message (a figure other processes
    on the machine disturb far less than the times). BENCH_CHAT_PROFILE
    samples the server with py-spy meanwhile (BENCH_CHAT_PY_SPY names it).
(c) memory per idle connection: the server's RSS (VmRSS) before and after
    BENCH_CHAT_IDLE idle sockets, joined to a room (chat) or to their group
    (echo), each kind on a freshly started server, divided by the count.

The database: on PostgreSQL when DATABASE_URL names it (the harness's
LiveDatabase, harbour_live_<random> on that server), else a SQLite file in a
temporary directory; migrated by `manage.py migrate` and dropped at the end.
For each layer a subprocess seeds (the harness's seed_pathway) a pathway with
one trusted member for the round trips and one with READERS + 1, each signed
in. The settings are cms.settings.test, as the harness's (DEBUG off;
DATABASE_URL and REDIS_URL as in production); the chat rate limit is raised
for the bench server (chat_asgi.py). Server processes, the database and the
Redis keys are removed even on failure.

    make bench                                    # SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/harbour \\
        .venv/bin/python bench/chat.py            # PostgreSQL

Environment: BENCH_CHAT_ROUNDTRIPS (300), BENCH_CHAT_WARMUP (30),
BENCH_CHAT_READERS (200), BENCH_CHAT_MESSAGES (100 a fan-out run),
BENCH_CHAT_RATE (the steady run, messages a second, 5), BENCH_CHAT_WINDOW
(10), BENCH_CHAT_IDLE (500), BENCH_CHAT_LAYERS ("memory,redis"),
BENCH_CHAT_REDIS_URL (redis://127.0.0.1:6379/14; keys under a random prefix,
deleted after), BENCH_CHAT_REDIS_SOCKET_TIMEOUT (unset: the site's channel
layer as configured, 30 s; seconds: the bench server's layer connections get
that read timeout instead, see bench/README.md), BENCH_CHAT_SERVER (uvicorn or
daphne), BENCH_CHAT_DEFLATE (0, as the Procfile serves: plain frames; 1:
uvicorn accepts permessage-deflate, which the clients offer as browsers do),
BENCH_CHAT_RATE_LIMIT (the bench server's chat rate limit, 1000000),
BENCH_CHAT_PARTS ("roundtrip,fanout,memory": which of (a), (b), (c) to run),
BENCH_CHAT_PROFILE and
BENCH_CHAT_PY_SPY (above, (b); also the measured round trips, the three
kinds in turn, to <profile>.<layer>.roundtrip.txt), BENCH_CHAT_CONNECTIONS (on
PostgreSQL: "pool", the default, production's connection pool as
cms/settings/base.py's pool_connections makes it, sized by
DATABASE_POOL_MAX_SIZE and the like; "new", a connection for every database
hop, or kept DATABASE_CONN_MAX_AGE seconds, as the test settings make them).
The clients share the machine with the server: the load average is printed
with each part.
"""

import asyncio
import contextlib
import json
import os
import resource
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The live-process harness of the reliability tests: its environment, seeding
# and resyncing chat client are the ones the benchmark wants too.
from tests.chat.live_servers import (  # noqa: E402
    DEFAULT_SETTINGS,
    ChatClient,
    LiveDatabase,
    free_port,
    run_django,
    seed_pathway,
    server_env,
)

PYTHON = sys.executable


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


ROUNDTRIPS = env_int("BENCH_CHAT_ROUNDTRIPS", 300)
WARMUP = env_int("BENCH_CHAT_WARMUP", 30)
READERS = env_int("BENCH_CHAT_READERS", 200)
MESSAGES = env_int("BENCH_CHAT_MESSAGES", 100)
RATE = env_int("BENCH_CHAT_RATE", 5)
IDLE = env_int("BENCH_CHAT_IDLE", 500)
CHAT = "/ws/chat/"
LAYERS = [
    name.strip()
    for name in os.environ.get("BENCH_CHAT_LAYERS", "memory,redis").split(",")
    if name.strip()
]
REDIS_URL = os.environ.get("BENCH_CHAT_REDIS_URL", "redis://127.0.0.1:6379/14")
SERVER = os.environ.get("BENCH_CHAT_SERVER", "uvicorn")
DEFLATE = os.environ.get("BENCH_CHAT_DEFLATE", "0") == "1"
RATE_LIMIT = os.environ.get("BENCH_CHAT_RATE_LIMIT", "1000000")
PARTS = {
    name.strip()
    for name in os.environ.get("BENCH_CHAT_PARTS", "roundtrip,fanout,memory").split(",")
    if name.strip()
}
# A py-spy to sample the server with during the fan-out runs (its raw
# collapsed stacks go to BENCH_CHAT_PROFILE.<layer>.<part>.txt); unset, none.
PROFILE = os.environ.get("BENCH_CHAT_PROFILE", "")
PY_SPY = os.environ.get("BENCH_CHAT_PY_SPY", "py-spy")
# Read by the server (chat_asgi.py): production's pool, or "new".
CONNECTIONS = os.environ.get("BENCH_CHAT_CONNECTIONS", "pool")
# Sockets opened at once while connecting many (the server's thread pool
# serialises the session and access look-ups anyway).
CONNECT_AT_ONCE = 50
# Flat out: at most this many sends unanswered (a client that sends as fast as
# the server answers; unbounded, the frames wait in TCP behind the socket's
# pong and uvicorn closes it for a ping timeout).
WINDOW = env_int("BENCH_CHAT_WINDOW", 10)
# Fan-out messages sent and waited for before the measured runs.
FAN_OUT_WARMUP = 5
# How long to wait for anything that must come.
WAIT = 60
MIGRATE_TIMEOUT = 600
BODY = "Thanks, that helps. I'll try the breathing exercise tonight."


# The database -----------------------------------------------------------------


class Database:
    """A throwaway database: on PostgreSQL when DATABASE_URL names it (the
    harness's LiveDatabase on that server: harbour_live_<random>, migrated),
    else a SQLite file in a temporary directory, migrated here."""

    def __init__(self):
        url = os.environ.get("DATABASE_URL", "")
        self.postgres = url.startswith(("postgres://", "postgresql://"))
        self.live: LiveDatabase | None = None
        self.tmp: tempfile.TemporaryDirectory | None = None
        if self.postgres:
            self.base_url = url.rsplit("/", 1)[0]
        else:
            self.tmp = tempfile.TemporaryDirectory(prefix="bench_chat_")
            self.url = f"sqlite:///{self.tmp.name}/chat.sqlite3"

    @property
    def vendor(self) -> str:
        return "postgresql" if self.postgres else "sqlite"

    def create(self) -> None:
        if self.postgres:
            self.live = LiveDatabase.create(self.base_url, settings=DEFAULT_SETTINGS)
            self.url = self.live.url
        else:
            run_django(
                self.env(None), ["manage.py", "migrate", "--no-input"], MIGRATE_TIMEOUT
            )

    def env(self, redis_url: str | None, **extra: str) -> dict:
        return server_env(self.url, redis_url, DEFAULT_SETTINGS, **extra)

    def drop(self) -> None:
        if self.live is not None:
            self.live.drop()
        if self.tmp is not None:
            self.tmp.cleanup()


def connections(database: Database) -> str:
    """How the bench server connects to the database (bench/chat_asgi.py)."""
    if not database.postgres:
        return "SQLite, a connection per database hop (production has no pool there)"
    if CONNECTIONS == "pool":
        size = os.environ.get("DATABASE_POOL_MAX_SIZE", "10")
        return f"production's pool, at most {size} (pool_connections)"
    age = os.environ.get("DATABASE_CONN_MAX_AGE", "0")
    return f"no pool (BENCH_CHAT_CONNECTIONS=new), DATABASE_CONN_MAX_AGE={age}"


def layer_env(database: Database, layer: str, prefix: str) -> dict:
    """The bench server's environment: the database, Redis or not, the key
    prefix on Redis and the raised rate limit (both read by chat_asgi.py)."""
    return database.env(
        REDIS_URL if layer == "redis" else None,
        BENCH_CHAT_PREFIX=prefix,
        BENCH_CHAT_RATE_LIMIT=RATE_LIMIT,
    )


# Servers --------------------------------------------------------------------------


class Server:
    """One server process serving bench.chat_asgi on a free port. (The
    harness's AsgiServer serves cms.asgi only; this one serves the echo route
    too, can be daphne and reads the process's memory.)"""

    def __init__(self, env: dict):
        self.port = free_port()
        self.layer = "redis" if env.get("REDIS_URL") else "memory"
        if SERVER == "daphne":
            args = [
                PYTHON, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port),
                "-v", "0", "bench.chat_asgi:application",
            ]  # fmt: skip
        else:
            args = [
                PYTHON, "-m", "uvicorn", "bench.chat_asgi:application",
                "--host", "127.0.0.1", "--port", str(self.port),
                "--ws", "websockets-sansio", "--lifespan", "off",
                "--ws-per-message-deflate", "true" if DEFLATE else "false",
                "--log-level", "warning", "--no-access-log",
            ]  # fmt: skip
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter
            args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped:\n{self.output()}")
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            time.sleep(0.1)
        raise SystemExit(f"the server did not start:\n{self.output()}")

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user + system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1]
        user, system = fields.split()[11:13]
        return (int(user) + int(system)) / os.sysconf("SC_CLK_TCK")

    def rss_kb(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS"))
        return int(line.split()[1])

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextlib.contextmanager
def sampling(server: Server, part: str):
    """With BENCH_CHAT_PROFILE: py-spy samples the server meanwhile (its
    collapsed stacks, `--format raw`, to BENCH_CHAT_PROFILE.<layer>.<part>.txt)."""
    if not PROFILE:
        yield
        return
    out = f"{PROFILE}.{server.layer}.{part}.txt"
    spy = subprocess.Popen(  # noqa: S603 - a profiler the runner named
        [PY_SPY, "record", "--pid", str(server.process.pid), "--format", "raw",
         "--output", out, "--rate", "200"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(timeout=30)
        print(f"    py-spy samples of the server during these runs: {out}")


@contextlib.contextmanager
def serving(env: dict):
    server = Server(env)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


# Clients --------------------------------------------------------------------------


async def open_socket(server: Server, session: str, path: str = CHAT):
    from websockets.asyncio.client import connect

    ws = await connect(
        f"ws://127.0.0.1:{server.port}{path}",
        origin=server.origin,
        additional_headers={"Cookie": f"sessionid={session}"},
        open_timeout=WAIT,
        ping_interval=None,
        max_queue=None,
    )
    ready = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
    if ready.get("type") != "ready":
        raise SystemExit(f"{path} answered {ready} instead of ready")
    return ws


async def join(ws, room: int, after: int | None = None) -> int:
    """Joins `room` (after number `after`, as a page that drew up to it does;
    None: from the start, with the room's backlog); returns its last number
    (the backlog is dropped)."""
    frame = {"type": "join", "room": room}
    if after is not None:
        frame["after"] = after
    await ws.send(json.dumps(frame))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if frame["type"] == "joined":
            return frame["last_seq"]
        if frame["type"] == "error":
            raise SystemExit(f"join {room} refused: {frame}")


def pct(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def load() -> str:
    average = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return f"load average {average} on {os.cpu_count()} cores"


# (a) Round trips ------------------------------------------------------------------


async def chat_round_trip(ws, room: int) -> float:
    client_id = str(uuid.uuid4())
    start = time.perf_counter()
    await ws.send(
        json.dumps({"type": "send", "room": room, "client_id": client_id, "body": BODY})
    )
    acked = broadcast = False
    while not (acked and broadcast):
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if frame.get("client_id") != client_id:
            continue
        if frame["type"] == "ack":
            acked = True
        elif frame["type"] == "message":
            broadcast = True
        elif frame["type"] == "error":
            raise SystemExit(f"send refused: {frame}")
    return (time.perf_counter() - start) * 1000


async def echo_round_trip(ws, room: int) -> float:
    client_id = str(uuid.uuid4())
    start = time.perf_counter()
    await ws.send(json.dumps({"type": "echo", "client_id": client_id, "body": BODY}))
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), WAIT))
        if frame.get("client_id") == client_id:
            return (time.perf_counter() - start) * 1000


async def round_trips(server, seeded) -> None:
    """The three kinds of round trip taken in turn, one of each per step, so
    that whatever else the machine does disturbs them alike (their ratios
    are the figures)."""
    room, session = seeded["roundtrip"].room, seeded["roundtrip"].sessions[0]
    kinds = (
        ("chat: send -> ack + message", CHAT, chat_round_trip),
        ("echo: frame -> group -> frame", "/ws/bench-echo/", echo_round_trip),
        ("stored echo: + one row stored", "/ws/bench-stored-echo/", echo_round_trip),
    )
    sockets = [await open_socket(server, session, path) for _, path, _ in kinds]
    await join(sockets[0], room)
    trips = [(ws, trip) for ws, (_, _, trip) in zip(sockets, kinds, strict=True)]
    for _ in range(WARMUP):
        for ws, trip in trips:
            await trip(ws, room)
    samples: list[list[float]] = [[] for _ in kinds]
    with sampling(server, "roundtrip"):
        for _ in range(ROUNDTRIPS):
            for taken, (ws, trip) in zip(samples, trips, strict=True):
                taken.append(await trip(ws, room))
    for ws in sockets:
        await ws.close()
    rows = [
        (name, pct(taken, 50), pct(taken, 99))
        for (name, _, _), taken in zip(kinds, samples, strict=True)
    ]
    print(
        f"(a) round trip: {ROUNDTRIPS} of each kind, the kinds in turn, after "
        f"{WARMUP} warm-up, one client alone in its room; {load()}"
    )
    print(f"    {'':32} {'p50 ms':>8} {'p99 ms':>8}")
    for name, p50, p99 in rows:
        print(f"    {name:32} {p50:8.2f} {p99:8.2f}")
    (_, chat50, chat99), (_, echo50, echo99), (_, stored50, stored99) = rows
    print(
        f"    {'ratio chat / echo':32} {chat50 / echo50:7.1f}x {chat99 / echo99:7.1f}x"
        f"   (target: within 3x)"
    )
    print(
        f"    {'ratio chat / stored echo':32} {chat50 / stored50:7.1f}x "
        f"{chat99 / stored99:7.1f}x   (what Harbour adds to storing first)"
    )


# (b) Fan-out ----------------------------------------------------------------------


class Reader(ChatClient):
    """The harness's chat client (it follows the resync rule: a number that
    jumps is not taken, and it joins again after the last number it holds),
    noting when it took each message."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.taken_at: dict[int, float] = {}

    async def _take(self, frame: dict) -> None:
        taken = len(self.log)
        await super()._take(frame)
        if len(self.log) > taken:
            self.taken_at[self.log[-1].seq] = time.perf_counter()

    def resyncs(self, room: int) -> int:
        return self.rooms[room].resyncs

    def duplicates(self, room: int, seqs: range) -> int:
        """Frames of these numbers beyond the first of each (a backlog after a
        resync brings again what came live meanwhile)."""
        got = [
            frame["seq"]
            for _, frame in self.frames_of("message", room)
            if frame["seq"] in seqs
        ]
        return len(got) - len(set(got))


class Sender:
    """A bare client that sends without waiting and notes when each message
    went (by client id, then by the number its ack gives)."""

    def __init__(self, ws, room: int):
        self.ws, self.room = ws, room
        self.sent_at: dict[str, float] = {}
        self.seq_sent_at: dict[int, float] = {}
        self.errors: list[dict] = []
        self.answered = asyncio.Event()

    async def listen(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                frame = json.loads(raw)
                if frame.get("type") == "ack":
                    self.seq_sent_at[frame["seq"]] = self.sent_at[frame["client_id"]]
                    self.answered.set()
                elif frame.get("type") == "error":
                    self.errors.append(frame)
                    self.answered.set()

    @property
    def in_flight(self) -> int:
        return len(self.sent_at) - len(self.seq_sent_at) - len(self.errors)

    async def window(self, size: int) -> None:
        """Waits until fewer than `size` sends are unanswered."""
        while self.in_flight >= size and self.ws.close_code is None:
            self.answered.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.answered.wait(), 1)

    async def send(self) -> None:
        client_id = str(uuid.uuid4())
        self.sent_at[client_id] = time.perf_counter()
        frame = {"type": "send", "room": self.room, "client_id": client_id}
        await self.ws.send(json.dumps({**frame, "body": BODY}))

    async def acked(self, seqs: range) -> None:
        for _ in range(100):  # the last acks may trail the broadcasts
            if all(seq in self.seq_sent_at for seq in seqs):
                return
            await asyncio.sleep(0.05)


async def everyone_has(readers, room: int, seq: int, timeout: float) -> str:
    """Waits until every reader holds `seq`; "" or what went wrong."""
    try:
        await asyncio.wait_for(
            asyncio.gather(
                *(reader.wait_for(room, seq, timeout) for reader in readers)
            ),
            timeout,
        )
    except TimeoutError:
        return f"timed out after {timeout:.0f}s"
    except Exception as error:  # noqa: BLE001 - a refused frame: report it
        return f"{type(error).__name__}: {error}"
    return ""


async def fan_out_run(
    server, sender, readers, room, base: int, rate: int | None
) -> tuple[str, str]:
    """Sends MESSAGES (at `rate` per second, or flat out when None), waits
    until every reader holds base + MESSAGES; returns the printed row and
    what went wrong, if anything."""
    seqs = range(base + 1, base + MESSAGES + 1)
    resyncs = sum(reader.resyncs(room) for reader in readers)
    connections = sum(reader.connections for reader in readers)
    cpu = server.cpu_seconds()
    first_send = time.perf_counter()
    for n in range(MESSAGES):
        if rate:
            delay = first_send + n / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
        else:
            await sender.window(WINDOW)
        if sender.ws.close_code is not None:
            break
        await sender.send()
    problem = await everyone_has(readers, room, seqs[-1], WAIT + MESSAGES / (rate or 5))
    await sender.acked(seqs)
    cpu = (server.cpu_seconds() - cpu) * 1000 / MESSAGES
    behind = sum(reader.rooms[room].last_seq < seqs[-1] for reader in readers)
    missing = sum(seq not in r.taken_at for r in readers for seq in seqs)
    last_has = [
        (max(reader.taken_at[seq] for reader in readers) - sender.seq_sent_at[seq])
        * 1000
        for seq in seqs
        if seq in sender.seq_sent_at and all(seq in r.taken_at for r in readers)
    ]
    end = max(
        (r.taken_at[seq] for r in readers for seq in seqs if seq in r.taken_at),
        default=first_send,
    )
    per_second = MESSAGES / (end - first_send) if end > first_send else float("nan")
    resyncs = sum(reader.resyncs(room) for reader in readers) - resyncs
    reconnects = sum(reader.connections for reader in readers) - connections
    duplicates = sum(reader.duplicates(room, seqs) for reader in readers)
    if sender.ws.close_code is not None:
        problem = (
            f"the server closed the sender's socket: {sender.ws.close_code} "
            f"{sender.ws.close_reason}; {problem}"
        )
    if problem:
        stopped = Counter(reader.rooms[room].last_seq - base for reader in readers)
        problem += f"; readers hold up to (number: readers) {dict(stopped)}"
    name = f"{rate}/s" if rate else f"flat out/{WINDOW}"
    return (
        f"    {name:12} {pct(last_has, 50):8.1f} {pct(last_has, 99):8.1f} "
        f"{per_second:8.1f} {behind:7d} {missing:8d} {resyncs:8d} {reconnects:7d} "
        f"{duplicates:6d} {cpu:8.1f}" + (f"  ({problem})" if problem else "")
    ), problem


async def fan_out(server, seeded) -> None:
    room, sessions = seeded["fanout"].room, seeded["fanout"].sessions
    url = f"ws://127.0.0.1:{server.port}/ws/chat/"
    readers = [
        Reader(url, session, name=f"reader {n}")
        for n, session in enumerate(sessions[1 : READERS + 1])
    ]
    limit = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def ready(reader):
        async with limit:
            await reader.connect(WAIT)
            await reader.join(room, WAIT)

    sender_ws = listening = None
    try:
        started = time.perf_counter()
        await asyncio.gather(*(ready(reader) for reader in readers))
        opened = time.perf_counter() - started
        sender_ws = await open_socket(server, sessions[0])
        base = await join(sender_ws, room)
        sender = Sender(sender_ws, room)
        listening = asyncio.create_task(sender.listen())
        for _ in range(FAN_OUT_WARMUP):
            await sender.send()
        base += FAN_OUT_WARMUP
        if problem := await everyone_has(readers, room, base, WAIT):
            print(f"(b) fan-out: the warm-up failed ({problem}); skipped")
            print(server.output())
            return
        print(
            f"(b) fan-out: {READERS} readers and 1 sender in one room, {MESSAGES} "
            f"messages a run after {FAN_OUT_WARMUP} warm-up ({READERS} sockets "
            f"opened and joined in {opened:.1f}s); {load()}"
        )
        print(
            f"    {'run':12} {'p50 ms':>8} {'p99 ms':>8} {'msg/s':>8} "
            f"{'behind':>7} {'missing':>8} {'resyncs':>8} {'reconn':>7} {'dups':>6}"
            f" {'cpu ms':>8}"
        )
        with sampling(server, "fanout"):
            for rate in (RATE, None):
                row, problem = await fan_out_run(
                    server, sender, readers, room, base, rate
                )
                print(row)
                if problem and (log := server.output().strip()):
                    print(f"    server log: {log}")
                base += MESSAGES
        print(
            "    p50/p99: from a send until the last reader has it; msg/s: from "
            "the first send until the last reader has the last message; behind: "
            "readers without every number at the end; missing: (reader, number) "
            "never taken; reconn: readers' sockets opened again after the server "
            "closed one (they rejoin after the last number held); dups: frames "
            "readers dropped as already held; cpu ms: the server process's CPU "
            "time a message (all its readers), which the load of other "
            "processes on the machine changes far less than the times"
            + (f"; sender errors: {sender.errors[:3]}" if sender.errors else "")
        )
    finally:
        if listening is not None:
            listening.cancel()
        if sender_ws is not None:
            await sender_ws.close()
        await asyncio.gather(*(r.close() for r in readers), return_exceptions=True)


# (c) Memory -----------------------------------------------------------------------


async def open_many(server, sessions, count, path, room=None, after=None):
    """`count` bare sockets (sessions reused in turn), joined to `room` (after
    number `after`, see `join`)."""
    limit = asyncio.Semaphore(CONNECT_AT_ONCE)

    async def one(n):
        async with limit:
            ws = await open_socket(server, sessions[n % len(sessions)], path)
            if room is not None:
                await join(ws, room, after)
            return ws

    return await asyncio.gather(*(one(n) for n in range(count)))


async def close_all(sockets) -> None:
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)


async def idle_memory(
    server, seeded, path: str, as_the_page: bool = False
) -> tuple[int, int, int]:
    """The server's RSS before and after IDLE idle sockets (chat ones joined
    to the fan-out room: from its start, so each is sent the room's backlog
    of its last 50 messages, or `as_the_page` does, after the last number
    the page drew, so nothing is sent; echo ones are in their group from the
    start)."""
    room = seeded["fanout"].room if path == CHAT else None
    sessions = seeded["fanout"].sessions
    # Warm up first: imports, the thread pool, the database connection.
    warm = await open_many(server, sessions, 20, path, room)
    last = await join(warm[0], room) if room is not None else None
    await close_all(warm)
    await asyncio.sleep(1)
    before = server.rss_kb()
    after = last if as_the_page else None
    sockets = await open_many(server, sessions, IDLE, path, room, after)
    await asyncio.sleep(2)
    after = server.rss_kb()
    still_open = sum(ws.close_code is None for ws in sockets)
    await close_all(sockets)
    return before, after, still_open


# The run --------------------------------------------------------------------------


def redis_reachable() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means not reachable
        return False
    return True


def forget_redis(prefix: str) -> None:
    """Deletes the keys the bench server wrote (channel layer and cache)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)


def raise_fd_limit(wanted: int) -> None:
    """Each socket is a descriptor here and one in the server (which inherits
    the limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def seed(database: Database) -> tuple[dict, float]:
    """A pathway for the round trips (one member) and one for the fan-out
    (READERS + 1), fresh for each layer so a join starts from an empty room."""
    started = time.perf_counter()
    env = database.env(None)
    seeded = {"roundtrip": seed_pathway(env, members=1)}
    if PARTS & {"fanout", "memory"}:
        seeded["fanout"] = seed_pathway(env, members=READERS + 1)
    return seeded, time.perf_counter() - started


def bench_layer(layer: str, database: Database) -> None:
    seeded, took = seed(database)
    prefix = f"bench-chat-{secrets.token_hex(4)}"
    env = layer_env(database, layer, prefix)
    where = "in-memory layer" if layer == "memory" else f"Redis layer ({REDIS_URL})"
    seeded_members = sum(len(each.users) for each in seeded.values())
    print(f"\n== {where}; {seeded_members} trusted members seeded in {took:.1f}s")
    try:
        with serving(env) as server:
            if "roundtrip" in PARTS:
                asyncio.run(round_trips(server, seeded))
            if "fanout" in PARTS:
                asyncio.run(fan_out(server, seeded))
        if "memory" not in PARTS:
            return
        rows = []
        for name, path, as_the_page in (
            ("chat, joined as the page joins (after its last number)", CHAT, True),
            ("chat, joined from the start (a backlog of 50)", CHAT, False),
            ("echo", "/ws/bench-echo/", False),
        ):
            with serving(env) as server:
                measured = idle_memory(server, seeded, path, as_the_page)
                rows.append((name, *asyncio.run(measured)))
        print(
            f"(c) memory per idle connection: {IDLE} sockets, each kind on a fresh "
            f"server; {load()}"
        )
        for name, before, after, still_open in rows:
            print(
                f"    {(after - before) / IDLE:7.1f} KB a socket, {name} "
                f"(server RSS {before / 1024:.1f} -> {after / 1024:.1f} MB)"
                + (
                    ""
                    if still_open == IDLE
                    else f"; only {still_open} still open when measured"
                )
            )
    finally:
        if layer == "redis":
            forget_redis(prefix)


def main() -> None:
    raise_fd_limit(2 * (READERS + IDLE) + 1000)
    database = Database()
    try:
        started = time.perf_counter()
        database.create()
        print(
            f"database: {database.vendor}, throwaway, migrated in "
            f"{time.perf_counter() - started:.1f}s"
        )
        ws = "websockets-sansio" if SERVER == "uvicorn" else "autobahn"
        print(
            f"server: {SERVER} bench.chat_asgi:application, one process ({ws}, "
            f"permessage-deflate {'on' if DEFLATE else 'off'}; {DEFAULT_SETTINGS}; "
            f"database connections: {connections(database)}); "
            "clients: websockets, in this process"
        )
        print(
            f"the chat rate limit is raised for the bench server to {RATE_LIMIT} "
            "messages a window (HARBOUR_CHAT_RATE_MESSAGES, in bench/chat_asgi.py)"
        )
        if timeout := os.environ.get("BENCH_CHAT_REDIS_SOCKET_TIMEOUT"):
            print(
                f"NOT the site's configuration: the Redis layer's connections get "
                f"a {timeout}s read timeout (BENCH_CHAT_REDIS_SOCKET_TIMEOUT)"
            )
        for layer in LAYERS:
            if layer == "redis" and not redis_reachable():
                print(f"\n== Redis layer: skipped, not reachable at {REDIS_URL}")
                continue
            bench_layer(layer, database)
    finally:
        database.drop()


if __name__ == "__main__":
    main()
