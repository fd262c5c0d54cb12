"""A member sets how they are told about notifications in a phone browser:
email once a day, then "Turn on for this phone" and off again through
push.js, the service worker at /sw.js and the JSON endpoints. Chromium here
reaches no real push service, so the browser's PushManager is replaced by a
stand-in that returns a subscription; everything from the permission prompt
to the stored row is real. Each page is checked with axe at 390px."""

import base64
import json

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import expect

from community.models import EmailFrequency
from community.notifications.models import PushSubscription
from tests.factories import make_member

PHONE_ENDPOINT = "https://fcm.googleapis.com/fcm/send/e2e-phone"


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


PHONE_SUBSCRIPTION = {
    "endpoint": PHONE_ENDPOINT,
    "expirationTime": None,
    "keys": {"p256dh": b64(b"\x04" + bytes(range(64))), "auth": b64(bytes(16))},
}

# Replaces the browser's PushManager: `subscribe` returns PHONE_SUBSCRIPTION
# (set on window before this runs) and notes the key it was given.
STAND_IN_PUSH = """
(() => {
  if (!window.PushManager) return;
  let current = null;
  PushManager.prototype.subscribe = function (options) {
    window.harbourKeyLength = new Uint8Array(options.applicationServerKey).length;
    const data = window.harbourStandIn;
    current = {
      endpoint: data.endpoint,
      toJSON() { return data; },
      unsubscribe() { current = null; return Promise.resolve(true); },
    };
    return Promise.resolve(current);
  };
  PushManager.prototype.getSubscription = function () {
    return Promise.resolve(current);
  };
})();
"""


def test_a_member_chooses_a_daily_email_and_turns_push_on_and_off(
    new_context,
    pathway,
    settings,
    sign_in,
    visit,
    submit,
    follow,
    fits_the_screen,
    screenshot,
):
    key = ec.generate_private_key(ec.SECP256R1())
    settings.VAPID_PUBLIC_KEY = b64(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )
    settings.VAPID_PRIVATE_KEY = b64(key.private_numbers().private_value.to_bytes(32))
    member = make_member(pathway)
    context = new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        permissions=["notifications"],
    )
    context.add_init_script(
        f"window.harbourStandIn = {json.dumps(PHONE_SUBSCRIPTION)};\n{STAND_IN_PUSH}"
    )
    page = context.new_page()
    sign_in(page, member)
    visit(page, "/notifications/")
    follow(page, "Choose how you're told: by email, on your phone")

    page.get_by_label("Once a day, in one email").check()
    submit(page, "Save")
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    member.refresh_from_db()
    assert member.email_notifications == EmailFrequency.DAILY

    status = page.locator("#harbour-push-status")
    expect(status).to_have_text("Notifications are off for this phone.")
    expect(page.get_by_text("needs JavaScript")).to_be_hidden()
    expect(page.get_by_role("button", name="Turn off for this phone")).to_be_hidden()
    page.get_by_role("button", name="Turn on for this phone").click()
    expect(status).to_have_text("Notifications are on for this phone.")
    assert page.evaluate("window.harbourKeyLength") == 65
    stored = PushSubscription.objects.get()
    assert (stored.user, stored.endpoint) == (member, PHONE_ENDPOINT)
    member.refresh_from_db()
    assert member.web_push
    fits_the_screen(page)
    screenshot(page, "notification-settings-390")
    visit(page, "/account/notifications/")  # axe, with the service worker in

    page.get_by_role("button", name="Turn on for this phone").click()
    expect(status).to_have_text("Notifications are on for this phone.")
    page.get_by_role("button", name="Turn off for this phone").click()
    expect(status).to_have_text("Notifications are off for this phone.")
    expect(page.get_by_role("button", name="Turn on for this phone")).to_be_visible()
    assert not PushSubscription.objects.exists()
