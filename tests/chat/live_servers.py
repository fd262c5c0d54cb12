"""Real Harbour processes for reliability tests and benchmarks (issue #6).

Everything here runs the product as it is deployed, each part in its own
process, so what is tested is what members use: ASGI servers (uvicorn) that
share PostgreSQL and a Redis channel layer, a Redis that can be killed and
started again, and a chat client that speaks chat/README.md's protocol over
a real socket, resync rule included.

    database = LiveDatabase.create()           # fresh PostgreSQL db, migrated
    redis = RedisServer.start()                # private redis-server, free port
    env = database.env(redis.url())            # what a server process runs with
    seed = seed_pathway(env, members=3)        # a pathway's room, people, sessions
    server = AsgiServer.start(env)             # uvicorn cms.asgi:application
    async with ChatClient(server.ws_url, seed.sessions[0]) as alice:
        await alice.join(seed.room)
        ack = await alice.send(seed.room, "hello")
        await alice.wait_for(seed.room, ack["seq"])
    server.stop(); redis.stop(); database.drop()

Each class is also a context manager that stops or drops what it made, and
every process started here is killed at interpreter exit if nothing stopped
it; on Linux (setpriv) it is also killed when the thread that started it
ends, so start servers from a thread that lives as long as they should (the
main thread), not from a short-lived worker. A missing service (PostgreSQL
unreachable, no redis-server binary) raises `ServiceMissing`; callers decide
whether that skips or fails.

Nothing here imports Django: the servers, migrations and seeding run in
subprocesses with the environment `server_env` builds, so this module can be
used from a test process whatever its own settings are.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import websockets
from websockets.asyncio.client import ClientConnection

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# The test settings read DATABASE_URL and REDIS_URL as production does (see
# cms/settings/base.py) and allow any host, so sockets from 127.0.0.1 with any
# port pass AllowedHostsOriginValidator. DEBUG stays off.
DEFAULT_SETTINGS = "cms.settings.test"
DEFAULT_DATABASE_BASE = "postgres://postgres@127.0.0.1:5432"
DEFAULT_APP = "cms.asgi:application"
REDIS_SERVER = "redis-server"
# Generous limits: a loaded CI machine migrates and starts slowly. They only
# stop a broken run from hanging; nothing here measures speed.
MIGRATE_TIMEOUT = 300
START_TIMEOUT = 60


class ServiceMissing(RuntimeError):
    """PostgreSQL or redis-server, which these processes need, is not there."""


# Processes --------------------------------------------------------------------------

_running: set[subprocess.Popen] = set()


# Where the system has it, a child gets SIGKILL when the thread that started it
# ends, so no server outlives a run that was killed before its finalizers.
SETPRIV = shutil.which("setpriv") if sys.platform == "linux" else None


def _spawn(args: list[str], env: dict | None, log: Path) -> subprocess.Popen:
    """Start `args` in its own process group (so stopping it stops anything it
    started), output to `log`, tied to the calling thread's life."""
    if SETPRIV:
        args = [SETPRIV, "--pdeathsig", "KILL", "--", *args]
    with open(log, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own fixed commands
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _running.add(process)
    return process


PROCFILE = ROOT / "Procfile"


def procfile_command(kind: str) -> list[str]:
    """The Procfile's `kind` line (`web`, `worker`) as a command: run by a
    shell, as honcho and other Procfile runners do (it fills in ${PORT} and
    the like), and `exec`'d, so the server itself is the process signalled."""
    for line in PROCFILE.read_text().splitlines():
        name, colon, command = line.partition(":")
        if colon and not name.startswith("#") and name.strip() == kind:
            return ["/bin/sh", "-c", f"exec {command.strip()}"]
    raise LookupError(f"The Procfile has no {kind!r} line")


def _procfile_env(env: dict) -> dict:
    """`env` with this interpreter's folder first on PATH: the Procfile names
    `uvicorn` and `python` as a deployment's PATH finds them."""
    return {**env, "PATH": f"{Path(PYTHON).parent}{os.pathsep}{env.get('PATH', '')}"}


def _kill(
    process: subprocess.Popen, sig: int = signal.SIGKILL, grace: float = 10
) -> None:
    """Signal `process`'s group and wait for it to end; SIGKILL after `grace`
    seconds."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    _running.discard(process)


@atexit.register
def _kill_leftovers() -> None:
    for process in list(_running):
        _kill(process)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


_log_dir: Path | None = None


def _log_file(prefix: str) -> Path:
    """A new log file in this process's own temporary folder, which goes at
    exit (a test prints the tails it wants before that)."""
    global _log_dir
    if _log_dir is None:
        _log_dir = Path(tempfile.mkdtemp(prefix="harbour-live-"))
        atexit.register(shutil.rmtree, _log_dir, ignore_errors=True)
    handle, name = tempfile.mkstemp(prefix=f"{prefix}-", suffix=".log", dir=_log_dir)
    os.close(handle)
    return Path(name)


def server_env(
    database_url: str,
    redis_url: str | None,
    settings: str = DEFAULT_SETTINGS,
    **extra: str,
) -> dict[str, str]:
    """The environment of a Harbour process (server, migrate, seed): this
    process's own (PATH and the like) with the database, Redis (channel layer
    and cache) and settings given, and nothing a test process set for itself
    (DJANGO_ALLOW_ASYNC_UNSAFE: a server must not run with it)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "REDIS_URL", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
        # The test settings name the layer's key prefix after the run: the
        # processes of one test must share it even when this process was
        # started without REDIS_URL (and so never set it), or each would be in
        # a channel layer of its own and never hear the others.
        env.setdefault("HARBOUR_TEST_RUN", f"live-{os.getpid()}")
    return env


