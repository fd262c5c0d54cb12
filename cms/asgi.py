"""ASGI entry: HTTP through Django, WebSockets through Channels.

Sockets are checked by origin (production: exactly the site's origins,
SOCKET_ALLOWED_ORIGINS, the list CSRF trusts too; the demo and tests: any host
in ALLOWED_HOSTS) and carry the Django session user; each consumer then asks
the access layer what that user may join.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
# Django must be set up before anything imports models (the chat routes do).
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import (  # noqa: E402
    AllowedHostsOriginValidator,
    OriginValidator,
)
from django.conf import settings  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402


def socket_stack(allowed_origins: list[str] | None):
    """Sockets with the session user, from `allowed_origins` exactly (scheme,
    host and port), or, given None, from any host in ALLOWED_HOSTS."""
    sockets = AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
    if allowed_origins:
        return OriginValidator(sockets, allowed_origins)
    return AllowedHostsOriginValidator(sockets)


application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": socket_stack(settings.SOCKET_ALLOWED_ORIGINS),
    }
)
