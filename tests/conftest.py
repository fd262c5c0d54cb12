import os

import pytest

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
    from django.core.cache import cache

    from community.safety import lexicon_store

    cache.clear()
    lexicon_store._merged.clear()  # per-process lexicons follow the cleared cache
    yield
