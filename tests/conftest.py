import os
from pathlib import Path

import pytest

from tests.caches import clear_cache
from tests.factories import make_pathway, make_site

# Playwright's sync API runs an event loop in the test thread; Django refuses
# ORM calls from a thread with a running loop unless told this is intended.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def home(db):
    return make_site()


@pytest.fixture
def pathway(db):
    return make_pathway("Perinatal care")


@pytest.fixture
def other_pathway(db):
    return make_pathway("Eating disorders")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits, used TOTP codes and the risk-phrase version live in the
    cache: start each test clean."""
    from community.safety import lexicon_store

    clear_cache()
    lexicon_store._merged.clear()  # per-process lexicons follow the cleared cache
    yield


@pytest.fixture(autouse=True)
def _english_to_start():
    """The test client's LocaleMiddleware leaves the last request's language
    active in the thread; a test after a /cy/ request would speak Welsh."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test databases; before it drops them, end the
    PostgreSQL sessions other threads of this run left open (the browser
    tests' servers keep a connection in their database threads). Otherwise
    the drop fails with only a warning and each run leaves its database
    behind."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for connection in connections.all():
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Give each test marked `xdist_group` its group's suffix, so that
    `--dist loadgroup` (the Makefile's) sends a group's tests to one worker.
    pytest-xdist 3.8 does this by setting `item._nodeid`, which pytest 9.2 no
    longer reads (a node's id is `item._id`): without this, a group's tests
    were spread over the workers and each started the group's costly session
    fixture (the production stack, a live database) again."""
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        groups = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if groups and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")


def pytest_sessionfinish(session):
    """SQLite in WAL keeps `-wal` and `-shm` files beside the test database
    while any connection is open, and threads of the browser tests' servers
    keep theirs past Django's drop: remove this run's files, once every
    fixture has finished with them."""
    from django.conf import settings

    if session.config.getoption("reuse_db"):
        return  # `make test-fast` keeps them for its next run
    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if name and database["ENGINE"] == "django.db.backends.sqlite3":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
