"""WebSocket consumers. Chat rooms arrive with the chat issue (#6)."""

from channels.generic.websocket import WebsocketConsumer

# Close codes in the 4000-4999 range are the application's own.
CLOSE_NOT_FOUND = 4404


class NotFoundConsumer(WebsocketConsumer):
    """Any socket path we do not serve: accept, say why, close with 4404 (a client
    sees a reason instead of a dropped connection)."""

    def connect(self):
        self.accept()
        self.send_json_error()
        self.close(code=CLOSE_NOT_FOUND)

    def send_json_error(self):
        self.send(text_data='{"type": "error", "code": "not_found"}')
