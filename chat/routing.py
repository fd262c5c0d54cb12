"""WebSocket routes: live notices, chat (one socket per client for all its
rooms); every other path gets a "not found" error event and a 4404 close."""

from django.urls import path, re_path

from community.notifications.consumers import NotificationConsumer

from .consumers import ChatConsumer, NotFoundConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/chat/", ChatConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]