# PostgreSQL -------------------------------------------------------------------------


def _admin_connect(base_url: str):
    import psycopg

    try:
        return psycopg.connect(
            f"{base_url}/postgres", autocommit=True, connect_timeout=5
        )
    except psycopg.OperationalError as error:
        raise ServiceMissing(
            f"PostgreSQL is not reachable at {base_url}: {error}"
        ) from error


@dataclass
class LiveDatabase:
    """A PostgreSQL database of its own (`harbour_live_<random>`), migrated.
    `base_url` is the server without a database name (default env
    HARBOUR_LIVE_DATABASE_URL, else postgres://postgres@127.0.0.1:5432)."""

    base_url: str
    name: str
    settings: str = DEFAULT_SETTINGS
    # More environment for every process using it (production settings need
    # a secret key, allowed hosts and the site's address: `production_env`).
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.name}"

    @classmethod
    def create(
        cls,
        base_url: str | None = None,
        settings: str = DEFAULT_SETTINGS,
        extra: dict[str, str] | None = None,
    ) -> LiveDatabase:
        """Create the database and run `manage.py migrate` on it (in a
        subprocess with these settings and `extra` environment). Raises
        ServiceMissing when PostgreSQL is not reachable, RuntimeError (with
        migrate's output) when migrating fails; the database is dropped again
        then."""
        base_url = (
            base_url
            or os.environ.get("HARBOUR_LIVE_DATABASE_URL")
            or DEFAULT_DATABASE_BASE
        ).rstrip("/")
        database = cls(
            base_url,
            f"harbour_live_{uuid.uuid4().hex[:12]}",
            settings,
            dict(extra or {}),
        )
        with _admin_connect(base_url) as admin:
            admin.execute(f'CREATE DATABASE "{database.name}"')
        try:
            run_django(
                database.env(None),
                ["manage.py", "migrate", "--no-input", "--skip-checks"],
                timeout=MIGRATE_TIMEOUT,
            )
        except BaseException:
            database.drop()
            raise
        return database

    def env(self, redis_url: str | None, **extra: str) -> dict[str, str]:
        """The environment of a process using this database and `redis_url`."""
        return server_env(self.url, redis_url, self.settings, **{**self.extra, **extra})

    def drop(self) -> None:
        """Drop the database, closing whatever still uses it."""
        with _admin_connect(self.base_url) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def __enter__(self) -> LiveDatabase:
        return self

    def __exit__(self, *exc) -> None:
        self.drop()


def run_django(env: dict, args: list[str], timeout: float = 120) -> str:
    """Run `python <args>` in the project with `env`; its stdout, or
    RuntimeError with its output when it fails."""
    done = subprocess.run(  # noqa: S603 - our own fixed commands
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(args[:2])} failed ({done.returncode}):\n"
            f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


@dataclass
class Seed:
    """What `seed_pathway` made: the pathway, its default room, its trusted
    members (ids) and a signed-in session key for each, in the same order."""

    pathway: int
    room: int
    users: list[int]
    sessions: list[str]


_SEED_SCRIPT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from chat.models import Room
from tests.factories import make_pathway, make_trusted

tag, count = sys.argv[1], int(sys.argv[2])
pathway = make_pathway(f"Live {tag}", slug=f"live-{tag}")
users, sessions = [], []
for n in range(count):
    user = make_trusted(
        pathway, email=f"live-{tag}-{n}@example.org", display_name=f"Live {tag} {n}"
    )
    client = Client()
    client.force_login(user)
    users.append(user.pk)
    sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
