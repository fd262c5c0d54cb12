"""The notifications socket: each signed-in person's live notices (risk alerts
for staff, moderation outcomes, replies and presents), and the live parts of
the page they have open (an open topic's new replies: `watch`, decision
0031)."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community.notifications.events import user_group
from community.notifications.watch import Watch, check_watch
from community.permissions import may_use_signed_in_endpoints

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_TWO_FACTOR = 4403
# The client sends only pings; anything longer is refused unread.
MAX_FRAME = 1000


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the person's own group and passes on `notify` events. Sends only
    what the action addressed to this person. On connect it asks the access
    layer once (signed in; staff with two-factor, as on pages and the chat
    socket). A `watch` frame asks it once more (`check_watch`) and joins the
    watched thing's group, one at a time; the `live.update` events of that
    group pass on as ids only, never from an author the person silenced."""

    watch: Watch | None = None

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.send_json({"type": "error", "code": "not_signed_in"})
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        if not await database_sync_to_async(may_use_signed_in_endpoints)(user):
            await self.send_json({"type": "error", "code": "two_factor_required"})
            await self.close(code=CLOSE_TWO_FACTOR)
            return
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.send_json({"type": "ready"})

    async def disconnect(self, code):
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)
        if self.watch is not None:
            await self.channel_layer.group_discard(self.watch.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            await self.send_json({"type": "pong"})
        elif kind == "watch":
            await self.start_watch(content)
        else:
            await self.send_json({"type": "error", "code": "unknown_frame"})

    async def start_watch(self, frame: dict) -> None:
        """Leave the group watched before; join the new one once the access
        layer allows it. `watching` tells the page it may catch up now: what
        committed before this is in its fetch, what commits after is
        heard."""
        user = self.scope["user"]
        watch = await database_sync_to_async(check_watch)(user, frame)
        if self.watch is not None and (watch is None or watch != self.watch):
            await self.channel_layer.group_discard(self.watch.group, self.channel_name)
            self.watch = None
        if watch is None:
            await self.send_json({"type": "error", "code": "not_found"})
            return
        await self.channel_layer.group_add(watch.group, self.channel_name)
        self.watch = watch
        await self.send_json({"type": "watching", "kind": frame["kind"]})

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None or len(text_data) > MAX_FRAME:
            code = "not_json" if text_data is None else "too_long"
            await self.send_json({"type": "error", "code": code})
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError):
            # RecursionError: nesting deeper than the parser goes ("[" * 8000).
            await self.send_json({"type": "error", "code": "not_json"})
            return
        await self.receive_json(content)

    async def notify(self, event):
        await self.send_json(event)

    async def live_update(self, event):
        watch = self.watch
        if (
            watch is None
            or event["group"] != watch.group
            or event["author"] in watch.silenced
        ):
            return
        await self.send_json({"type": "live", "kind": event["kind"], "id": event["id"]})
