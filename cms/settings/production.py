"""Production: several app processes behind a proxy that terminates TLS,
PostgreSQL through a bounded connection pool, Redis, S3-compatible media.

Refuses to start without a secret key, allowed hosts and the site's https
address. Every variable is listed in docs/deploy.md.
"""

import logging
import os

from django.core.exceptions import ImproperlyConfigured

from cms.logs import logging_config

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    DATABASES,
    HARBOUR_ORIGINS,
    LOG_LEVEL,
    SECRET_KEY,
    STORAGES,
    env_bool,
    pool_connections,
)

if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("Set SECRET_KEY (50 or more random characters).")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (comma-separated host names).")
# Every alert email links to this address: a default would send clinicians to
# a machine that is not the site.
if not os.environ.get("WAGTAILADMIN_BASE_URL", "").startswith("https://"):
    raise ImproperlyConfigured(
        "Set WAGTAILADMIN_BASE_URL to the site's https address, e.g. "
        "https://harbour.example.nhs.uk (links in emails use it)."
    )

DEBUG = False

# Database: a bounded pool per process (see pool_connections in base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    pool_connections(DATABASES["default"])
    # Through PgBouncer in transaction mode a cursor cannot outlive its
    # transaction (docs/deploy.md, "The database connection pool").
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
        "DATABASE_PGBOUNCER", False
    )

STORAGES["staticfiles"] = {"BACKEND": "cms.storage.StaticStorage"}

# Behind the proxy: it terminates TLS and says so in X-Forwarded-Proto, and
# appends the client's address to X-Forwarded-For.
HARBOUR_TRUSTED_PROXY_COUNT = int(os.environ.get("HARBOUR_TRUSTED_PROXY_COUNT", "1"))
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# Sockets only from the site's own pages (and any origin named for CSRF).
SOCKET_ALLOWED_ORIGINS = HARBOUR_ORIGINS

# Logs: JSON lines for the log collector, INFO and up from Harbour itself.
LOGGING = logging_config(os.environ.get("LOG_FORMAT", "json"), LOG_LEVEL)
# Python's warnings (a library's deprecation, Django's note about a streamed
# response under ASGI) go through logging too, so they are JSON lines like
# the rest instead of bare text on stderr.
logging.captureWarnings(True)

# Errors to Sentry (or a compatible service) when SENTRY_DSN is set, with
# no personal data: cms/sentry.py says what is taken out.
if os.environ.get("SENTRY_DSN"):
    from cms.sentry import init_sentry

    init_sentry(os.environ["SENTRY_DSN"])