room = Room.objects.get(pathway=pathway, is_default=True)
print(json.dumps({"pathway": pathway.pk, "room": room.pk, "users": users,
                  "sessions": sessions}))
"""


def seed_pathway(env: dict, members: int) -> Seed:
    """A new pathway with `members` trusted members (their messages publish
    at once rather than wait for a moderator), each signed in: made through
    tests.factories in a subprocess with `env`, like the servers see it."""
    tag = uuid.uuid4().hex[:8]
    out = run_django(env, ["-c", _SEED_SCRIPT, tag, str(members)])
    return Seed(**json.loads(out.strip().splitlines()[-1]))


# Redis ------------------------------------------------------------------------------


@dataclass
class RedisServer:
    """A private redis-server on 127.0.0.1 that keeps nothing on disk
    (`--save "" --appendonly no`), so a restart starts empty, as a Redis that
    lost its memory does. `kill()` and `start_again()` keep the port."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    @classmethod
    def start(cls, port: int | None = None) -> RedisServer:
        if shutil.which(REDIS_SERVER) is None:
            raise ServiceMissing("redis-server is not installed")
        server = cls(port or free_port(), _log_file("redis"))
        server.start_again()
        return server

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start_again(self) -> None:
        """Start (again) on the same port, empty, and wait until it answers."""
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError("redis-server is already running")
        # The same binary `start` checked; resolved so the call needs no shell.
        binary = shutil.which(REDIS_SERVER) or REDIS_SERVER
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--protected-mode",
            "no",
            "--loglevel",
            "warning",
        ]
        self.process = _spawn(args, None, self.log)
        deadline = time.monotonic() + START_TIMEOUT
        while not self.answers():
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited:\n{_tail(self.log)}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not answer:\n{_tail(self.log)}")
            time.sleep(0.05)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def kill(self) -> None:
        """SIGKILL: Redis goes away at once, with everything it held."""
        if self.process is not None:
            _kill(self.process)

    stop = kill

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ASGI servers -----------------------------------------------------------------------


