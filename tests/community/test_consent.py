"""Consent to the terms and the privacy notice (community/web/consent.py, the
consent and privacy pages in community/web/views.py and ConsentMiddleware):
sign-up records the versions agreed; a new version asks again at the next
page visit, never in the middle of a post; the privacy page shows the
retention periods and the trust's details."""

import pytest
from django.urls import reverse

from community.models import AuditEvent, Consent, User
from community.web.consent import current_versions, needs_consent, signature
from tests.community.test_views import signup_data
from tests.factories import UserFactory, make_forum, make_invitation, make_trusted

pytestmark = pytest.mark.django_db

NEW_TERMS = {"version": "2027-01", "summary": "Moderators now reply within a day."}


@pytest.fixture
def new_terms(settings):
    settings.HARBOUR_DOCUMENTS = {**settings.HARBOUR_DOCUMENTS, "terms": NEW_TERMS}


def agreed_before(user):
    """`user` agreed to the versions before `new_terms` (factories agree to
    whatever is current when they run)."""
    Consent.objects.create(user=user, document="terms", version="2026-12")
    Consent.objects.create(user=user, document="privacy", version="2026-12")
    User.objects.filter(pk=user.pk).update(
        consented_versions="privacy:2026-12,terms:2026-12"
    )
    return User.objects.get(pk=user.pk)


def test_signup_records_the_versions_agreed(client, pathway):
    invitation = make_invitation(pathway)
    response = client.post(
        "/accounts/signup/", signup_data(invitation_code=invitation.code)
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.org")
    agreed = {c.document: c.version for c in Consent.objects.filter(user=user)}
    assert agreed == current_versions()
    assert not needs_consent(user)
    row = AuditEvent.objects.get(action="consent.accepted", actor=user)
    assert row.data == {"versions": signature(current_versions())}


def test_signup_links_to_the_terms_and_privacy_pages(client, home):
    body = client.get("/accounts/signup/").content.decode()
    assert reverse("community:current_document", args=["terms"]) in body
    assert reverse("community:privacy") in body
    assert "agree to the terms of use and the privacy notice" in body


def test_a_new_version_asks_again_at_the_next_visit_then_goes_on(
    client, pathway, new_terms
):
    member = agreed_before(make_trusted(pathway))
    client.force_login(member)
    wanted = f"/community/{pathway.slug}/timeline/"
    response = client.get(wanted)
    assert response.status_code == 302
    assert response.url.startswith("/consent/?next=")
    page = client.get(response.url).content.decode()
    assert "We have updated our terms" in page
    assert NEW_TERMS["summary"] in page
    assert "/legal/terms/2027-01/" in page  # the new text
    assert "/legal/terms/2026-12/" in page  # the one they agreed to
    assert "Privacy notice" not in page  # unchanged, not asked again
    agreed = client.post("/consent/", {"agree": "1", "next": wanted})
    assert agreed.status_code == 302 and agreed.url == wanted
    assert client.get(wanted).status_code == 200
    assert Consent.objects.filter(user=member, version="2027-01").exists()
    assert Consent.objects.filter(user=member, version="2026-12").exists()


def test_a_post_is_never_interrupted_by_the_consent_page(client, pathway, new_terms):
    member = agreed_before(make_trusted(pathway))
    forum = make_forum(pathway)
    client.force_login(member)
    url = f"/community/{pathway.slug}/forums/{forum.slug}/"
    response = client.post(url, {"title": "Tea", "body": "Made a cup of tea"})
    assert response.status_code == 302 and not response.url.startswith("/consent/")
    assert forum.topics.filter(title="Tea").exists()


def test_help_safety_privacy_and_sign_out_stay_open_before_agreeing(
    client, pathway, new_terms
):
    client.force_login(agreed_before(make_trusted(pathway)))
    for url in ("/help/", "/safety/", "/privacy/", "/legal/terms/2026-12/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/notifications/since/?after=0").status_code == 200


def test_the_consent_page_sends_only_to_this_site(client, pathway, new_terms):
    client.force_login(agreed_before(make_trusted(pathway)))
    response = client.post("/consent/", {"agree": "1", "next": "https://evil.example"})
    assert response.url == "/"


def test_someone_who_never_agreed_is_asked_first_time(client, pathway):
    person = UserFactory()
    User.objects.filter(pk=person.pk).update(consented_versions="")
    client.force_login(User.objects.get(pk=person.pk))
    response = client.get("/feed/", follow=True)
    assert "Before you go on" in response.content.decode()


def test_the_privacy_page_says_what_is_kept_how_long_and_by_whom(
    client, home, settings
):
    settings.HARBOUR_TRUST = {
        "name": "North Coast NHS Trust",
        "dpo_contact": "dpo@northcoast.nhs.uk",
        "ico_registration": "Z1234567",
        "address": "",
    }
    body = client.get("/privacy/").content.decode()
    for words in (
        "North Coast NHS Trust",
        "dpo@northcoast.nhs.uk",
        "Z1234567",
        "2 years",  # chat
        "1 year",  # notifications
        "8 years",  # audit
        "7 days",  # exports
        "3 years",  # safety labels
        reverse("account_email"),  # download and close, on the account page
    ):
        assert words in body, words


def test_the_privacy_page_follows_the_retention_settings(client, home, settings):
    settings.HARBOUR_RETENTION_DAYS = {
        **settings.HARBOUR_RETENTION_DAYS,
        "chat_messages": 90,
    }
    assert "90 days" in client.get("/privacy/").content.decode()


def test_unknown_documents_and_versions_are_not_found(client, home):
    assert client.get("/legal/cookies/2026-12/").status_code == 404
    assert client.get("/legal/terms/1999-01/").status_code == 404
    assert client.get("/legal/privacy/").status_code == 200


def test_every_page_links_to_the_privacy_page_in_its_footer(client, home):
    body = client.get(reverse("help")).content.decode()
    assert f'href="{reverse("community:privacy")}"' in body
