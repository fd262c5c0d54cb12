"""allauth adapters: who may sign up, and how two-factor secrets are stored."""

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.totp.internal.auth import generate_totp_secret
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        # There is no username; people sign in by email.
        return None


def _fernet() -> Fernet:
    digest = hashlib.sha256(("harbour-mfa:" + settings.SECRET_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class MFAAdapter(DefaultMFAAdapter):
    """Encrypt TOTP secrets at rest with a key derived from SECRET_KEY, so a copy
    of the database alone cannot mint staff codes."""

    def encrypt(self, text: str) -> str:
        return _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        try:
            return _fernet().decrypt(encrypted_text.encode()).decode()
        except InvalidToken:
            # Undecryptable (e.g. SECRET_KEY rotated): a fresh random secret, so
            # no code matches and the person uses a recovery route; never a
            # predictable empty secret.
            return generate_totp_secret()
