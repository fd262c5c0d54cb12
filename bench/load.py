"""Capacity load test (issue #18): how many signed-in members can be online at
once, through the production stack and its proxy, with 1 and with 2 app
processes.

    make load                          # or: .venv/bin/python bench/load.py

The stack is the production-stack test's (tests/chat/live_servers.py, as
tests/e2e/production_stack.py starts it): app processes from the Procfile's
`web` line under cms.settings.production with production's connection pool
(DATABASE_POOL_MAX_SIZE 10 a process, its default), the Procfile's worker,
and a real nginx with TLS from cms/deploy/nginx.conf.template in front, all on
loopback. Its database is `harbour_load` on PostgreSQL at 127.0.0.1:5432
(made, migrated and given the demo data by `manage.py load_demo` when missing,
reused after: BENCH_LOAD_FRESH=1 makes it anew), plus BENCH_LOAD_MEMBERS
generated members added by bulk insert, spread over the demo pathways and
trusted (their posts publish at once). Redis is this machine's, database
number 12, emptied at the start. Media and collected static files live in
.scratch/load/.

The members are locust users (locust as a library, headless, in this process):
each a signed-in session of its own, thinking 5-15 s between actions; 95% of
actions read (their pathway's page, a forum, a topic, the feed, the
notifications, a search now and then), 5% write (a reply, a reaction, a wall
message, or a chat message for those holding a socket). One member in ten
holds a chat socket (a real websocket through the proxy, speaking
chat/README.md's protocol: `ready`, `join`, a `ping` every 20 s, `send` until
`ack`).

The ramp: BENCH_LOAD_START members, then BENCH_LOAD_STEP more each step
(spawned at BENCH_LOAD_SPAWN_RATE a second, left BENCH_LOAD_SETTLE s, then
measured for BENCH_LOAD_WINDOW s), until a step breaks a rule
(bench/load_rules.py: mean over 100 ms, p99 over 2 s, errors over 0.025%, the
app processes' CPU over 85% of what they can use) or the time share of that
process count runs out (then the figure is a lower bound, and says so).
BENCH_LOAD_BUDGET (seconds, 1200) bounds the whole run, set-up included:
what is left after set-up is shared between the process counts
(BENCH_LOAD_PROCESSES, "1,2").

Printed: a line per step (members, requests, mean, p99, errors, app CPU,
machine CPU, peak database connections, CPU ms per request, load average),
then for each process count the members supported, what stopped the ramp,
the peak database connections (pg_stat_activity, the whole run) and the app
processes' CPU per request (their CPU seconds over the requests they served,
from nginx's access log, across the steps that held; the sockets' CPU is in
the numerator, their frames are not requests).

Everything else as environment variables: BENCH_LOAD_DATABASE_URL
(postgres://postgres@127.0.0.1:5432/harbour_load), BENCH_LOAD_REDIS_URL
(redis://127.0.0.1:6379/12), BENCH_LOAD_MEMBERS (2000), BENCH_LOAD_MOST (the
last step's members at most, 500; sessions are made for that many),
BENCH_LOAD_START (25), BENCH_LOAD_STEP (25), BENCH_LOAD_WINDOW (45),
BENCH_LOAD_SETTLE (10), BENCH_LOAD_SPAWN_RATE (10), BENCH_LOAD_DROP (1: drop
the database at the end).
"""

# locust runs on gevent: patch the standard library before anything else
# imports ssl, socket or threading.
from gevent import monkey

monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlsplit  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402
import psutil  # noqa: E402
import psycopg  # noqa: E402
import websocket  # noqa: E402
from locust import HttpUser, between, events, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.load_rules import Limits, Step, broken, outcome, ramp  # noqa: E402
from tests.chat.live_servers import (  # noqa: E402
    PRODUCTION_SETTINGS,
    AsgiServer,
    LiveDatabase,
    NginxProxy,
    ServiceMissing,
    WorkerProcess,
    free_port,
    production_env,
    run_django,
)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


