"""WebSocket routes. Chat consumers arrive with the chat issue (#6); until then no
socket path is served and the router refuses connections with a close."""

websocket_urlpatterns: list = []
