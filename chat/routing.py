"""WebSocket routes. Chat rooms arrive with the chat issue (#6); every other path
gets a "not found" error event and a 4404 close."""

from django.urls import path, re_path

from community.consumers import NotificationConsumer

from .consumers import NotFoundConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    re_path(r"", NotFoundConsumer.as_asgi()),
]
