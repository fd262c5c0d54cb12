"""Settings for the test suite: the embedded defaults unless DATABASE_URL/REDIS_URL
point at real services (as `.ci/run` does)."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

SECRET_KEY = "test-only-not-secret-harbour"  # noqa: S105 - tests only
ALLOWED_HOSTS = ["*"]
# Fast hashing keeps the suite quick; production uses Django's default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["default"] = {  # noqa: F405
    "BACKEND": "django.core.files.storage.InMemoryStorage",
}
WAGTAILADMIN_BASE_URL = "http://testserver"
# Deliveries run at once when the transaction that queued them commits, so a
# test sees `mail.outbox` right after an action. This backend cannot defer, so
# a failed attempt waits for the worker's sweeper; the durability tests
# (tests/community/notifications/test_deliveries.py) switch to the database queue.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "deliveries": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}

# Serve static files straight from the apps, no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A test database in a file, not Django's shared in-memory one: in shared-
    # cache memory, SQLite locks whole tables and fails at once ("database
    # table is locked") when a browser test's server threads and the test
    # touch a table together. A file gets the locking the demo has (WAL, a
    # wait for the lock). One file per run, so two runs never share one;
    # `make test-fast` names one in the checkout, kept between its runs.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.environ.get("HARBOUR_TEST_SQLITE")
        or str(Path(tempfile.gettempdir()) / f"harbour-test-{os.getpid()}.sqlite3")
    }
else:
    # One test database per run on a shared server too: Django drops a test
    # database it finds in its way, so a second run beside CI's (same name)
    # would pull the database out from under it.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"  # noqa: F405
    }

if REDIS_URL:  # noqa: F405
    # Sessions in the database alone, as on the embedded defaults, so a page's
    # query count is the same on both CI stages (with cached_db a warm cache
    # spares the session's query). Production's cached_db is exercised where
    # it is chosen: tests/cms/test_settings.py, closing an account
    # (tests/community/rights/test_erasure.py) and the production stack.
    SESSION_ENGINE = "django.contrib.sessions.backends.db"
    # Keys of this run only: the suite clears its cache before every test by
    # deleting this prefix's keys (tests/caches.py), never with FLUSHDB, which
    # would also empty the channel layer and another run's keys on the same
    # Redis. One prefix per run and xdist worker; the app servers a test starts
    # inherit both variables, so they share their test's channel layer.
    RUN = os.environ.setdefault("HARBOUR_TEST_RUN", str(os.getpid()))
    WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
    CACHES["default"]["KEY_PREFIX"] = f"harbour-cache-test-{RUN}-{WORKER}"  # noqa: F405
    CHANNEL_LAYERS = {  # noqa: F405
        "default": redis_channel_layer(  # noqa: F405
            REDIS_URL,  # noqa: F405
            prefix=f"harbour-test-{RUN}-{WORKER}",
        )
    }
