"""A page that fails says so kindly; a database pool with no connection free
is an overload (503, Retry-After), not a fault."""

import pytest
from django.db.utils import OperationalError
from django.test import Client, override_settings
from django.urls import path
from psycopg_pool import PoolTimeout

from cms.errors import server_error


def _pool_empty(request):
    try:
        raise PoolTimeout("couldn't get a connection after 10.00 sec")
    except PoolTimeout as error:
        raise OperationalError(str(error)) from error


def _broken(request):
    raise RuntimeError("a bug")


urlpatterns = [path("pool/", _pool_empty), path("broken/", _broken)]
handler500 = server_error


@pytest.fixture
def client():
    with override_settings(ROOT_URLCONF=__name__):
        yield Client(raise_request_exception=False)


def test_an_exhausted_pool_asks_the_browser_to_try_again_shortly(client):
    response = client.get("/pool/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    html = response.content.decode()
    assert "very busy" in html and "Nothing you wrote has been lost" in html
    assert 'href="tel:116123"' in html  # Samaritans, without the database


def test_any_other_failure_is_the_kind_500_page(client):
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "Retry-After" not in response
    assert 'href="tel:999"' in response.content.decode()
