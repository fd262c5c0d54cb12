"""Staff must enrol in two-factor authentication before they reach anything
else; a signed-in person refused a staff page leaves an audit row; a form
post the server accepted is told to the next page; and the language a person
reads the site in is kept for the emails sent to them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from community.audit import audit
from community.models import Pathway
from community.permissions import has_two_factor, requires_two_factor
from community.web.consent import needs_consent
from community.web.language import keep_language

# Pages a staff member without two-factor may still use: signing in and out,
# enrolling, the crisis and safety pages that every person must always reach
# (the offline page is the crisis page kept on the phone), and what the
# browser fetches to install the app and keep it working.
OPEN_URL_NAMES = frozenset(
    {
        "help",
        "safety",
        "offline",
        "set_language",
        "javascript-catalog",
        "service_worker",
        "web_manifest",
    }
)
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


# The pages only a pathway's staff reach (community/web/urls.py): each answers
# "not found" to anyone else, as a missing page does (decision 2).
STAFF_URL_NAMES = frozenset(
    {
        "invitations",
        "invitation_batch",
        "revoke_invitation",
        "join_requests",
        "settings",
        "topic_flags",
        "unanswered",
        "history",
        "moderation",
        "queue",
        "case",
        "clear_review",
        "alert",
        "rota",
        "retry_delivery",
        "remove_shift",
        "risk_phrases",
        "insights",
        "insights_csv",
        "insights_overview",
        "insights_overview_csv",
    }
)


class StaffRefusalAuditMiddleware:
    """A signed-in person answered "not found" or "forbidden" by a staff
    page leaves an audit row (`access.refused`: the page's name and the
    pathway its address names, when there is one). The answer they see does
    not change. Someone signed out is sent to sign in before any refusal."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, Http404 | PermissionDenied):
            return None
        match = request.resolver_match
        if match is None or match.namespace != "community":
            return None
        if match.url_name not in STAFF_URL_NAMES or not request.user.is_authenticated:
            return None
        slug = match.kwargs.get("slug")
        pathway = Pathway.objects.filter(slug=slug).first() if slug else None
        audit(
            request.user,
            "access.refused",
            pathway=pathway,
            page=match.url_name,
            answer=404 if isinstance(exception, Http404) else 403,
        )
        return None


# Pages a person who has not agreed to the current terms may still open: the
# consent page and the documents it links to, the privacy page, signing in and
# out, the crisis and safety pages, and what pages load (language, scripts,
# the service worker, files).
CONSENT_OPEN_URL_NAMES = OPEN_URL_NAMES | {
    "consent",
    "privacy",
    "legal_document",
    "current_document",
    "serve_media",
    "serve_media_poster",
    "serve_stored_file",
}


class ConsentMiddleware:
    """When a document's version changed since a signed-in person last agreed,
    their next page is the consent page (a plain summary, the old and new
    text, "I agree"), then the page they asked for. Only page visits (GET)
    are sent there: a post, with the words someone was writing, is never
    interrupted, and scripts' JSON endpoints answer as before."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not needs_consent(request.user):
            return None
        if getattr(view_func, "harbour_json", False):
            return None
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        if name in CONSENT_OPEN_URL_NAMES or name.startswith(OPEN_URL_PREFIXES):
            return None
        from urllib.parse import urlencode

        from django.urls import reverse

        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('community:consent')}?{query}")


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


class LanguageMiddleware:
    """Keeps the language a signed-in person reads pages in (a /cy/ page is
    Welsh) as the one Harbour's emails and pushes speak to them, when it
    changes (`community.web.language`). Only pages count: the root's
    scripts, files and the admin (which follows the kept language, not the
    reverse) are in no language of the reader's choosing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.method == "GET"
            and response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")
            and not request.path_info.startswith("/admin/")
            and hasattr(request, "session")
        ):
            keep_language(request, user)
        return response
