"""The notifications socket: each signed-in person's live notices (risk alerts
for staff, moderation outcomes, and later replies and presents)."""

import json

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from community.notifications.events import user_group
from community.permissions import may_use_signed_in_endpoints

CLOSE_NOT_SIGNED_IN = 4401
CLOSE_TWO_FACTOR = 4403
# The client sends only pings; anything longer is refused unread.
MAX_FRAME = 1000


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the person's own group and passes on `notify` events. Sends only
    what the action addressed to this person. On connect it asks the access
    layer once (signed in; staff with two-factor, as on pages and the chat
    socket); after that it never reads the database."""

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

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_json({"type": "error", "code": "unknown_frame"})

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
