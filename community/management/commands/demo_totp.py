"""Print the current two-factor code of a demo staff account (demo use only)."""

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from community.models import User


class Command(BaseCommand):
    help = "Print the current 6-digit sign-in code of a demo staff account."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not getattr(settings, "HARBOUR_DEMO", False):
            raise CommandError("demo_totp only runs with the demo (dev) settings.")
        user = User.objects.filter(email__iexact=email).first()
        authenticator = (
            Authenticator.objects.filter(
                user=user, type=Authenticator.Type.TOTP
            ).first()
            if user
            else None
        )
        if authenticator is None:
            raise CommandError(f"No two-factor authenticator for {email}.")
        secret = decrypt(authenticator.data["secret"])
        period = 30
        counter = int(time.time()) // period
        seconds_left = period - int(time.time()) % period
        code = format_hotp_value(hotp_value(secret, counter))
        self.stdout.write(f"{code}  (valid for about {seconds_left} more seconds)")
