"""allauth adapters: who may sign up, and how two-factor secrets are stored."""

import base64
import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.totp.internal.auth import generate_totp_secret
from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "too_many_login_attempts": _(
            "There have been several wrong passwords from here, so we've "
            "paused signing in from this device for a few minutes to keep "
            "accounts safe. Please wait a little, then try again, or reset "
            "your password."
        ),
    }

    def populate_username(self, request, user):
        # There is no username; people sign in by email.
        return None

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins are counted per account *and* client address (the
        `key` of ACCOUNT_RATE_LIMITS["login_failed"]), so five wrong
        passwords pause that address for that account, not the account's
        owner everywhere: nobody can lock an on-duty clinician out by
        guessing at their email. Each address is also limited on its own
        (the rule's `ip` part), across every account it tries."""
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}:{self.get_client_ip(request)}"


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
