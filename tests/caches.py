"""Clearing the cache between tests without touching anything else on Redis."""

from django.core.cache import cache


def clear_cache() -> None:
    """Empty this run's cache. On Redis (django-redis), delete only the keys
    under the run's prefix: `cache.clear()` is FLUSHDB there, which also drops
    the channel layer's messages mid-test and the other workers' and runs'
    keys on the same server."""
    delete_pattern = getattr(cache, "delete_pattern", None)
    if delete_pattern is None:
        cache.clear()
        return
    delete_pattern("*")
