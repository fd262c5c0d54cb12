"""ASGI entry: HTTP through Django, WebSockets through Channels.

Sockets are checked by origin (production: exactly the site's origins,
SOCKET_ALLOWED_ORIGINS, the list CSRF trusts too; the demo and tests: any host
in ALLOWED_HOSTS) and carry the Django session user; each consumer then asks
the access layer what that user may join.
"""

import os
from urllib.parse import urlparse

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
# Django must be set up before anything imports models (the chat routes do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import (  # noqa: E402
    OriginValidator,
    WebsocketDenier,
)
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from cms.startup import freeze_what_startup_made  # noqa: E402


class RefusalWithoutALayer(WebsocketDenier):
    """Closes the socket before it opens, without a channel on the layer.

    Channels' own denier takes one, and on Redis its pending read outlives the
    refusal until the client says goodbye: a foreign page could hold one per
    socket it tried, and a client that never says goodbye held up the event
    loop's shutdown."""

    channel_layer_alias = "no channel layer"


class SiteOriginValidator(OriginValidator):
    """Channels' origin check, refusing with `RefusalWithoutALayer`."""

    async def __call__(self, scope, receive, send):
        if self.valid_origin(_origin_of(scope)):
            return await self.application(scope, receive, send)
        return await RefusalWithoutALayer()(scope, receive, send)


def _origin_of(scope):
    """The socket's Origin header, parsed; None if absent or unreadable."""
    for name, value in scope.get("headers", []):
        if name == b"origin":
            try:
                return urlparse(value.decode("latin1"))
            except UnicodeDecodeError:
                return None
    return None


def socket_stack(allowed_origins: list[str] | None):
    """Sockets with the session user, from `allowed_origins` exactly (scheme,
    host and port), or, given None, from any host in ALLOWED_HOSTS."""
    sockets = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    if allowed_origins:
        return SiteOriginValidator(sockets, allowed_origins)
    return SiteOriginValidator(sockets, settings.ALLOWED_HOSTS)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": socket_stack(settings.SOCKET_ALLOWED_ORIGINS),
    }
)
freeze_what_startup_made()
