"""The site's Redis cache as configured (django-redis, decision 0037): what
the chat's path relies on, one client kept per pool and a count that is one
atomic round trip, refusing a key that is not there."""

import os
import uuid

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.base import InvalidCacheBackendError

from cms.settings.base import REDIS_MAX_CONNECTIONS
from tests.services import service_missing

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def cache(settings):
    """The cache production configures (cms/settings/base.py), on this
    machine's Redis under a prefix of this test's own."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"harbour-test-cache-{uuid.uuid4()}"
    settings.CACHES = {
        **settings.CACHES,
        "site": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "OPTIONS": {
                "CONNECTION_POOL_KWARGS": {"max_connections": REDIS_MAX_CONNECTIONS}
            },
        },
    }
    try:
        made = caches["site"]
    except InvalidCacheBackendError as error:  # pragma: no cover - a bad setting
        pytest.fail(str(error))
    yield made
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def test_it_reads_and_writes_as_any_django_cache(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("a", {"kept": [1, 2]}, 60)
    assert cache.get("a") == {"kept": [1, 2]}
    assert cache.add("a", "other", 60) is False
    assert cache.add("b", "new", 60) is True
    assert cache.get_many(["a", "b", "c"]) == {"a": {"kept": [1, 2]}, "b": "new"}
    cache.delete("a")
    assert cache.get("a") is None


def test_one_client_is_kept_and_its_pool_is_the_configured_size(cache):
    client = cache.client.get_client(write=True)
    assert cache.client.get_client(write=True) is client
    assert client.connection_pool.max_connections == REDIS_MAX_CONNECTIONS


def test_counting_up_a_missing_key_refuses_and_makes_nothing(cache):
    with pytest.raises(ValueError):
        cache.incr("count")
    assert cache.get("count") is None
    assert not cache.has_key("count")


def test_counting_up_keeps_the_keys_expiry(cache):
    cache.add("count", 0, 60)
    assert cache.incr("count") == 1
    assert cache.incr("count", 5) == 6
    assert cache.get("count") == 6
    assert 0 < cache.ttl("count") <= 60


def test_clearing_between_tests_deletes_only_this_runs_keys(cache, settings):
    """tests/caches.py: FLUSHDB would also drop the channel layer's messages
    and the other test workers' keys on the same Redis."""
    from django.core.cache import cache as default_cache

    from tests.caches import clear_cache

    settings.CACHES = {**settings.CACHES, "default": settings.CACHES["site"]}
    outside = f"harbour-test-outside-{uuid.uuid4()}"
    client = redis.Redis.from_url(REDIS_URL)
    client.set(outside, "kept", ex=60)
    try:
        default_cache.set("mine", "gone soon", 60)
        assert default_cache.get("mine") == "gone soon"
        clear_cache()
        assert default_cache.get("mine") is None
        assert client.get(outside) == b"kept"
    finally:
        client.delete(outside)
