"""Staff must enrol in two-factor before anything else; members never need to.
A form post the server accepted is told to the next page."""

import pytest
from allauth.mfa.models import Authenticator

from community.models import Role
from tests.factories import (
    PASSWORD,
    UserFactory,
    enrol_totp,
    make_forum,
    make_member,
    make_trusted,
    totp_code,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.PEER, Role.CLINICIAN, Role.LEAD])
def test_staff_without_two_factor_are_sent_to_enrol(client, pathway, role):
    client.force_login(make_member(pathway, role))
    for path in ["/", f"/{pathway.slug}/", "/admin/", "/join/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == "/accounts/2fa/totp/activate/", path


def test_every_json_endpoint_refuses_staff_without_two_factor(client, pathway):
    """Scripts get a JSON 403 they can read (not a page to enrol on), and
    nothing of the endpoint's answer; with two-factor set up they are let in."""
    from django.urls import get_resolver

    from community.web.middleware import json_endpoint  # noqa: F401 - the marker

    json_views = {
        "/notifications/since/?after=0": "get",
        "/account/notifications/push/": "post",
        "/account/notifications/push/remove/": "post",
        # The service worker sends no session; a staff session is refused alike.
        "/account/notifications/push/renew/": "post",
    }
    marked = {
        name
        for name, view in _named_views(get_resolver())
        if getattr(view, "harbour_json", False)
    }
    assert marked == {
        "notifications_since",
        "push_subscribe",
        "push_unsubscribe",
        "push_renew",
    }
    clinician = make_member(pathway, Role.CLINICIAN)
    client.force_login(clinician)
    for path, method in json_views.items():
        response = getattr(client, method)(path, content_type="application/json")
        assert response.status_code == 403, path
        assert response.json() == {"error": "two_factor_required"}, path
    enrol_totp(clinician)
    response = client.get("/notifications/since/?after=0")
    assert response.status_code == 200 and response.json() == {"notices": []}


def _named_views(resolver):
    from django.urls import URLPattern, URLResolver

    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _named_views(pattern)
        elif isinstance(pattern, URLPattern):
            yield pattern.name, pattern.callback


def test_staff_can_still_reach_help_and_their_account_pages(client, pathway):
    client.force_login(make_member(pathway, Role.CLINICIAN))
    assert client.get("/help/").status_code == 200
    # force_login records no recent sign-in, so allauth first asks for the
    # password again; both steps must be reachable, not looped back.
    enrol = client.get("/accounts/2fa/totp/activate/", follow=True)
    assert enrol.status_code == 200
    assert enrol.wsgi_request.path.startswith("/accounts/")
    assert client.get("/accounts/logout/").status_code == 200


def test_site_admins_without_two_factor_cannot_reach_the_admin(client, home):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").url == "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize("role", [Role.MEMBER, Role.CARER])
def test_members_are_never_asked_for_two_factor(client, pathway, role):
    client.force_login(make_member(pathway, role))
    assert client.get("/").status_code == 200


def test_staff_sign_in_asks_for_the_code_then_lets_them_in(client, pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    enrol_totp(clinician)
    response = client.post(
        "/accounts/login/", {"login": clinician.email, "password": PASSWORD}
    )
    assert response.url == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session

    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    assert client.session["_auth_user_id"] == str(clinician.pk)
    assert client.get(f"/{pathway.slug}/").status_code == 200


def test_totp_secrets_are_encrypted_at_rest(pathway):
    clinician = make_member(pathway, Role.CLINICIAN)
    enrol_totp(clinician, "JBSWY3DPEHPK3PXPTESTSECRETABCDEF")
    stored = Authenticator.objects.get(user=clinician).data["secret"]
    assert "JBSWY3DP" not in stored


def test_repeated_failed_sign_ins_are_throttled_with_a_clear_message(client, home):
    person = UserFactory()
    for _ in range(5):
        client.post("/accounts/login/", {"login": person.email, "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"login": person.email, "password": PASSWORD}
    )
    assert response.status_code in (200, 429)
    assert "paused signing in from this device" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_form_post_the_server_accepted_is_told_to_the_next_page(client, pathway):
    """forms.js lets go of its copy of the words only after a post answered
    with a redirect; a form drawn again with its errors, or a plain visit,
    says nothing."""
    forum = make_forum(pathway)
    client.force_login(make_trusted(pathway))
    url = f"/community/{pathway.slug}/forums/{forum.slug}/"
    assert "harbour_posted" not in client.get(url).cookies
    refused = client.post(url, {"title": "", "body": ""})
    assert refused.status_code == 200 and "harbour_posted" not in refused.cookies
    accepted = client.post(url, {"title": "Tea", "body": "Made a cup of tea"})
    assert accepted.status_code == 302
    cookie = accepted.cookies["harbour_posted"]
    assert cookie.value == "1" and cookie["max-age"] == 60
    assert cookie["samesite"] == "Lax" and not cookie["httponly"]
