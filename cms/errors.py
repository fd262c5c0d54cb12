"""The site's answer when a page fails on the server."""

import sys

from django.db.utils import OperationalError
from django.http import HttpResponse
from django.template import loader
from psycopg_pool import PoolTimeout

# Seconds a browser or a balancer is asked to wait before trying again when
# every database connection was busy.
RETRY_AFTER = 5


def _pool_exhausted(error: BaseException | None) -> bool:
    """Whether `error` is the database pool having no connection free within
    DATABASE_POOL_TIMEOUT (Django wraps psycopg-pool's PoolTimeout)."""
    while error is not None:
        if isinstance(error, PoolTimeout):
            return True
        error = error.__cause__ if isinstance(error, OperationalError) else None
    return False


def server_error(request):
    """Django's handler500, wherever the failure happened (a view or a
    middleware). An overload, every connection of the pool busy, is a 503
    with Retry-After: busy, not broken, and a balancer may send the next try
    elsewhere. Anything else is the 500 page. Both pages are plain (no
    database) and give the national crisis numbers."""
    # Rendered without the request: context processors would ask the
    # database, which may be what failed.
    if _pool_exhausted(sys.exc_info()[1]):
        page = loader.get_template("503.html").render()
        response = HttpResponse(page, status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponse(loader.get_template("500.html").render(), status=500)
