"""WSGI entry, for tools that need one; Harbour is served over ASGI (cms.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")
application = get_wsgi_application()
