"""allauth as Harbour sets it up: two-factor secrets encrypted with a key derived
from SECRET_KEY, and password reset that reveals nothing."""

import pytest
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.test import override_settings

from community.web.adapters import MFAAdapter
from tests.factories import UserFactory

SECRET = "JBSWY3DPEHPK3PXPTESTSECRETABCDEF"


def test_secret_round_trips_and_is_not_stored_in_the_clear():
    adapter = MFAAdapter()
    stored = adapter.encrypt(SECRET)
    assert SECRET not in stored
    assert adapter.decrypt(stored) == SECRET


def test_an_undecryptable_secret_never_becomes_a_guessable_one():
    stored = MFAAdapter().encrypt(SECRET)
    with override_settings(SECRET_KEY="a-different-key-after-rotation"):
        recovered = MFAAdapter().decrypt(stored)
    assert recovered and recovered != SECRET
    # An empty secret would make codes predictable; a random one matches nothing.
    assert not validate_totp_code(recovered, "000000")


@pytest.mark.django_db
def test_password_reset_sends_a_link_without_revealing_who_has_an_account(client, home):
    from django.core import mail

    person = UserFactory()
    known = client.post("/accounts/password/reset/", {"email": person.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.url == unknown.url
    to_person = [m for m in mail.outbox if person.email in m.to]
    assert len(to_person) == 1
    assert "/accounts/password/reset/key/" in to_person[0].body


@pytest.mark.django_db
def test_wrong_passwords_pause_their_address_not_the_account_everywhere(client, home):
    """Five wrong passwords from one address must not lock the account's
    owner out elsewhere (an on-duty clinician at work while someone guesses
    from outside); the guessing address stays paused, with a kind word."""
    from django.test import Client

    from tests.factories import PASSWORD

    person = UserFactory()
    login = "/accounts/login/"
    for _ in range(5):
        client.post(
            login, {"login": person.email, "password": "wrong"}, REMOTE_ADDR="10.9.8.7"
        )
    paused = client.post(
        login, {"login": person.email, "password": PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert "paused signing in from this device" in paused.content.decode()
    assert "_auth_user_id" not in client.session
    elsewhere = Client()
    response = elsewhere.post(
        login, {"login": person.email, "password": PASSWORD}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    assert elsewhere.session["_auth_user_id"] == str(person.pk)


@pytest.mark.django_db
def test_emails_are_branded_with_the_sites_own_name(client, home):
    """Not "[example.com]", Django's default Site, in subjects or bodies."""
    from django.core import mail

    person = UserFactory()
    client.post("/accounts/password/reset/", {"email": person.email})
    sent = [m for m in mail.outbox if person.email in m.to][0]
    assert sent.subject.startswith("[Harbour] ")
    assert "example.com" not in sent.subject + sent.body