@dataclass
class AsgiServer:
    """`uvicorn <app>` (the site's own, cms.asgi:application, unless told) on
    127.0.0.1 at a free port, with `env` (see `server_env`); `start` returns
    once it answers HTTP."""

    port: int
    log: Path
    process: subprocess.Popen
    # What `wait_until_answering` asks for: under production settings
    # anything but the health checks redirects plain http to https.
    probe_path: str = "/"

    @classmethod
    def start(
        cls, env: dict, port: int | None = None, app: str = DEFAULT_APP
    ) -> AsgiServer:
        return cls.start_many(env, 1, app=app, ports=[port] if port else None)[0]

    @classmethod
    def start_many(
        cls,
        env: dict,
        count: int,
        app: str = DEFAULT_APP,
        ports: list[int] | None = None,
    ) -> list[AsgiServer]:
        """`count` servers started side by side (they boot in parallel),
        returned once every one answers; all stopped if one fails."""
        servers = [cls.spawn(env, port, app) for port in ports or [None] * count]
        try:
            for server in servers:
                server.wait_until_answering()
        except BaseException:
            for server in servers:
                server.stop()
            raise
        return servers

    @classmethod
    def spawn(
        cls, env: dict, port: int | None = None, app: str = DEFAULT_APP
    ) -> AsgiServer:
        """Start the process and return at once (it boots meanwhile); then
        `wait_until_answering()`."""
        port = port or free_port()
        log = _log_file(f"uvicorn-{port}")
        args = [
            PYTHON,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            # Django's ASGI handler has no lifespan; Channels' router refuses it.
            "--lifespan",
            "off",
            "--no-access-log",
            "--log-level",
            "warning",
        ]
        return cls(port, log, _spawn(args, env, log))

    @classmethod
    def from_procfile(cls, env: dict, port: int | None = None) -> AsgiServer:
        """The Procfile's `web` line, as production runs it (JSON logs, no
        access log, no proxy headers of uvicorn's own), on `port`; returns at
        once, then `wait_until_answering()`."""
        port = port or free_port()
        log = _log_file(f"web-{port}")
        process = _spawn(
            procfile_command("web"), _procfile_env({**env, "PORT": str(port)}), log
        )
        return cls(port, log, process, probe_path="/health/")

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """The chat socket's address."""
        return f"ws://127.0.0.1:{self.port}/ws/chat/"

    def wait_until_answering(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited:\n{_tail(self.log)}")
            try:
                urllib.request.urlopen(  # noqa: S310 - our own http URL
                    f"{self.http_url}{self.probe_path}", timeout=5
                ).close()
                return
            except urllib.error.HTTPError:
                return  # it answered, whatever it said
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"uvicorn did not answer in {START_TIMEOUT}s:\n"
                        f"{_tail(self.log)}"
                    ) from None
                time.sleep(0.1)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)

    def stop(self, grace: float = 1) -> None:
        """SIGTERM (uvicorn closes its sockets), SIGKILL after `grace` s (it
        may otherwise wait out Redis's 5 s blocking reads)."""
        _kill(self.process, signal.SIGTERM, grace)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as a crashed machine's would,
        its sockets cut without a word."""
        _kill(self.process)

    def __enter__(self) -> AsgiServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# The chat client --------------------------------------------------------------------


class ChatRefused(AssertionError):
    """The server refused something that should have worked (an error frame
    that sending again cannot cure, a room that would not let us in)."""


# Error codes a frame may meet while a service is down or busy, and that the
# same frame, sent again, gets past (the client id makes a repeated send
# safe: the server stores each id once).
RETRYABLE = {"server_error", "rate_limited"}


@dataclass(frozen=True)
class Received:
    """One message as the client took it: its room, number and text."""

    room: int
    seq: int
    body: str


@dataclass
class RoomState:
    """What the client knows of one room it is in."""

    last_seq: int = 0  # it has taken every number up to this one
    synced: bool = False  # `joined` came, and no resync has been asked since
    resyncs: int = 0  # joins sent because a number jumped or a pong was ahead
    at: str | None = None  # the last `joined`'s `at`, for `changed_since`
    retry: asyncio.TimerHandle | None = None


@dataclass
class ChatClient:
    """A chat client over a real socket that keeps chat/README.md's rules:

    - per room it keeps the number up to which it has every message
      (`rooms[room].last_seq`), and joins with `after` that number (0 the
      first time, so it gets every message), again after each reconnect;
    - a `message` or `skip` whose number is past `last_seq + 1` is not taken:
      it sends `join` with `last_seq` (once, until `joined` answers) and takes
      what the backlog brings, and so does a `pong` whose `last_seq` for the
      room is ahead; a number it already has is dropped;
    - `send` names each message with a client id and sends the same frame
      again, after a disconnect or a retryable error, until it is acked.

    So `log` holds the messages taken, in the order taken: a correct server
    makes it exactly the room's messages 1..N. `frames` holds every frame
    received, unfiltered and in arrival order, as (connection number, frame):
    what the server really sent, socket by socket. The client reconnects by
    itself (unless `reconnect` is False) until `close()`.

    `pause()` stops reading the socket: after a few frames the library stops
    reading the TCP connection, the small `receive_buffer` (if given) fills,
    and the server's writes back up. `resume()` reads again. `drop()` cuts
    the connection without a closing handshake, as a phone losing its signal
    does (`stay_offline` keeps it down until `go_online()`). `ping()` is the
    page's heartbeat, at the moment the caller chooses.
    """

    url: str
    session: str
    name: str = "client"
    reconnect: bool = True
    receive_buffer: int | None = None
    # Through a proxy: `wss://` with this TLS context (one that trusts the
    # proxy's certificate), more cookies sent beside the session's, and the
    # site's origin if not the URL's own.
    ssl_context: ssl.SSLContext | None = None
    cookies: dict[str, str] = field(default_factory=dict)
    origin: str | None = None

    log: list[Received] = field(default_factory=list)
    frames: list[tuple[int, dict]] = field(default_factory=list)
    connections: int = 0
    rooms: dict[int, RoomState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._socket: ClientConnection | None = None
        self._online = asyncio.Event()  # connected, and `ready` came
        self._may_connect = asyncio.Event()
        self._may_connect.set()
        self._reading = asyncio.Event()
        self._reading.set()
        self._changed = asyncio.Condition()
        self._answers: dict[str, asyncio.Future] = {}  # client id or "pong"
        self._task: asyncio.Task | None = None
        self._closing = False
        self._fatal: BaseException | None = None

    # Lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> ChatClient:
        await self.connect()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.close()

    async def connect(self, timeout: float = 30) -> None:
        """Open the socket (and keep it open) and wait for `ready`."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"chat {self.name}")
        await self._wait(self._online.wait(), timeout, "the socket to be ready")

    async def close(self) -> None:
        self._closing = True
        self._may_connect.set()
        self._reading.set()
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._socket.close(), 5)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    @property
    def extensions(self) -> str | None:
        """The socket extensions the server agreed to (its
        Sec-WebSocket-Extensions; None when none). The client offers
        permessage-deflate, as browsers do."""
        if self._socket is None or self._socket.response is None:
            return None
        return self._socket.response.headers.get("Sec-WebSocket-Extensions")

    def drop(self, stay_offline: bool = False) -> None:
        """Cut the connection at once: a TCP reset, no closing handshake. The
        client connects again and resyncs by itself (after `go_online()` when
        `stay_offline`)."""
        if stay_offline:
            self._may_connect.clear()
        if self._socket is not None:
            transport = self._socket.transport
            sock = transport.get_extra_info("socket")
            if sock is not None:  # linger 0: close with RST, not FIN
                with contextlib.suppress(OSError):
                    sock.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0"
                    )
            transport.abort()

    def go_online(self) -> None:
        self._may_connect.set()

    @property
    def online(self) -> bool:
        return self._online.is_set()

    def pause(self) -> None:
        """Stop reading the socket."""
        self._reading.clear()

    def resume(self) -> None:
        self._reading.set()

    # Requests ----------------------------------------------------------------------

    async def join(self, room: int, timeout: float = 30) -> None:
        """Join `room` (after the last number held) and wait until synced."""
        self.rooms.setdefault(room, RoomState())
        if self._online.is_set():
            await self._send_join(room)
        await self.wait_until(
            lambda: self.rooms[room].synced, timeout, f"joined room {room}"
        )

    async def send(
        self, room: int, body: str, client_id: str | None = None, timeout: float = 60
    ) -> dict:
        """Send `body` to `room` and return its `ack`. The same frame goes again
        (same client id) after a disconnect or a retryable error until acked;
        any other error raises ChatRefused."""
        client_id = client_id or str(uuid.uuid4())
        frame = {"type": "send", "room": room, "client_id": client_id, "body": body}
        answer = await self._request(frame, client_id, timeout)
        if answer["type"] != "ack":
            raise ChatRefused(f"{self.name}: send refused: {answer}")
        return answer

    async def ping(self, timeout: float = 30) -> dict:
        """The heartbeat: `ping` until a `pong` comes (a room the pong says
        is ahead of what the client holds is resynced, see `_take`)."""
        return await self._request({"type": "ping"}, "pong", timeout)

    async def _request(self, frame: dict, key: str, timeout: float) -> dict:
        deadline = time.monotonic() + timeout
        attempt = 0
        while True:
            attempt += 1
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no answer to {frame} in {timeout}s")
            await self._wait(self._online.wait(), left, "the socket to be ready")
            connection = self._socket
            if connection is None:
                continue
            future = asyncio.get_running_loop().create_future()
            self._answers[key] = future
            try:
                await connection.send(json.dumps(frame))
                answer = await asyncio.wait_for(future, min(left, 10))
            except (websockets.ConnectionClosed, OSError, TimeoutError):
                answer = None  # the socket went, or the answer did: again
            finally:
                self._answers.pop(key, None)
            if answer is not None and (
                answer["type"] != "error" or answer.get("code") not in RETRYABLE
            ):
                return answer
            await asyncio.sleep(min(0.05 * 2**attempt, 1.0))

    # Waiting -----------------------------------------------------------------------

    async def wait_until(self, predicate, timeout: float, what: str = "") -> None:
        """Wait (at most `timeout` s) until `predicate()` holds; it is checked
        after every frame."""

        async def until():
            async with self._changed:
                await self._changed.wait_for(
                    lambda: self._fatal is not None or predicate()
                )
            if self._fatal is not None:
                raise self._fatal

        await self._wait(until(), timeout, what or "a condition")

    async def wait_for(self, room: int, seq: int, timeout: float = 30) -> None:
        """Wait until every message of `room` up to `seq` has been taken."""
        await self.wait_until(
            lambda: room in self.rooms and self.rooms[room].last_seq >= seq,
            timeout,
            f"room {room} up to {seq}",
        )

    def messages(self, room: int) -> list[Received]:
        """The messages of `room` taken, in the order taken."""
        return [message for message in self.log if message.room == room]

    def frames_of(self, kind: str, room: int | None = None) -> list[tuple[int, dict]]:
        """The (connection, frame) pairs received of one type (and room)."""
        return [
            (number, frame)
            for number, frame in self.frames
            if frame.get("type") == kind and (room is None or frame.get("room") == room)
        ]

    async def _wait(self, awaitable, timeout: float, what: str):
        try:
            return await asyncio.wait_for(awaitable, timeout)
        except TimeoutError:
            held = {n: r.last_seq for n, r in self.rooms.items()}
            raise TimeoutError(
                f"{self.name}: waited {timeout}s for {what} "
                f"(holding {held}, {self.connections} connections)"
            ) from None

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # The socket --------------------------------------------------------------------

    async def _run(self) -> None:
        delay = 0.05
        while not self._closing:
            await self._may_connect.wait()
            try:
                await self._connection()
                delay = 0.05
            except (websockets.ConnectionClosed, OSError, websockets.InvalidHandshake):
                pass  # the connection went, or could not be made: again
            except TimeoutError:
                pass  # the opening handshake took too long: again
            except asyncio.CancelledError:
                raise
            except BaseException as error:  # a broken rule: stop, say why
                self._fatal = error
                await self._notify()
                raise
            finally:
                self._online.clear()
                self._socket = None
                for room in self.rooms.values():
                    room.synced = False
                    if room.retry is not None:
                        room.retry.cancel()
                        room.retry = None
                for future in self._answers.values():
                    if not future.done():
                        future.set_result(None)
            if not self.reconnect:
                return
            await asyncio.sleep(delay)
            delay = min(delay * 2, 1.0)

    async def _connection(self) -> None:
        origin = (
            self.origin
            or (
                self.url.replace("wss://", "https://", 1)
                .replace("ws://", "http://", 1)
                .split("/ws/")[0]
            )
        )
        cookies = {"sessionid": self.session, **self.cookies}
        sock = None
        if self.receive_buffer:
            host, port = origin.removeprefix("http://").rsplit(":", 1)
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.receive_buffer)
            sock.setblocking(False)
            try:
                await asyncio.get_running_loop().sock_connect(sock, (host, int(port)))
            except OSError:
                sock.close()
                raise
        async with websockets.connect(
            self.url,
            sock=sock,
            origin=origin,
            ssl=self.ssl_context if self.url.startswith("wss://") else None,
            additional_headers={
                "Cookie": "; ".join(
                    f"{name}={value}" for name, value in cookies.items()
                )
            },
            open_timeout=10,
            # The server pings; a paused client must not time out by itself.
            ping_interval=None,
            max_queue=4,
        ) as connection:
            self._socket = connection
            self.connections += 1
            while True:
                await self._reading.wait()
                frame = json.loads(await connection.recv())
                self.frames.append((self.connections, frame))
                await self._take(frame)
                await self._notify()

    async def _send_join(self, room_id: int) -> None:
        room = self.rooms[room_id]
        room.synced = False
        if room.retry is not None:
            room.retry.cancel()
            room.retry = None
        frame = {"type": "join", "room": room_id, "after": room.last_seq}
        if room.at:
            frame["changed_since"] = room.at
        connection = self._socket
        if connection is not None:
            with contextlib.suppress(websockets.ConnectionClosed, OSError):
                await connection.send(json.dumps(frame))

    def _join_later(self, room_id: int) -> None:
        """A join the server could not answer (say Redis was down): again soon."""
        room = self.rooms[room_id]
        if room.retry is None:
            room.retry = asyncio.get_running_loop().call_later(
                0.2, lambda: asyncio.ensure_future(self._send_join(room_id))
            )

    async def _resync(self, room_id: int) -> None:
        room = self.rooms[room_id]
        if room.synced:  # else a join is on its way already
            room.resyncs += 1
            await self._send_join(room_id)

    def _answer(self, key: str, frame: dict) -> None:
        future = self._answers.get(key)
        if future is not None and not future.done():
            future.set_result(frame)

    async def _take(self, frame: dict) -> None:
        kind = frame.get("type")
        if kind == "ready":
            self._online.set()
            for room_id in self.rooms:
                await self._send_join(room_id)
        elif kind in {"message", "skip"}:
            room = self.rooms.get(frame["room"])
            seq = frame["seq"]
            if room is None or seq <= room.last_seq:
                return  # not ours, or had it (a backlog overlapping live copies)
            if seq > room.last_seq + 1:
                # A number jumped: something was lost on the way. Ask for
                # everything after what we hold and take it from there.
                await self._resync(frame["room"])
                return
            room.last_seq = seq
            if kind == "message":
                self.log.append(Received(frame["room"], seq, frame["body"]))
        elif kind == "joined":
            room = self.rooms.get(frame["room"])
            if room is None:
                return
            if not frame["complete"]:
                raise ChatRefused(f"{self.name}: more missed than one join brings")
            # Numbers up to last_seq that the backlog did not bring are ones
            # this reader may not see.
            room.last_seq = max(room.last_seq, frame["last_seq"])
            room.at = frame.get("at")
            room.synced = True
        elif kind == "pong":
            for room_id, last_seq in (frame.get("last_seq") or {}).items():
                room = self.rooms.get(int(room_id))
                if room is not None and last_seq > room.last_seq:
                    await self._resync(int(room_id))
            self._answer("pong", frame)
        elif kind == "ack":
            self._answer(frame["client_id"], frame)
        elif kind == "error":
            if frame.get("client_id") is not None:  # about a send: `send` decides
                self._answer(frame["client_id"], frame)
            elif "pong" in self._answers and frame.get("room") is None:
                self._answer("pong", frame)  # the ping failed
            elif frame.get("room") in self.rooms and frame.get("code") in RETRYABLE:
                self._join_later(frame["room"])  # the join failed: again
            else:
                raise ChatRefused(f"{self.name}: {frame}")


