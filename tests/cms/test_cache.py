"""The site's Redis cache (cms/cache.py): Django's, keeping one client per
pool, and counting up in one atomic round trip."""

import os
import uuid

import pytest
import redis

from cms.cache import KeptClientRedisCache
from tests.services import service_missing

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        service_missing(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"harbour-test-cache-{uuid.uuid4()}"
    made = KeptClientRedisCache(REDIS_URL, {"KEY_PREFIX": prefix})
    yield made
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)


def test_it_reads_and_writes_as_djangos_own(cache):
    assert cache.get("missing", "default") == "default"
    cache.set("a", {"kept": [1, 2]}, 60)
    assert cache.get("a") == {"kept": [1, 2]}
    assert cache.add("a", "other", 60) is False
    assert cache.add("b", "new", 60) is True
    assert cache.get_many(["a", "b", "c"]) == {"a": {"kept": [1, 2]}, "b": "new"}
    cache.delete("a")
    assert cache.get("a") is None


def test_one_client_is_kept_per_pool(cache):
    cache.set("a", 1, 60)
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_counting_up_a_missing_key_refuses_and_makes_nothing(cache):
    with pytest.raises(ValueError, match="not found"):
        cache.incr("count")
    assert cache.get("count") is None
    assert not cache.has_key("count")


def test_counting_up_keeps_the_keys_expiry(cache):
    cache.add("count", 0, 60)
    assert cache.incr("count") == 1
    assert cache.incr("count", 5) == 6
    assert cache.get("count") == 6
    client = redis.Redis.from_url(REDIS_URL)
    ttl = client.ttl(cache.make_and_validate_key("count"))
    assert 0 < ttl <= 60
