"""WebSocket routes. Chat rooms arrive with the chat issue (#6); every other path
gets a "not found" error event and a 4404 close."""

from django.urls import re_path

from .consumers import NotFoundConsumer

websocket_urlpatterns = [
    re_path(r"", NotFoundConsumer.as_asgi()),
]