# The production stack's other parts -------------------------------------------------
#
# What `make serve` runs, each part started here on loopback at a free port:
# app processes from the Procfile under cms.settings.production
# (`AsgiServer.from_procfile`), the Procfile's worker (`WorkerProcess`), moto's
# S3 server for media (`MotoS3`) and a real nginx in front with TLS
# (`NginxProxy`), configured from cms/deploy/nginx.conf.template.

PRODUCTION_SETTINGS = "cms.settings.production"
SITE_HOST = "localhost"


def production_env(site: str, **extra: str) -> dict[str, str]:
    """What cms.settings.production needs beside the database and Redis, for
    a site at `site` (https://localhost:<port>): a secret key, the allowed
    host, the site's address (sockets and forms are checked against its
    origin) and JSON logs. Give it to `LiveDatabase.create(extra=...)`."""
    return {
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "ALLOWED_HOSTS": SITE_HOST,
        "WAGTAILADMIN_BASE_URL": site,
        "LOG_FORMAT": "json",
        **extra,
    }


_SESSIONS_SCRIPT = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.test import Client
from community.models import User

sessions = []
for email in sys.argv[1:]:
    client = Client()
    client.force_login(User.objects.get(email=email))
    sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
print(json.dumps(sessions))
"""


def signed_in_sessions(env: dict, emails: list[str]) -> list[str]:
    """A new signed-in session key for each email (one may come more than
    once: each gets a session of its own), made in a subprocess with `env`
    as the servers see it."""
    out = run_django(env, ["-c", _SESSIONS_SCRIPT, *emails])
    return json.loads(out.strip().splitlines()[-1])


@dataclass
class WorkerProcess:
    """The Procfile's `worker` line (`manage.py harbour_worker`) with `env`."""

    log: Path
    process: subprocess.Popen

    @classmethod
    def start(cls, env: dict) -> WorkerProcess:
        log = _log_file("worker")
        return cls(log, _spawn(procfile_command("worker"), _procfile_env(env), log))

    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        _kill(self.process, signal.SIGTERM, 5)

    def log_tail(self, lines: int = 40) -> str:
        return _tail(self.log, lines)