DATABASE_URL = os.environ.get(
    "BENCH_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/harbour_load"
)
# Not CI's tests' (0), make serve's (1), theirs (7) nor the chat bench's (14).
REDIS_URL = os.environ.get("BENCH_LOAD_REDIS_URL", "redis://127.0.0.1:6379/12")
MEMBERS = env_int("BENCH_LOAD_MEMBERS", 2000)
MOST = env_int("BENCH_LOAD_MOST", 500)
START = env_int("BENCH_LOAD_START", 25)
STEP = env_int("BENCH_LOAD_STEP", 25)
WINDOW = env_int("BENCH_LOAD_WINDOW", 45)
SETTLE = env_int("BENCH_LOAD_SETTLE", 10)
SPAWN_RATE = env_int("BENCH_LOAD_SPAWN_RATE", 10)
BUDGET = env_int("BENCH_LOAD_BUDGET", 1200)
PROCESSES = [int(n) for n in os.environ.get("BENCH_LOAD_PROCESSES", "1,2").split(",")]
FRESH = os.environ.get("BENCH_LOAD_FRESH") == "1"
DROP = os.environ.get("BENCH_LOAD_DROP") == "1"

THINK = (5, 15)
SOCKET_SHARE = 0.1
CHAT_PING_SECONDS = 20  # as the page pings (chat/README.md)
SCRATCH = ROOT / ".scratch" / "load"
SETUP_TIMEOUT = 900
SEARCH_WORDS = ["sleep", "help", "tired", "night", "support", "walk", "nurse"]
REPLY = "Thank you for sharing this, it helps to know I'm not the only one."
WALL = "Thinking of you this week, hope the new routine is going well."
CHAT = "Evening all, just checking in before bed."
LIMITS = Limits()


# The data: generated members, their sessions, what they visit ---------------------

_CATALOGUE_SCRIPT = """
import json, sys
import django
django.setup()
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import Client
from chat.models import Room
from community.forums.models import Forum, Topic
from community.models import Membership, Pathway, PathwayGroup, Role, User

wanted, with_sessions = int(sys.argv[1]), int(sys.argv[2])
PREFIX = "load-member-"
# The pathways with forums and published topics to read (in the demo, those
# with a demo author): generated members join those.
pathways = [
    p for p in Pathway.objects.order_by("pk")
    if Topic.objects.filter(pathway=p, status="published").exists()
    and Forum.objects.filter(pathway=p).exists()
]
if not pathways:
    sys.exit("no pathway with topics: the demo data is missing (BENCH_LOAD_FRESH=1)")
have = User.objects.filter(
    email__startswith=PREFIX, memberships__pathway__in=pathways
).count()
if have < wanted:
    first = User.objects.filter(email__startswith=PREFIX).count()
    with transaction.atomic():
        password = make_password(None)
        users = User.objects.bulk_create(
            [
                User(email=f"{PREFIX}{i}@example.org",
                     display_name=f"Load member {i}", password=password)
                for i in range(first, first + wanted - have)
            ],
            batch_size=2000,
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=u, pathway=pathways[i % len(pathways)], role=Role.MEMBER,
                    approved_posts=pathways[i % len(pathways)].premoderation_threshold,
                )
                for i, u in enumerate(users, have)
            ],
            batch_size=2000,
        )
        groups = {
            pg.pathway_id: pg.group_id
            for pg in PathwayGroup.objects.filter(role=Role.MEMBER)
        }
        through = User.groups.through
        through.objects.bulk_create(
            [
                through(user_id=u.pk, group_id=groups[pathways[i % len(pathways)].pk])
                for i, u in enumerate(users, have)
            ],
            batch_size=2000,
        )
generated = list(
    User.objects.filter(
        email__startswith=PREFIX, memberships__pathway__in=pathways
    ).order_by("pk")[:wanted]
)
catalogue = []
index = {}
for pathway in pathways:
    index[pathway.pk] = len(catalogue)
    catalogue.append({
        "id": pathway.pk,
        "slug": pathway.slug,
        "forums": list(
            Forum.objects.filter(pathway=pathway).values_list("slug", flat=True)
        ),
        "topics": list(
            Topic.objects.filter(pathway=pathway, status="published")
            .order_by("pk").values_list("pk", flat=True)[:50]
        ),
        "room": Room.objects.get(pathway=pathway, is_default=True).pk,
        "people": [],
    })
pathway_of = dict(
    Membership.objects.filter(user__in=generated, pathway__in=pathways)
    .values_list("user_id", "pathway_id")
)
for user in generated:
    catalogue[index[pathway_of[user.pk]]]["people"].append(user.pk)
sessions = []
for user in generated[:with_sessions]:
    client = Client()
    client.force_login(user)
    sessions.append([client.cookies["sessionid"].value, index[pathway_of[user.pk]],
                     user.pk])
print(json.dumps({"pathways": catalogue, "sessions": sessions}))
"""


