"""The client behind the proxy, health checks before everything, and a
request id on every response."""

import pytest
from django.test import Client, override_settings

from cms.middleware import client_address
from tests.caches import clear_cache


@pytest.mark.parametrize(
    ("forwarded", "peer", "proxies", "client"),
    [
        ("", "10.0.0.9", 1, "10.0.0.9"),  # not through the proxy
        ("203.0.113.5", "10.0.0.9", 0, "10.0.0.9"),  # no proxy trusted
        ("203.0.113.5", "10.0.0.9", 1, "203.0.113.5"),
        # A client's own X-Forwarded-For is kept by the proxy, which appends
        # the address it saw: only that last entry is believed.
        ("6.6.6.6, 203.0.113.5", "10.0.0.9", 1, "203.0.113.5"),
        ("6.6.6.6, 203.0.113.5, 10.0.0.2", "10.0.0.9", 2, "203.0.113.5"),
        ("203.0.113.5", "10.0.0.9", 2, "10.0.0.9"),  # shorter than the chain
    ],
)
def test_client_address_believes_only_the_trusted_proxies(
    forwarded, peer, proxies, client
):
    assert client_address(forwarded, peer, proxies) == client


def _failed_login(client: Client, email: str = "nobody@example.org") -> str:
    response = client.post(
        "/accounts/login/", {"login": email, "password": "not-the-password"}
    )
    assert response.status_code == 200
    return response.content.decode()


TOO_MANY = "paused signing in from this device"


@pytest.mark.django_db
@override_settings(HARBOUR_TRUSTED_PROXY_COUNT=1)
def test_wrong_passwords_pause_the_client_who_made_them_not_everyone():
    """Behind a balancer every request comes from its address: ten wrong
    passwords from anyone used to lock everyone out."""
    clear_cache()
    first = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    for n in range(10):
        assert TOO_MANY not in _failed_login(first, f"guess{n}@example.org")
    assert TOO_MANY in _failed_login(first, "guess10@example.org")
    assert TOO_MANY not in _failed_login(other, "me@example.org")
    clear_cache()


@pytest.mark.django_db
@override_settings(HARBOUR_TRUSTED_PROXY_COUNT=1)
def test_sign_in_limits_count_each_client_and_explain_the_pause_kindly():
    """The 31st sign-in a minute site-wide got a bare 429 behind a balancer."""
    clear_cache()
    first = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    other = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    statuses = [
        first.post("/accounts/login/", {"login": "", "password": ""}).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [200] * 30 and statuses[30] == 429
    page = first.post("/accounts/login/", {"login": "", "password": ""})
    assert page.status_code == 429
    html = page.content.decode()
    assert "Please wait a moment" in html and 'href="/help/"' in html
    assert (
        other.post("/accounts/login/", {"login": "", "password": ""}).status_code == 200
    )
    clear_cache()


@pytest.mark.django_db
@override_settings(HARBOUR_TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forged_header_changes_nothing():
    clear_cache()
    for n in range(10):
        _failed_login(
            Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"),
            f"guess{n}@example.org",
        )
    forged = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.77")
    assert TOO_MANY in _failed_login(forged, "guess11@example.org")
    clear_cache()


@override_settings(ALLOWED_HOSTS=["harbour.example.nhs.uk"], SECURE_SSL_REDIRECT=True)
def test_health_answers_the_balancer_by_address_over_plain_http():
    response = Client().get("/health/", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # Everything else still insists on an allowed host and https.
    assert Client().get("/help/", HTTP_HOST="10.1.2.3").status_code == 400
    assert Client().get("/help/", HTTP_HOST="harbour.example.nhs.uk").status_code == 301


@pytest.mark.django_db
def test_every_response_carries_a_request_id_the_proxy_may_choose():
    own = Client().get("/help/")
    assert len(own["X-Request-ID"]) == 32
    assert Client().get("/help/")["X-Request-ID"] != own["X-Request-ID"]
    given = Client().get("/help/", HTTP_X_REQUEST_ID="a1b2c3d4e5f60718293a4b5c6d7e8f90")
    assert given["X-Request-ID"] == "a1b2c3d4e5f60718293a4b5c6d7e8f90"
    # Text of the client's own is not let into the logs.
    forged = Client().get("/help/", HTTP_X_REQUEST_ID="hello <b>there</b>")
    assert forged["X-Request-ID"] != "hello <b>there</b>"


# Headers every answer carries -------------------------------------------------------


@pytest.mark.django_db
def test_every_page_turns_off_browser_features_it_does_not_use(client, home):
    policy = client.get("/help/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy
    assert "interest-cohort=()" in policy
    # Chromium logs an error on every page for a feature it does not know.
    assert "ambient-light-sensor" not in policy and "bluetooth" not in policy


@pytest.mark.django_db
def test_signed_in_pages_and_json_are_kept_out_of_every_cache(client, pathway):
    from tests.factories import make_member

    public = client.get("/help/")
    assert "no-store" not in public.get("Cache-Control", "")
    client.force_login(make_member(pathway))
    for path in ("/help/", f"/{pathway.slug}/", "/notifications/since/?after=0"):
        response = client.get(path)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, path
        assert "public" not in directives and "max-age=0" not in directives, path
    me = client.get("/people/1/picture/")  # a view's own max-age is dropped too
    assert me.status_code == 404
    assert "no-store" in me["Cache-Control"]


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/harbour/live.js")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Odd input ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?id=%C2%B2", "?id=", "?id=" + "x" * 10_240, "?next=%C2%B2"]
)
def test_odd_input_wagtail_does_not_check_is_a_kind_400(client, pathway, query):
    """Wagtail's choosers look up `id` unchecked and its views hand `next` to
    redirect(), which takes a bare word for a view name: a 500 each."""
    from tests.factories import enrol_totp, make_member

    clinician = make_member(pathway, "clinician")
    enrol_totp(clinician)
    client.force_login(clinician)
    path = (
        "/admin/login/" if "next" in query else "/admin/images/chooser/chosen-multiple/"
    )
    response = client.get(path + query)
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "Something in that address" in response.content.decode()
