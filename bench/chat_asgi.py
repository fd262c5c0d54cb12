"""The ASGI application bench/chat.py serves: the site's own (cms.asgi,
unchanged: HTTP, the chat socket and the rest) plus two extra sockets:
/ws/bench-echo/, a bare Channels consumer that is issue #6's floor for a chat
round trip, and /ws/bench-stored-echo/, the same with one row stored first,
the floor for any round trip that stores before it answers.

The echo consumer does the channel-layer part of what ChatConsumer does for a
`send`, and nothing else: it joins a group on connect and, for each frame, does
a `group_send` to that group and relays the group event back to the socket. No
database, no safety pipeline, no access checks. It sits behind the same origin
check and session middleware as the site's sockets, so opening one costs what
opening a chat socket costs up to the consumer.

The stored echo does the least a store-first consumer can: for each frame, in
Channels' database thread (`database_sync_to_async`, as the chat's actions
run), one transaction that inserts the frame's body into a one-column table
(`bench_stored_echo`, made on connect if missing) and commits; then the same
`group_send` and relay. No ORM query building, no access check, no counter,
no pipeline: what is left between it and the chat is what Harbour adds.

Settings: DJANGO_SETTINGS_MODULE as bench/chat.py sets it (cms.settings.test,
as the live-process test harness uses: DATABASE_URL and REDIS_URL choose the
database and the layer as in production, DEBUG is off), with these changes made
here before Django starts: on PostgreSQL the database connections are
production's (a pool per process, unless BENCH_CHAT_CONNECTIONS=new), the chat
rate limit is raised (BENCH_CHAT_RATE_LIMIT messages in
HARBOUR_CHAT_RATE_SECONDS, default a million) so a benchmark sender is not
refused, and on Redis the channel layer and the cache use BENCH_CHAT_PREFIX as
their key prefix, so a run can delete what it wrote. With
BENCH_CHAT_REDIS_SOCKET_TIMEOUT the layer's Redis connections get that socket
timeout (see bench/README.md: not the site's configuration).

Not a benchmark itself: `make bench` skips bench/*_asgi.py.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.test")

from django.conf import settings  # noqa: E402

# Before Django starts: chat.actions reads the limit when it is imported.
settings.HARBOUR_CHAT_RATE_MESSAGES = int(
    os.environ.get("BENCH_CHAT_RATE_LIMIT", "1000000")
)
PREFIX = os.environ.get("BENCH_CHAT_PREFIX")
if PREFIX and settings.REDIS_URL:
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = PREFIX
    settings.CACHES["default"]["KEY_PREFIX"] = PREFIX
# Production's database connections (cms/settings/base.py, pool_connections:
# a bounded pool per process, health checks) unless BENCH_CHAT_CONNECTIONS=new
# asks for a connection per database hop, as the test settings make them.
CONNECTIONS = os.environ.get("BENCH_CHAT_CONNECTIONS", "pool")
if (
    CONNECTIONS == "pool"
    and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
):
    from cms.settings.base import pool_connections

    pool_connections(settings.DATABASES["default"])
# Not the site's configuration: another read timeout for the layer's
# connections than the site's 30 s (bench/README.md).
SOCKET_TIMEOUT = os.environ.get("BENCH_CHAT_REDIS_SOCKET_TIMEOUT")
if SOCKET_TIMEOUT and settings.REDIS_URL:
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]["socket_timeout"] = float(
        SOCKET_TIMEOUT
    )

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.db import database_sync_to_async  # noqa: E402
from channels.generic.websocket import AsyncJsonWebsocketConsumer  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from cms.asgi import application as site_application  # noqa: E402

ECHO_PATH = "/ws/bench-echo/"
STORED_ECHO_PATH = "/ws/bench-stored-echo/"


class EchoConsumer(AsyncJsonWebsocketConsumer):
    """Joins one group per socket; each frame goes to that group and back."""

    async def connect(self):
        self.group = f"bench-echo-{self.channel_name.rsplit('!', 1)[-1]}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "ready"})

    async def disconnect(self, code):
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.channel_layer.group_send(
            self.group, {"type": "echo.relay", "frame": content}
        )

    async def echo_relay(self, event):
        await self.send_json(event["frame"])


@database_sync_to_async
def _make_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_stored_echo (body TEXT NOT NULL)"
        )


@database_sync_to_async
def _store(body: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_stored_echo (body) VALUES (%s)", [body])


class StoredEchoConsumer(EchoConsumer):
    """EchoConsumer that stores each frame's body (one row, committed) before
    it sends the frame to its group."""

    async def connect(self):
        await _make_table()
        await super().connect()

    async def receive_json(self, content, **kwargs):
        await _store(str(content.get("body", "")))
        await super().receive_json(content, **kwargs)


def _checked(consumer):
    return AllowedHostsOriginValidator(AuthMiddlewareStack(consumer.as_asgi()))


bench_applications = {
    ECHO_PATH: _checked(EchoConsumer),
    STORED_ECHO_PATH: _checked(StoredEchoConsumer),
}


async def application(scope, receive, send):
    if scope["type"] == "websocket" and scope["path"] in bench_applications:
        return await bench_applications[scope["path"]](scope, receive, send)
    return await site_application(scope, receive, send)