def catalogue(env: dict) -> dict:
    """Generate the members missing (bulk insert), sign in MOST of them and
    say what they visit, in a subprocess with the stack's environment."""
    out = run_django(
        env, ["-c", _CATALOGUE_SCRIPT, str(MEMBERS), str(MOST)], SETUP_TIMEOUT
    )
    return json.loads(out.strip().splitlines()[-1])


# The stack --------------------------------------------------------------------------


@dataclass
class Stack:
    """The harness's production stack, with a database kept between runs:
    app processes, the worker and nginx are started for each process count."""

    database: LiveDatabase
    proxy_port: int
    servers: list[AsgiServer] = field(default_factory=list)
    worker: WorkerProcess | None = None
    proxy: NginxProxy | None = None

    @property
    def env(self) -> dict[str, str]:
        return self.database.env(REDIS_URL)

    def start(self, processes: int) -> None:
        self.servers = [AsgiServer.from_procfile(self.env) for _ in range(processes)]
        self.worker = WorkerProcess.start(self.env)
        self.proxy = NginxProxy.start(
            [server.port for server in self.servers], port=self.proxy_port
        )
        for server in self.servers:
            server.wait_until_answering()

    def stop(self) -> None:
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()
        if self.worker is not None:
            self.worker.stop()
        self.servers, self.worker, self.proxy = [], None, None

    def app_cpu_seconds(self) -> float:
        return sum(_cpu_seconds(server.process.pid) for server in self.servers)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU of a process and its children, in seconds."""
    try:
        process = psutil.Process(pid)
        total = 0.0
        for each in [process, *process.children(recursive=True)]:
            times = each.cpu_times()
            total += times.user + times.system
        return total
    except psutil.NoSuchProcess:
        return 0.0


def prepare_database(site: str) -> tuple[LiveDatabase, bool]:
    """harbour_load, migrated and with the demo data; (database, made now)."""
    parts = urlsplit(DATABASE_URL)
    base, name = parts._replace(path="").geturl(), parts.path.lstrip("/")
    SCRATCH.mkdir(parents=True, exist_ok=True)
    extra = production_env(
        site,
        HARBOUR_STATIC_ROOT=str(SCRATCH / "static"),
        MEDIA_ROOT=str(SCRATCH / "media"),
    )
    database = LiveDatabase(base, name, PRODUCTION_SETTINGS, extra)
    try:
        admin = psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        missing = f"PostgreSQL is not reachable at {base}: {error}"
        raise ServiceMissing(missing) from None
    with admin:
        if FRESH:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            shutil.rmtree(SCRATCH / "media", ignore_errors=True)
        made = not admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if made:
            admin.execute(f'CREATE DATABASE "{name}"')
    env = database.env(REDIS_URL)
    run_django(env, ["manage.py", "migrate", "--no-input", "-v", "0"], SETUP_TIMEOUT)
    run_django(env, ["manage.py", "collectstatic", "--no-input", "-v", "0"])
    if made:
        run_django(env, ["manage.py", "load_demo"], SETUP_TIMEOUT)
    return database, made


def empty_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_timeout=5).flushdb()


class Connections:
    """Samples the database's connections (pg_stat_activity) every 0.2 s from a
    connection to another database, so it never counts itself."""

    def __init__(self, name: str):
        base = urlsplit(DATABASE_URL)._replace(path="/postgres").geturl()
        self.connection = psycopg.connect(base, autocommit=True)
        self.name = name
        self.peak = self.step_peak = 0
        self.greenlet = gevent.spawn(self._sample)

    def _sample(self) -> None:
        while True:
            (count,) = self.connection.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name]
            ).fetchone()
            self.peak = max(self.peak, count)
            self.step_peak = max(self.step_peak, count)
            gevent.sleep(0.2)

    def stop(self) -> None:
        self.greenlet.kill()
        self.connection.close()


class AccessLog:
    """Requests the proxy passed to the app processes since the last call
    (nginx's access log, a JSON object a line; sockets, status 101, left out)."""

    def __init__(self, path: Path):
        self.path, self.offset = path, 0
        self.skip()

    def skip(self) -> None:
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def count(self) -> int:
        if not self.path.exists():
            return 0
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            data = log.read()
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        return sum(
            1
            for line in complete.splitlines()
            if line.strip() and json.loads(line).get("status") != 101
        )


def machine_busy() -> float:
    """The whole machine's CPU use since the last call (psutil), 0..1."""
    return psutil.cpu_percent(interval=None) / 100


# The members ------------------------------------------------------------------------


class Plan:
    """Hands each new locust user a session, its pathway and whether it holds
    a chat socket (every tenth)."""

    def __init__(self, data: dict, site: str, certificate: str):
        self.pathways = data["pathways"]
        self.sessions = data["sessions"]
        self.site, self.certificate = site, certificate
        self.handed = 0

    def next(self) -> tuple[str, dict, int, bool]:
        session, pathway, user_id = self.sessions[self.handed % len(self.sessions)]
        holds_socket = self.handed % round(1 / SOCKET_SHARE) == 0
        self.handed += 1
        return session, self.pathways[pathway], user_id, holds_socket


# Set by run_ramp before any member starts.
PLAN: Plan = None  # type: ignore[assignment]


def fire(kind: str, name: str, began: float, error: Exception | None = None) -> None:
    """Record a socket event with locust's statistics."""
    events.request.fire(
        request_type=kind,
        name=name,
        response_time=(time.perf_counter() - began) * 1000,
        response_length=0,
        exception=error,
        context={},
    )


class ChatSocket:
    """One member's chat socket through the proxy: opened and joined to the
    pathway's room, pinged every 20 s, read by a greenlet of its own."""

    def __init__(self, site: str, certificate: str, session: str, room: int):
        self.site, self.certificate, self.session, self.room = (
            site,
            certificate,
            session,
            room,
        )
        self.ws: websocket.WebSocket | None = None
        self.waiting: dict[str, gevent.event.AsyncResult] = {}
        self.greenlets: list[gevent.Greenlet] = []

    def open(self) -> None:
        began = time.perf_counter()
        try:
            url = self.site.replace("https://", "wss://", 1) + "/ws/chat/"
            self.ws = websocket.create_connection(
                url,
                sslopt={"ca_certs": self.certificate},
                cookie=f"sessionid={self.session}",
                origin=self.site,
                timeout=30,
            )
            ready = json.loads(self.ws.recv())
            if ready.get("type") != "ready":
                raise RuntimeError(f"chat socket said {ready}")
            self.ws.send(json.dumps({"type": "join", "room": self.room}))
            while json.loads(self.ws.recv()).get("type") != "joined":
                pass
        except Exception as error:  # noqa: BLE001 - counted as a failure
            self.close()
            fire("WS", "chat socket: open and join", began, error)
            return
        fire("WS", "chat socket: open and join", began)
        self.greenlets = [gevent.spawn(self._read), gevent.spawn(self._ping)]

    def _read(self) -> None:
        try:
            while self.ws is not None:
                frame = json.loads(self.ws.recv())
                key = (
                    frame.get("client_id")
                    if frame.get("type")
                    in {
                        "ack",
                        "error",
                    }
                    else ("pong" if frame.get("type") == "pong" else None)
                )
                if key in self.waiting:
                    self.waiting[key].set(frame)
        except Exception as error:  # noqa: BLE001 - the socket went
            if self.ws is not None:
                fire("WS", "chat socket: dropped", time.perf_counter(), error)
                self.ws = None

    def _ping(self) -> None:
        while self.ws is not None:
            gevent.sleep(CHAT_PING_SECONDS)
            self._request({"type": "ping"}, "pong", "chat ping (pong)")

    def _request(self, frame: dict, key: str, name: str) -> None:
        if self.ws is None:
            return
        began = time.perf_counter()
        answer = self.waiting[key] = gevent.event.AsyncResult()
        try:
            self.ws.send(json.dumps(frame))
            got = answer.get(timeout=30)
            if got.get("type") == "error":
                raise RuntimeError(f"{got.get('code')}")
        except Exception as error:  # noqa: BLE001 - counted as a failure
            fire("WS", name, began, error)
        else:
            fire("WS", name, began)
        finally:
            self.waiting.pop(key, None)

    def send(self) -> None:
        if self.ws is None:
            self.open()
        client_id = str(uuid.uuid4())
        frame = {"type": "send", "room": self.room, "client_id": client_id}
        self._request({**frame, "body": CHAT}, client_id, "chat send (ack)")

    def close(self) -> None:
        for greenlet in self.greenlets:
            greenlet.kill(block=False)
        ws, self.ws = self.ws, None
        if ws is not None:
            try:
                ws.close(timeout=2)
            except Exception:  # noqa: BLE001, S110 - closing anyway
                pass


def form_token(html: str) -> str | None:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.find(marker)
    if start < 0:
        return None
    start += len(marker)
    return html[start : html.index('"', start)]


class Member(HttpUser):
    """A signed-in member: reads 95% of the time, writes 5%."""

    wait_time = between(*THINK)

    def on_start(self) -> None:
        session, self.pathway, self.user_id, holds_socket = PLAN.next()
        self.client.verify = PLAN.certificate
        self.client.cookies.set("sessionid", session)
        self.slug = self.pathway["slug"]
        self.socket = None
        if holds_socket:
            self.socket = ChatSocket(
                PLAN.site, PLAN.certificate, session, self.pathway["room"]
            )
            self.socket.open()

    def on_stop(self) -> None:
        if self.socket is not None:
            self.socket.close()

    # Reading (95 in 100) ------------------------------------------------------

    @task(20)
    def pathway_page(self) -> None:
        self._get(f"/{self.slug}/", "pathway page")

    @task(20)
    def forum(self) -> None:
        forum = random.choice(self.pathway["forums"])
        self._get(f"/community/{self.slug}/forums/{forum}/", "forum")

    @task(25)
    def topic(self) -> None:
        self._topic_page()

    @task(15)
    def feed(self) -> None:
        self._get("/feed/", "feed")

    @task(10)
    def notifications(self) -> None:
        self._get("/notifications/", "notifications")

    @task(5)
    def search(self) -> None:
        self._get(f"/search/?q={random.choice(SEARCH_WORDS)}", "search")

    # Writing (5 in 100) -------------------------------------------------------

    @task(2)
    def reply(self) -> None:
        url, token = self._topic_page()
        if token:
            self._post(url, {"body": REPLY}, token, "reply (POST + redirect)")

    @task(1)
    def reaction(self) -> None:
        url, token = self._topic_page()
        if token:
            topic = url.rstrip("/").rsplit("/", 1)[-1]
            target = f"/community/{self.slug}/react/topic/{topic}/"
            self._post(
                target,
                {"reaction": random.choice(["hug", "thanks", "me_too"]), "next": url},
                token,
                "reaction (POST + redirect)",
                referer=url,
            )

    @task(1)
    def wall_message(self) -> None:
        people = [p for p in self.pathway["people"] if p != self.user_id]
        if not people:
            return
        url = f"/people/{random.choice(people)}/"
        token = form_token(self._get(url, "member's wall"))
        if token:
            self._post(
                url,
                {"body": WALL, "pathway": str(self.pathway["id"])},
                token,
                "wall message (POST + redirect)",
            )

    @task(1)
    def chat(self) -> None:
        if self.socket is not None:
            self.socket.send()
        else:  # no socket: another reaction instead
            self.reaction()

    def _topic_page(self) -> tuple[str, str | None]:
        topic = random.choice(self.pathway["topics"])
        url = f"/community/{self.slug}/topics/{topic}/"
        return url, form_token(self._get(url, "topic"))

    def _get(self, url: str, name: str) -> str:
        """GET a page as the member; a page that sends them to sign in (the
        session was lost) is a failure, not a fast answer. Returns its HTML
        ("" when it failed)."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.ok and "/accounts/login/" in response.url:
                response.failure("signed out: sent to the sign-in page")
                return ""
            return response.text if response.ok else ""

    def _post(
        self, url: str, data: dict, token: str, name: str, referer: str | None = None
    ) -> None:
        """POST a form as the browser does; it must answer with a redirect
        (a form shown again means the write did not happen)."""
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": token, **data},
            headers={"Referer": PLAN.site + (referer or url), "Origin": PLAN.site},
            name=name,
            catch_response=True,
        ) as response:
            if response.ok and not response.history:
                response.failure("the form came back: nothing was written")


# The ramp ---------------------------------------------------------------------------


def run_ramp(stack: Stack, processes: int, data: dict, until: float) -> dict:
    """Start `processes` app processes, ramp the members until a rule breaks
    or `until` (monotonic) comes; return what was measured."""
    global PLAN
    stack.start(processes)
    proxy = stack.proxy
    if proxy is None:
        raise RuntimeError("the proxy did not start")
    PLAN = Plan(data, proxy.url, str(proxy.certificate))
    environment = Environment(user_classes=[Member], host=proxy.url, events=events)
    runner = environment.create_local_runner()
    connections = Connections(stack.database.name)
    access = AccessLog(proxy.folder / "access.log")
    cores = os.cpu_count() or 1
    steps: list[Step] = []
    rows: list[dict] = []
    step_seconds = SETTLE + WINDOW
    try:
        for members in ramp(START, STEP, MOST):
            spawn = (members - (steps[-1].members if steps else 0)) / SPAWN_RATE
            if time.monotonic() + spawn + step_seconds > until:
                break
            runner.start(members, spawn_rate=SPAWN_RATE)
            deadline = time.monotonic() + spawn + 60
            while runner.user_count < members and time.monotonic() < deadline:
                gevent.sleep(0.5)
            gevent.sleep(SETTLE)
            runner.stats.reset_all()
            access.skip()
            connections.step_peak = 0
            machine_busy()
            cpu_before, began = stack.app_cpu_seconds(), time.monotonic()
            gevent.sleep(WINDOW)
            seconds = time.monotonic() - began
            cpu = stack.app_cpu_seconds() - cpu_before
            total = runner.stats.total
            step = Step(
                members=members,
                seconds=seconds,
                requests=total.num_requests,
                failures=total.num_failures,
                mean_ms=total.avg_response_time,
                p99_ms=total.get_response_time_percentile(0.99) or 0.0,
                app_cpu_seconds=cpu,
                app_requests=access.count(),
                processes=processes,
                cores=cores,
            )
            steps.append(step)
            row = {
                "members": members,
                "machine": machine_busy(),
                "connections": connections.step_peak,
                "load": os.getloadavg()[0],
                "kinds": {
                    name: (
                        entry.num_requests,
                        entry.median_response_time,
                        entry.get_response_time_percentile(0.95),
                        entry.num_failures,
                    )
                    for (name, _method), entry in runner.stats.entries.items()
                },
                "errors": [
                    f"{error.name}: {error.error} ({error.occurrences})"
                    for error in runner.stats.errors.values()
                ],
            }
            rows.append(row)
            print_step(step, row)
            if broken(step, LIMITS):
                break
    finally:
        runner.quit()
        connections.stop()
        stack.stop()
    return {"steps": steps, "rows": rows, "peak": connections.peak}


def print_step(step: Step, row: dict) -> None:
    per_request = step.cpu_ms_per_request
    print(
        f"{step.members:7d} {step.requests:6d} {step.mean_ms:7.0f} {step.p99_ms:7.0f} "
        f"{step.error_rate:7.3%} {step.cpu:6.0%} {row['machine']:6.0%} "
        f"{row['connections']:5d} "
        f"{(f'{per_request:7.1f}' if per_request is not None else '      -')} "
        f"{row['load']:5.2f}  {'; '.join(broken(step, LIMITS)) or 'ok'}",
        flush=True,
    )
    for line in row["errors"][:5]:
        print(f"        error: {line}", flush=True)


def print_kinds(row: dict) -> None:
    print(f"   at {row['members']} members, by kind (n, p50 ms, p95 ms, failures):")
    for name, (n, p50, p95, failures) in sorted(row["kinds"].items()):
        if not n:
            continue
        print(f"     {name:34} {n:6d} {p50 or 0:7.0f} {p95 or 0:7.0f} {failures:5d}")


HEADER = (
    "members   reqs  mean ms  p99 ms  errors  appCPU machine  conns  ms CPU/req "
    "load   rule"
)


def main() -> None:
    began = time.monotonic()
    until = began + BUDGET
    proxy_port = free_port()
    site = f"https://localhost:{proxy_port}"
    try:
        database, made = prepare_database(site)
        empty_redis()
    except (ServiceMissing, OSError) as error:
        sys.exit(f"bench/load.py: {error}")
    stack = Stack(database, proxy_port)
    data = catalogue(stack.env)
    setup = time.monotonic() - began
    print(
        f"database {database.name} ({'made and loaded' if made else 'reused'}), "
        f"{MEMBERS} generated members, {len(data['sessions'])} signed in; Redis "
        f"{REDIS_URL}; set-up {setup:.0f}s; {os.cpu_count()} cores, load average "
        + ", ".join(f"{n:.2f}" for n in os.getloadavg()),
        flush=True,
    )
    print(
        f"ramp: {START} members, +{STEP} a step up to {MOST}, {SETTLE}s to settle "
        f"and {WINDOW}s measured a step; think {THINK[0]}-{THINK[1]}s; budget "
        f"{BUDGET}s in all",
        flush=True,
    )
    results = {}
    try:
        for n, processes in enumerate(PROCESSES):
            share = (until - time.monotonic()) / (len(PROCESSES) - n)
            print(f"== {processes} app process(es), {share:.0f}s\n{HEADER}", flush=True)
            results[processes] = run_ramp(
                stack, processes, data, time.monotonic() + share
            )
            if results[processes]["rows"]:
                print_kinds(results[processes]["rows"][-1])
    finally:
        stack.stop()
        if DROP:
            database.drop()
    print(
        "== capacity (issue #18's rules: mean 100 ms, p99 2 s, errors 0.025%, "
        "app CPU 85%)"
    )
    print(
        f"{'app processes':>13}  {'members':>9}  {'peak db conns':>13}  "
        f"{'CPU ms/request':>14}  stopped by"
    )
    for processes, result in results.items():
        judged = outcome(result["steps"], LIMITS)
        supported = f"{'>= ' if judged.lower_bound else ''}{judged.supported}"
        stopped = "; ".join(judged.stopped_by) or "the time or the steps ran out"
        per_request = judged.cpu_ms_per_request
        shown = f"{per_request:.1f}" if per_request is not None else "-"
        print(
            f"{processes:13d}  {supported:>9}  {result['peak']:13d}  {shown:>14}  "
            f"{stopped}"
        )
    print(
        f"total {time.monotonic() - began:.0f}s; load average "
        + ", ".join(f"{n:.2f}" for n in os.getloadavg())
    )


if __name__ == "__main__":
    main()
