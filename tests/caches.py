"""Clearing the cache between tests without touching anything else on Redis."""

from django.core.cache import cache


def clear_cache() -> None:
    """Empty this run's cache. On Redis, delete only the keys under the run's
    prefix: Django's `cache.clear()` is FLUSHDB, which also drops the channel
    layer's messages mid-test and any other run's keys on the same server."""
    client_of = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client_of is None:
        cache.clear()
        return
    client = client_of(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
