"""allauth as Harbour sets it up: two-factor secrets encrypted with a key derived
from SECRET_KEY, and password reset that reveals nothing."""

import pytest
from allauth.mfa.totp.internal.auth import validate_totp_code
from django.test import override_settings

from community.adapters import MFAAdapter
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
