"""The notifications socket: each signed-in person's live notices (risk alerts
for staff, moderation outcomes, and later replies and presents)."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from .events import user_group

CLOSE_NOT_SIGNED_IN = 4401


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the person's own group and passes on `notify` events. Sends only
    what the action addressed to this person; it never reads the database."""

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.send_json({"type": "error", "code": "not_signed_in"})
            await self.close(code=CLOSE_NOT_SIGNED_IN)
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
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:
            await self.send_json({"type": "error", "code": "not_json"})

    async def notify(self, event):
        await self.send_json(event)
