"""Staff must enrol in two-factor authentication before they reach anything else."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .permissions import requires_two_factor

# Pages a staff member without two-factor may still use: signing in and out,
# enrolling, and the crisis and safety pages that every person must always reach.
OPEN_URL_NAMES = frozenset({"help", "safety", "set_language", "javascript-catalog"})
OPEN_URL_PREFIXES = ("account_", "mfa_")


class StaffTwoFactorMiddleware:
    """Sends staff who have no TOTP authenticator to enrol, from every page but
    the account pages and the help pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        if name in OPEN_URL_NAMES or name.startswith(OPEN_URL_PREFIXES):
            return None
        if not requires_two_factor(user):
            return None
        if Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).exists():
            return None
        messages.info(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an "
                "authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")
