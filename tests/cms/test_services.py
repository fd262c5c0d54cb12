"""When CI says the real services are required, the suite must be using them:
PostgreSQL for the database and Redis for the cache and channel layer. A missing
service fails here; it is never skipped."""

import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

REQUIRED = bool(os.environ.get("HARBOUR_REQUIRE_SERVICES"))


@pytest.mark.django_db
def test_database_is_the_one_configured():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone()[0] == 1
    if REQUIRED:
        assert connection.vendor == "postgresql"
    else:
        assert connection.vendor in settings.DATABASES["default"]["ENGINE"]


def test_cache_is_the_one_configured():
    cache.set("harbour-probe", "ok", 30)
    assert cache.get("harbour-probe") == "ok"
    if REQUIRED:
        assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
        assert settings.CHANNEL_LAYERS["default"]["BACKEND"].startswith(
            "channels_redis"
        )


@pytest.mark.xdist_group("grouping")
def test_a_grouped_test_carries_its_group_to_xdist(request):
    """Under `--dist loadgroup` a grouped test's id ends with its group, which
    is how xdist keeps a group on one worker (tests/conftest.py); elsewhere
    the id is left alone."""
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith(
            "::test_a_grouped_test_carries_its_group_to_xdist@grouping"
        )
    else:
        assert "@" not in request.node.nodeid
