"""Thin entries for a member's rights over their data: their data page
(ask for a copy, download or delete it), closing their own account after
re-authenticating, and the staff page for closing an account on a member's
written request. Each parses, asks the access layer, calls one action."""

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from community.actions import SafetyError
from community.rights import actions as rights
from community.rights.forms import CloseAccountForm, StaffCloseAccountForm
from community.rights.permissions import (
    access_account_to_close,
    access_export,
    closable_by,
    exports_of,
    may_close_accounts,
)
from community.web.forms import posted


@login_required
def my_data(request):
    """The member's data page: their copies and the button to ask for one."""
    if request.method == "POST":
        try:
            rights.do_request_export(request.user)
        except SafetyError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _(
                    "We're preparing a copy of your data. We'll tell you here, "
                    "under Notifications, when it's ready."
                ),
            )
        return redirect("community:my_data")
    return render(
        request,
        "rights/my_data.html",
        {
            "exports": exports_of(request.user)[:10],
            "may_close_others": may_close_accounts(request.user),
            "export_days": rights.retention_days("exports"),
        },
    )


@login_required
@require_safe
def download_export(request, export_id):
    """The zip, to its owner only, as a download that never renders here."""
    export = access_export(request.user, export_id)
    if not export.is_ready:
        raise Http404("Not ready")
    try:
        handle = export.file.open("rb")
    except OSError:
        raise Http404("Gone") from None
    response = FileResponse(handle, as_attachment=True, filename="harbour-my-data.zip")
    response["Content-Type"] = "application/zip"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def delete_export(request, export_id):
    export = access_export(request.user, export_id)
    rights.do_delete_export(request.user, export)
    messages.success(request, _("That copy of your data is deleted."))
    return redirect("community:my_data")


@login_required
def close_account(request):
    """The plain-words page. A choice that is missing is said at once, on the
    page; a complete one then asks for the password again
    (`_close_own_account`: allauth keeps the choice while it asks)."""
    form = CloseAccountForm(posted(request))
    if request.method == "POST" and form.is_valid():
        return _close_own_account(request, form)
    return render(request, "rights/close_account.html", {"form": form})


@reauthentication_required
def _close_own_account(request, form: CloseAccountForm):
    try:
        rights.do_close_account(request.user, remove_posts=form.remove_posts)
    except SafetyError as error:
        messages.error(request, str(error))
        return redirect("community:my_data")
    logout(request)
    return redirect("community:account_closed")


@require_safe
def account_closed(request):
    return render(request, "rights/account_closed.html")


@login_required
@require_safe
def close_accounts(request):
    """Staff: the accounts they may close, found by display name."""
    if not may_close_accounts(request.user):
        raise Http404("No such page")
    query = request.GET.get("q", "").strip()[:30]
    people = closable_by(request.user).order_by("display_name")
    if query:
        people = people.filter(display_name__icontains=query)
    return render(
        request,
        "rights/close_accounts.html",
        {"people": people[:50] if query else [], "query": query},
    )


@login_required
def close_account_for(request, user_id):
    """Staff: close a member's account on their written request, with the
    reason for the audit."""
    person = access_account_to_close(request.user, user_id)
    form = StaffCloseAccountForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            rights.do_close_account_for(
                request.user,
                person.pk,
                remove_posts=form.remove_posts,
                reason=form.cleaned_data["reason"],
            )
        except SafetyError as error:
            form.add_error("reason", str(error))
        else:
            messages.success(
                request,
                _("%(name)s's account is closed.") % {"name": person.display_name},
            )
            return redirect("community:close_accounts")
    return render(
        request, "rights/close_account_for.html", {"form": form, "person": person}
    )
