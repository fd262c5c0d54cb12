"""The notification settings page, the JSON endpoints push.js calls and the
service worker: signed-in members only, bad input answered with a 400 JSON
error (never a 500), nobody can forget another member's phone."""

import base64
import json
import re

import pytest
from django.test import Client

from community.models import EmailFrequency, Role
from community.notifications.models import PushSubscription
from tests.factories import make_member

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/phone-1"
SETTINGS = "/account/notifications/"
SUBSCRIBE = "/account/notifications/push/"
UNSUBSCRIBE = "/account/notifications/push/remove/"
RENEW = "/account/notifications/push/renew/"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


SUBSCRIPTION = {
    "endpoint": ENDPOINT,
    "expirationTime": None,
    "keys": {"p256dh": b64(b"\x04" + bytes(64)), "auth": b64(bytes(16))},
}


@pytest.fixture
def vapid(settings):
    settings.VAPID_PUBLIC_KEY = "BPublicKeyForTests"
    settings.VAPID_PRIVATE_KEY = "private-key-for-tests"


@pytest.fixture
def me(client, pathway):
    user = make_member(pathway)
    client.force_login(user)
    return user


def post_json(client, url, body, **extra):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, data, content_type="application/json", **extra)


def test_signed_out_people_are_sent_to_sign_in(client):
    for response in (
        client.get(SETTINGS),
        post_json(client, SUBSCRIBE, SUBSCRIPTION),
        post_json(client, UNSUBSCRIBE, {"endpoint": ENDPOINT}),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert not PushSubscription.objects.exists()


def test_the_page_says_plainly_when_push_is_not_available(client, me):
    page = client.get(SETTINGS).content.decode()
    assert "How you're told about notifications" in page
    assert "aren't available on this site" in page
    assert "push.js" not in page
    assert 'value="off" id="id_email_notifications_2" checked' in page


def test_with_vapid_keys_the_page_offers_this_phone(client, me, vapid):
    page = client.get(SETTINGS).content.decode()
    assert 'data-vapid-key="BPublicKeyForTests"' in page
    assert "Turn on for this phone" in page and "harbour/push.js" in page
    assert "needs JavaScript" in page
    assert "Turn off on all my phones" not in page  # no phone yet


def test_a_member_chooses_how_often_to_get_email(client, me):
    response = client.post(SETTINGS, {"form": "email", "email_notifications": "daily"})
    assert response.status_code == 302 and response["Location"] == SETTINGS
    me.refresh_from_db()
    assert me.email_notifications == EmailFrequency.DAILY
    page = client.post(SETTINGS, {"form": "email", "email_notifications": "hourly"})
    assert page.status_code == 200 and "nhsuk-error-summary" in page.content.decode()
    me.refresh_from_db()
    assert me.email_notifications == EmailFrequency.DAILY


def test_a_phone_is_subscribed_then_turned_off(client, me, vapid):
    response = post_json(client, SUBSCRIBE, SUBSCRIPTION)
    assert response.status_code == 201 and response.json() == {"ok": True}
    assert PushSubscription.objects.get().user == me
    assert "Turn off on all my phones" in client.get(SETTINGS).content.decode()
    response = post_json(client, UNSUBSCRIBE, {"endpoint": ENDPOINT})
    assert response.status_code == 200
    assert not PushSubscription.objects.exists()


def test_all_phones_are_turned_off_without_javascript(client, me, vapid):
    post_json(client, SUBSCRIBE, SUBSCRIPTION)
    response = client.post(SETTINGS, {"form": "push_off"})
    assert response.status_code == 302
    me.refresh_from_db()
    assert not me.web_push and not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body, reason",
    [
        ("{not json", "as JSON"),
        (b"\xff\xfe", "as JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({**SUBSCRIPTION, "padding": "x" * 5000}), "at most 4 KB"),
        (
            json.dumps({**SUBSCRIPTION, "endpoint": "http://fcm.googleapis.com/x"}),
            "https",
        ),
        (
            json.dumps({**SUBSCRIPTION, "endpoint": "https://10.0.0.1/x"}),
            "push service",
        ),
        (json.dumps({**SUBSCRIPTION, "keys": {"auth": "x"}}), "key"),
    ],
)
def test_a_bad_subscription_gets_a_400_json_error(client, me, vapid, body, reason):
    response = post_json(client, SUBSCRIBE, body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_subscribing_without_vapid_keys_is_a_400_json_error(client, me):
    response = post_json(client, SUBSCRIBE, SUBSCRIPTION)
    assert response.status_code == 400 and "available" in response.json()["error"]


def test_the_endpoints_take_only_posts(client, me, vapid):
    assert client.get(SUBSCRIBE).status_code == 405
    assert client.get(UNSUBSCRIBE).status_code == 405


def test_another_members_phone_cannot_be_removed(client, me, pathway, vapid):
    other = make_member(pathway)
    PushSubscription.objects.create(user=other, endpoint=ENDPOINT, p256dh="k", auth="a")
    response = post_json(client, UNSUBSCRIBE, {"endpoint": ENDPOINT})
    assert response.status_code == 404 and "error" in response.json()
    assert PushSubscription.objects.get().user == other
    bad = post_json(client, UNSUBSCRIBE, "nope")
    assert bad.status_code == 400 and "error" in bad.json()


def test_json_posts_need_the_csrf_token(pathway, vapid):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_member(pathway))
    assert post_json(client, SUBSCRIBE, SUBSCRIPTION).status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_from_the_root(client, vapid):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    # The browser asks again on each visit, so a new worker is found at once.
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    assert "showNotification" in body and "notificationclick" in body
    assert 'var OFFLINE_URL = "/offline/";' in body
    assert f'var RENEW_URL = "{RENEW}";' in body
    assert 'var VAPID_PUBLIC_KEY = "BPublicKeyForTests";' in body
    for event in ("install", "activate", "fetch", "message", "pushsubscriptionchange"):
        assert f'addEventListener("{event}"' in body
    shell = json.loads(re.search(r"var SHELL = (\[.*?\]);", body).group(1))
    assert "/static/harbour/nhsuk-frontend-10.4.2-nofonts.min.css" in shell
    assert "/static/harbour/icons/icon-512.png" in shell


def test_the_worker_s_cache_names_change_when_the_shell_changes(client, settings):
    """Old caches are deleted on activate, so a phone never keeps two shells."""
    version = re.compile(r'var VERSION = "([0-9a-f]{12})";')
    first = version.search(client.get("/sw.js").content.decode()).group(1)
    assert version.search(client.get("/sw.js").content.decode()).group(1) == first
    settings.STATIC_URL = "/assets/"
    moved = version.search(client.get("/sw.js").content.decode()).group(1)
    assert moved != first


def test_the_service_worker_is_served_to_everyone_alike(client, pathway):
    """Signed out, a member, staff without two-factor yet: the same worker."""
    anonymous = client.get("/sw.js")
    client.force_login(make_member(pathway, Role.CLINICIAN))
    staff = client.get("/sw.js")
    assert anonymous.status_code == staff.status_code == 200
    assert client.post("/sw.js").status_code == 405


# The service worker's renewal when the browser replaces a subscription ------------

NEW_ENDPOINT = "https://fcm.googleapis.com/fcm/send/phone-1-renewed"


def renewal(old=ENDPOINT, endpoint=NEW_ENDPOINT):
    return {"old_endpoint": old, "subscription": {**SUBSCRIPTION, "endpoint": endpoint}}


def test_a_renewed_subscription_replaces_the_old_for_the_same_member(pathway):
    """The worker has no session and no CSRF token: the old endpoint is proof."""
    owner = make_member(pathway, web_push=True)
    PushSubscription.objects.create(user=owner, endpoint=ENDPOINT, p256dh="k", auth="a")
    client = Client(enforce_csrf_checks=True)
    response = post_json(client, RENEW, renewal())
    assert response.status_code == 200 and response.json() == {"ok": True}
    phone = PushSubscription.objects.get()
    assert (phone.user, phone.endpoint) == (owner, NEW_ENDPOINT)
    assert phone.p256dh == SUBSCRIPTION["keys"]["p256dh"]


def test_renewing_an_endpoint_harbour_does_not_know_is_a_404(client, pathway):
    """Turned off, or never subscribed: nothing is stored for anyone."""
    response = post_json(client, RENEW, renewal())
    assert response.status_code == 404 and "error" in response.json()
    assert not PushSubscription.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        json.dumps([1, 2]),
        json.dumps(renewal(endpoint="http://fcm.googleapis.com/x")),
        json.dumps(renewal(endpoint="https://evil.example/x")),
        json.dumps({"old_endpoint": ENDPOINT}),
        json.dumps(renewal(old=None)),
    ],
)
def test_a_bad_renewal_gets_a_json_error_and_keeps_the_old_phone(client, pathway, body):
    owner = make_member(pathway, web_push=True)
    PushSubscription.objects.create(user=owner, endpoint=ENDPOINT, p256dh="k", auth="a")
    response = post_json(client, RENEW, body)
    assert response.status_code in (400, 404) and "error" in response.json()
    assert PushSubscription.objects.get().endpoint == ENDPOINT


def test_a_renewal_onto_a_phone_another_member_had_goes_to_the_renewing_owner(
    client, pathway
):
    """A browser has one subscription per site: the old endpoint's owner is
    whose phone this is now."""
    owner, before = make_member(pathway), make_member(pathway)
    PushSubscription.objects.create(user=owner, endpoint=ENDPOINT, p256dh="k", auth="a")
    PushSubscription.objects.create(
        user=before, endpoint=NEW_ENDPOINT, p256dh="k", auth="a"
    )
    assert post_json(client, RENEW, renewal()).status_code == 200
    assert list(PushSubscription.objects.values_list("user", "endpoint")) == [
        (owner.pk, NEW_ENDPOINT)
    ]


def test_renewal_takes_only_posts(client):
    assert client.get(RENEW).status_code == 405


def test_the_settings_are_linked_from_notifications_and_safety_pages(client, me):
    for page in ("/notifications/", "/account/safety/"):
        assert SETTINGS in client.get(page).content.decode()
