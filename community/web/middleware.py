"""Staff must enrol in two-factor authentication before they reach anything
else; and a form post the server accepted is told to the next page."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from community.permissions import has_two_factor, requires_two_factor

# Pages a staff member without two-factor may still use: signing in and out,
# enrolling, and the crisis and safety pages that every person must always reach.
OPEN_URL_NAMES = frozenset({"help", "safety", "set_language", "javascript-catalog"})
OPEN_URL_PREFIXES = ("account_", "mfa_")


def json_endpoint(view):
    """Marks a view that answers JSON to scripts: refused staff get a JSON
    403 they can read, not a redirect to a page."""
    view.harbour_json = True
    return view


class StaffTwoFactorMiddleware:
    """Sends staff who have no TOTP authenticator to enrol, from every page but
    the account pages and the help pages; a JSON endpoint (`json_endpoint`)
    answers them 403 with the reason instead."""

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
        # Staff of some pathway (or site staff): base.html draws Wagtail's
        # userbar only for them, sparing every member's page the two queries
        # of loading their permissions (issue #18).
        request.harbour_staff = requires_two_factor(user)
        if name in OPEN_URL_NAMES or name.startswith(OPEN_URL_PREFIXES):
            return None
        if not request.harbour_staff:
            return None
        if has_two_factor(user):
            return None
        if getattr(view_func, "harbour_json", False):
            return JsonResponse({"error": "two_factor_required"}, status=403)
        messages.info(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an "
                "authenticator app to continue."
            ),
        )
        return redirect("mfa_activate_totp")


# Read by static/harbour/forms.js, so not HttpOnly; it says nothing but "yes".
POSTED_COOKIE = "harbour_posted"


class FormPostedMiddleware:
    """After a form post answered with a redirect (what a Django view does
    once it has stored what was sent; a form with errors is drawn again
    instead), a cookie of a minute tells the next page, whose forms.js then
    lets go of the copy of the words it kept in the tab."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method == "POST" and 300 <= response.status_code < 400:
            response.set_cookie(
                POSTED_COOKIE,
                "1",
                max_age=60,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
