"""The production stack, started for the tests that walk and load it
(test_production_stack.py, test_connection_pool.py): what `make serve` runs,
each part its own process on loopback at a free port.

- a new PostgreSQL database, migrated under cms.settings.production, with the
  demo data (`load_demo`, as `make serve` loads it);
- a private Redis (channel layer and cache) and moto's S3 server with a bucket
  (media);
- `collectstatic` into a folder of its own (the manifest production serves);
- two app processes from the Procfile's `web` line, each its own process so
  one can be killed, with DATABASE_POOL_MAX_SIZE=5 (and a pool timeout of
  30 s, see POOL_TIMEOUT);
- the Procfile's `worker`, its heartbeat judged stale after 10 s;
- nginx in front, from cms/deploy/nginx.conf.template, with TLS.

Everything is stopped (and the database dropped) by `stop()`. The app
processes and the worker are started from the thread that calls `start()`
and die with it (tests/chat/live_servers.py), so start it from the main
thread: a session fixture does (tests/e2e/conftest.py).
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.chat.live_servers import (
    PRODUCTION_SETTINGS,
    AsgiServer,
    LiveDatabase,
    MotoS3,
    NginxProxy,
    RedisServer,
    WorkerProcess,
    free_port,
    production_env,
    run_django,
    server_env,
    signed_in_sessions,
)

PROCESSES = 2
POOL_MAX_SIZE = 5
# How long a request waits for a pooled connection (production's default is
# 10 s). This machine (2 shared cores) serves some 25 signed-in page reads a
# second, so the load test's 250 at once wait about 10 s for their turn: with
# 10 s, some are refused (PoolTimeout, answered 500). The load test is about
# how many connections there are, not how fast: it waits longer.
POOL_TIMEOUT = 30
# Small, so a stopped worker shows in /ready/ within seconds; the worker
# beats every 5 s, so a running one never looks stale.
WORKER_STALE_SECONDS = 10
# Generous for a loaded CI machine; only stops a broken run from hanging.
SETUP_TIMEOUT = 600


@dataclass
class ProductionStack:
    database: LiveDatabase
    redis: RedisServer
    s3: MotoS3
    static_root: Path
    servers: list[AsgiServer] = field(default_factory=list)
    worker: WorkerProcess | None = None
    proxy: NginxProxy | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def start(cls) -> ProductionStack:
        began = time.monotonic()
        timings: dict[str, float] = {}
        proxy_port = free_port()
        redis = RedisServer.start()
        s3 = MotoS3.start()
        static_root = Path(tempfile.mkdtemp(prefix="harbour-static-"))
        extra = production_env(
            f"https://localhost:{proxy_port}",
            HARBOUR_STATIC_ROOT=str(static_root),
            DATABASE_POOL_MAX_SIZE=str(POOL_MAX_SIZE),
            DATABASE_POOL_TIMEOUT=str(POOL_TIMEOUT),
            HARBOUR_WORKER_STALE_SECONDS=str(WORKER_STALE_SECONDS),
            **s3.env(),
        )

        # collectstatic (no database needed) beside migrate.
        def collect():
            run_django(
                server_env("sqlite://:memory:", None, PRODUCTION_SETTINGS, **extra),
                ["manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
                timeout=SETUP_TIMEOUT,
            )
            timings["collectstatic"] = time.monotonic() - began

        collected: list[BaseException] = []
        collecting = threading.Thread(
            target=_catching(collect, collected), name="collectstatic"
        )
        collecting.start()
        try:
            database = LiveDatabase.create(settings=PRODUCTION_SETTINGS, extra=extra)
        except BaseException:
            collecting.join()
            redis.stop()
            s3.stop()
            shutil.rmtree(static_root, ignore_errors=True)
            raise
        timings["migrate"] = time.monotonic() - began
        stack = cls(database, redis, s3, static_root, timings=timings)
        try:
            collecting.join(SETUP_TIMEOUT)
            if collected:
                raise collected[0]
            # The demo data (what `make serve` shows, media into S3) while the
            # app processes boot; they need none of it to start.
            loaded: list[BaseException] = []
            loading = threading.Thread(
                target=_catching(
                    lambda: run_django(
                        stack.env, ["manage.py", "load_demo"], timeout=SETUP_TIMEOUT
                    ),
                    loaded,
                ),
                name="load_demo",
            )
            loading.start()
            stack.servers = [
                AsgiServer.from_procfile(stack.env) for _ in range(PROCESSES)
            ]
            stack.worker = WorkerProcess.start(stack.env)
            stack.proxy = NginxProxy.start(
                [server.port for server in stack.servers], port=proxy_port
            )
            for server in stack.servers:
                server.wait_until_answering()
            loading.join(SETUP_TIMEOUT)
            if loaded:
                raise loaded[0]
            timings["ready"] = time.monotonic() - began
        except BaseException:
            stack.stop()
            raise
        return stack

    @property
    def env(self) -> dict[str, str]:
        """What every process of the stack runs with."""
        return self.database.env(self.redis.url())

    @property
    def url(self) -> str:
        assert self.proxy is not None
        return self.proxy.url

    def sessions(self, emails: list[str]) -> list[str]:
        """A signed-in session key for each email (see signed_in_sessions)."""
        return signed_in_sessions(self.env, emails)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of `sql` on the stack's database, from a connection of the
        test's own (closed at once)."""
        import psycopg

        with psycopg.connect(self.database.url, autocommit=True) as connection:
            return connection.execute(sql, params).fetchall()

    def forget_cached(self, key: str) -> None:
        """Delete the site's cache entry `key` from the stack's private Redis,
        whatever prefix and version its settings put before it (the test
        process's own settings name another prefix)."""
        import redis

        with redis.Redis.from_url(self.env["REDIS_URL"]) as client:
            found = list(client.scan_iter(match=f"*:{key}"))
            if found:
                client.delete(*found)

    def app_logs(self) -> list[Path]:
        return [server.log for server in self.servers]

    def stop(self) -> None:
        began = time.monotonic()
        if self.proxy is not None:
            self.proxy.stop()
        for server in self.servers:
            server.stop()
        if self.worker is not None:
            self.worker.stop()
        self.timings["processes stopped"] = time.monotonic() - began
        self.redis.stop()
        self.s3.stop()
        self.database.drop()
        shutil.rmtree(self.static_root, ignore_errors=True)
        self.timings["stopped"] = time.monotonic() - began


def _catching(work, errors: list[BaseException]):
    def run():
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - handed to the caller
            errors.append(error)

    return run


# Threads for the tests ------------------------------------------------------------
# Once Playwright's sync API has started in the test's thread (any browser test
# before), that thread has an event loop marked running: the browser and the
# asyncio clients get threads of their own.


class Loop:
    """An asyncio loop in a thread of its own, for the chat clients (the
    browser's thread belongs to Playwright's sync API and its loop)."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(
            target=self.loop.run_forever, name="chat clients", daemon=True
        )
        self.thread.start()

    def run(self, coroutine, timeout: float = 180):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


async def all_of(awaitables):
    return await asyncio.gather(*awaitables)


def in_a_thread(work, timeout: float):
    """Run `work()` in a new thread (so it may start Playwright's sync API
    whatever this thread runs) and return what it returned, or raise what it
    raised."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - raised again below
            outcome["error"] = error

    thread = threading.Thread(target=run, name="browser")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"{work} did not end in {timeout} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
