"""The notification settings page, the JSON endpoints push.js calls and the
service worker: signed-in members only, bad input answered with a 400 JSON
error (never a 500), nobody can forget another member's phone."""

import base64
import json

import pytest
from django.test import Client

from community.models import EmailFrequency
from community.notifications.models import PushSubscription
from tests.factories import make_member

pytestmark = pytest.mark.django_db

ENDPOINT = "https://fcm.googleapis.com/fcm/send/phone-1"
SETTINGS = "/account/notifications/"
SUBSCRIBE = "/account/notifications/push/"
UNSUBSCRIBE = "/account/notifications/push/remove/"


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


def test_the_service_worker_is_served_from_the_root(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    body = response.content.decode()
    assert "showNotification" in body and "notificationclick" in body


def test_the_settings_are_linked_from_notifications_and_safety_pages(client, me):
    for page in ("/notifications/", "/account/safety/"):
        assert SETTINGS in client.get(page).content.decode()
