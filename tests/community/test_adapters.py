"""Two-factor secrets are encrypted with a key derived from SECRET_KEY."""

from allauth.mfa.totp.internal.auth import validate_totp_code
from django.test import override_settings

from community.adapters import MFAAdapter

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