@dataclass
class MotoS3:
    """moto's S3 server (`python -m moto.server`) on 127.0.0.1 with one
    bucket; `env()` is what the app needs to keep its media there."""

    port: int
    log: Path
    process: subprocess.Popen
    bucket: str = "harbour-media"
    region: str = "eu-west-2"

    @classmethod
    def start(cls, bucket: str = "harbour-media") -> MotoS3:
        port = free_port()
        log = _log_file("moto")
        args = [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        server = cls(port, log, _spawn(args, server_env("", None), log), bucket)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.process.poll() is not None:
                raise RuntimeError(f"moto exited:\n{_tail(log)}")
            try:
                server.client().create_bucket(
                    Bucket=bucket,
                    CreateBucketConfiguration={"LocationConstraint": server.region},
                )
                return server
            except Exception:  # noqa: BLE001 - not answering yet
                if time.monotonic() > deadline:
                    server.stop()
                    raise RuntimeError(f"moto did not answer:\n{_tail(log)}") from None
                time.sleep(0.2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.url,
            "AWS_S3_REGION_NAME": self.region,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - moto's, not a secret
        }

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            region_name=self.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106 - moto's, not a secret
        )

    def keys(self, prefix: str = "") -> list[str]:
        """The names of the objects in the bucket under `prefix`."""
        listing = self.client().list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for item in listing.get("Contents", [])]

    def stop(self) -> None:
        _kill(self.process, signal.SIGTERM, 5)


