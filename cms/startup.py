"""What an app process does once it has started, before its first request."""

import gc

from django.urls import get_resolver


def freeze_what_startup_made() -> None:
    """Load the URL patterns (and the views and models they import), then move
    every object alive now out of the garbage collector's reach (`gc.freeze`).

    They live as long as the process, yet each full collection walked all of
    them, some 300,000, in the middle of whichever request set it off: a
    member's search then took twice its usual time (bench/README.md). Frozen,
    they are never walked again; what requests make is collected as before."""
    get_resolver().url_patterns  # noqa: B018 - imported now, not at a first request
    gc.collect()
    gc.freeze()
