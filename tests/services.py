"""What a test does when a real service it starts is not there.

Tests marked `services` start processes of their own (PostgreSQL databases,
redis-server, nginx, moto's S3, app servers). On a machine without one they
skip, saying which; in CI (HARBOUR_REQUIRE_SERVICES set) a missing service
fails the run instead, so it can never pass by skipping.
"""

import os

import pytest

REQUIRED = bool(os.environ.get("HARBOUR_REQUIRE_SERVICES"))


def service_missing(reason: object):
    """Fail (CI) or skip (a machine without the service) for `reason`."""
    if REQUIRED:
        pytest.fail(f"{reason} (HARBOUR_REQUIRE_SERVICES is set)")
    pytest.skip(str(reason))