# The cookie the production-stack test's browsers and clients carry to choose
# an app process (test-only: production's configuration has no such map).
PIN_COOKIE = "harbour_test_backend"


@dataclass
class NginxProxy:
    """nginx in front of the app processes, from cms/deploy/nginx.conf.template
    as `make serve` renders it: https on 127.0.0.1 at a free port with a
    self-signed certificate for localhost, its own folder for everything it
    writes. For the test only, two additions: a request or socket carrying
    the cookie `harbour_test_backend=N` goes to app process N (1-based), or
    to the others if that one is down, so a test knows which process serves
    whom; and `routes.log` records, a line a request (a socket's when it
    closes), that cookie beside the process that served it."""

    port: int
    folder: Path
    certificate: Path
    process: subprocess.Popen
    app_servers: list[str]

    @classmethod
    def start(cls, app_ports: list[int], port: int | None = None) -> NginxProxy:
        from cms.deploy import serve

        if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
            raise ServiceMissing("nginx is not installed (apt-get install nginx-light)")
        port = port or free_port()
        folder = Path(tempfile.mkdtemp(prefix="harbour-nginx-"))
        # Run as root, nginx's workers run as nobody and keep upload bodies
        # in tmp/ inside this folder: they must get in.
        folder.chmod(0o755)
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        certificate, key = serve.self_signed_certificate(folder / "tls", SITE_HOST)
        app_servers = [f"127.0.0.1:{app_port}" for app_port in app_ports]
        site = serve.site_config(
            server_name=SITE_HOST,
            listen=f"127.0.0.1:{port}",
            app_servers=app_servers,
            certificate=certificate,
            key=key,
            access_log=folder / "access.log",
        )
        config = serve.write_nginx_config(folder, _pin_routes(site, app_servers))
        log = folder / "nginx.out"
        process = _spawn(serve.nginx_command(config), None, log)
        proxy = cls(port, folder, certificate, process, app_servers)
        deadline = time.monotonic() + START_TIMEOUT
        while not proxy.answers():
            if process.poll() is not None or time.monotonic() > deadline:
                proxy.stop()
                raise RuntimeError(
                    f"nginx did not start:\n{_tail(log)}\n"
                    f"{_tail(folder / 'nginx-error.log')}"
                )
            time.sleep(0.05)
        return proxy

    @property
    def url(self) -> str:
        return f"https://{SITE_HOST}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"wss://{SITE_HOST}:{self.port}/ws/chat/"

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this proxy's certificate (and checks
        it, host name included)."""
        return ssl.create_default_context(cafile=str(self.certificate))

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def access_log(self) -> list[dict]:
        """The access log's lines (JSON objects), oldest first."""
        return _json_lines(self.folder / "access.log")

    def routes(self) -> list[dict]:
        """routes.log: {"pin", "method", "path", "status", "upstream"} a line."""
        return _json_lines(self.folder / "routes.log")

    def log_files(self) -> list[Path]:
        return [self.folder / "access.log", self.folder / "routes.log"]

    def stop(self) -> None:
        _kill(self.process, signal.SIGTERM, 5)


def _json_lines(path: Path) -> list[dict]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _pin_routes(site: str, app_servers: list[str]) -> str:
    """The test-only additions to the rendered site configuration (see
    NginxProxy): an upstream per app process with the others as backups,
    chosen by the pin cookie, else production's own upstream; and
    routes.log."""
    groups, choices = [], []
    for number, server in enumerate(app_servers, 1):
        backups = "".join(
            f"    server {other} backup;\n" for other in app_servers if other != server
        )
        groups.append(
            f"upstream harbour_pin_{number} {{\n"
            f"    server {server} max_fails=1 fail_timeout=5s;\n{backups}"
            "    keepalive 8;\n}\n"
        )
        choices.append(f'    "{number}" harbour_pin_{number};\n')
    added = (
        "# Test only (tests/chat/live_servers.py): pin by cookie.\n"
        f"map $cookie_{PIN_COOKIE} $harbour_pinned {{\n"
        "    default harbour_app;\n"
        + "".join(choices)
        + "}\n"
        + "".join(groups)
        + (
            "log_format harbour_routes escape=json "
            f"""'{{"pin":"$cookie_{PIN_COOKIE}","method":"$request_method",' """
            """'"path":"$uri","status":$status,"upstream":"$upstream_addr"}';\n"""
        )
    )
    production_pass = "proxy_pass http://harbour_app;"
    production_log = "access_log "
    if site.count(production_pass) != 1 or site.count(production_log) != 1:
        raise RuntimeError("nginx.conf.template changed: update _pin_routes")
    folder_log = site.split(production_log, 1)[1].split(" ", 1)[0]
    routes_log = str(Path(folder_log).with_name("routes.log"))
    return added + site.replace(
        production_pass, "proxy_pass http://$harbour_pinned;"
    ).replace(
        production_log,
        f"access_log {routes_log} harbour_routes;\n    {production_log}",
    )
