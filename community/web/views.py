"""Thin entries: parse the request, ask the access layer, call one action."""

import csv

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community import actions, queries
from community.actions import InvitationError
from community.models import Document
from community.permissions import (
    Capability,
    access_invitation,
    access_join_request,
    access_pathway_capability,
    invitable_roles,
)
from community.web.consent import (
    changed_documents,
    current_versions,
    do_accept_documents,
    needs_consent,
)
from community.web.forms import (
    CreateInvitationsForm,
    EasyReadForm,
    InvitationCodeForm,
    JoinRequestForm,
    PathwaySettingsForm,
    posted,
)


class SignupView(AllauthSignupView):
    """allauth's sign-up, with the invitation code filled in from the link."""

    def get_initial(self):
        initial = super().get_initial()
        if code := self.request.GET.get("code"):
            initial["invitation_code"] = actions.normalise_code(code)[:32]
        return initial


def join(request):
    """Enter an invitation code; a valid one goes on to its invitation page."""
    form = InvitationCodeForm(posted(request), client=request.META.get("REMOTE_ADDR"))
    if request.method == "POST" and form.is_valid():
        return redirect("community:join_invitation", code=form.cleaned_data["code"])
    return render(request, "community/join.html", {"form": form})


def join_invitation(request, code):
    """What an invitation link opens: who it is for, and how to accept it."""
    form = InvitationCodeForm({"code": code}, client=request.META.get("REMOTE_ADDR"))
    if not form.is_valid():
        return render(request, "community/join.html", {"form": form}, status=404)
    invitation = form.invitation
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = actions.do_redeem_invitation(request.user, invitation.code)
        except InvitationError as error:
            form.add_error("code", str(error))
            return render(request, "community/join.html", {"form": form})
        messages.success(
            request,
            _("Welcome to %(name)s.") % {"name": membership.pathway.name},
        )
        return redirect(queries.landing_url(membership.pathway))
    return render(
        request,
        "community/invitation.html",
        {"invitation": invitation, "role": invitation.get_role_display()},
    )


@login_required
def join_request(request):
    """Ask to join a community that accepts requests."""
    form = JoinRequestForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_request_to_join(
                request.user, form.cleaned_data["pathway"], form.cleaned_data["message"]
            )
        except InvitationError as error:
            form.add_error("pathway", str(error))
        else:
            messages.success(
                request,
                _("Thank you. A clinician will look at your request soon."),
            )
            return redirect("/")
    return render(request, "community/join_request.html", {"form": form})


@login_required
def invitations(request, slug):
    """A clinician's or lead's invitations: create one or a batch, see recent ones."""
    membership = access_pathway_capability(request.user, slug, Capability.INVITE)
    form = CreateInvitationsForm(
        posted(request),
        roles=invitable_roles(membership),
        initial={"days": 14},
    )
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            created = actions.do_create_invitations(membership, **form.cleaned_data)
        except InvitationError as error:
            form.add_error(None, str(error))
        else:
            if created[0].batch:
                return redirect(
                    "community:invitation_batch", slug=slug, batch=created[0].batch
                )
    return render(
        request,
        "community/invitations.html",
        {
            "pathway": membership.pathway,
            "form": form,
            "created": created,
            "recent": queries.recent_invitations(membership.pathway),
        },
    )


@login_required
def invitation_batch(request, slug, batch):
    membership = access_pathway_capability(request.user, slug, Capability.INVITE)
    batch_invitations = queries.batch_invitations(membership.pathway, batch)
    if not batch_invitations:
        raise Http404("No such batch")
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="harbour-{membership.pathway.slug}-invitations.csv"'
        )
        writer = csv.writer(response)
        writer.writerow(["code", "link", "role", "expires", "note"])
        for invitation in batch_invitations:
            writer.writerow(
                [
                    invitation.code,
                    request.build_absolute_uri(
                        queries.invitation_path(invitation.code)
                    ),
                    invitation.get_role_display(),
                    invitation.expires_at.date().isoformat(),
                    invitation.note,
                ]
            )
        return response
    return render(
        request,
        "community/invitation_batch.html",
        {
            "pathway": membership.pathway,
            "batch": batch,
            "invitations": batch_invitations,
        },
    )


@login_required
@require_POST
def revoke_invitation(request, slug, pk):
    membership = access_pathway_capability(request.user, slug, Capability.INVITE)
    invitation = access_invitation(membership.pathway, pk)
    actions.do_revoke_invitation(membership, invitation)
    messages.success(
        request, _("Invitation %(code)s withdrawn.") % {"code": invitation.code}
    )
    return redirect("community:invitations", slug=slug)


@login_required
def join_requests(request, slug):
    """Requests waiting for a decision, oldest first; approve or decline each."""
    membership = access_pathway_capability(
        request.user, slug, Capability.APPROVE_JOIN_REQUESTS
    )
    if request.method == "POST":
        join_request = access_join_request(
            membership.pathway, request.POST.get("request", "")
        )
        approve = request.POST.get("decision") == "approve"
        actions.do_decide_join_request(membership, join_request, approve=approve)
        messages.success(
            request, _("Request approved.") if approve else _("Request declined.")
        )
        return redirect("community:join_requests", slug=slug)
    return render(
        request,
        "community/join_requests.html",
        {
            "pathway": membership.pathway,
            "requests": queries.waiting_join_requests(membership.pathway),
        },
    )


@login_required
def pathway_settings(request, slug):
    """A service lead's settings for their pathway."""
    membership = access_pathway_capability(request.user, slug, Capability.EDIT_SETTINGS)
    form = PathwaySettingsForm(posted(request), instance=membership.pathway)
    if request.method == "POST" and form.is_valid():
        actions.do_update_pathway_settings(
            request.user, form.save(commit=False), form.changed_data
        )
        messages.success(request, _("Settings saved."))
        return redirect("community:settings", slug=slug)
    return render(
        request,
        "community/settings.html",
        {"pathway": membership.pathway, "form": form},
    )


@login_required
def easy_read_settings(request):
    """The member turns easy read on or off for themselves: this page, or the
    quick toggle on every page (which sends `next`, the page to go back to).
    A choice we do not offer shows the form again with a kind message."""
    form = EasyReadForm(
        posted(request),
        initial={
            "easy_read": "on" if request.user.easy_read else "off",
            "next": request.GET.get("next", ""),
        },
    )
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["easy_read"] == "on"
        actions.do_set_easy_read(request.user, on)
        if on:
            messages.success(request, _("Easy read is on."))
        else:
            messages.success(request, _("Easy read is off."))
        wanted = form.cleaned_data["next"]
        if wanted.startswith("/") and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={request.get_host()}
        ):
            return redirect(wanted)
        return redirect("community:easy_read")
    return render(request, "community/easy_read.html", {"form": form})


def help_now(request):
    """Crisis contacts: the reader's pathways' own, then the national ones.
    Open to everyone, signed in or not, staff with or without two-factor."""
    return render(request, "community/help.html", queries.help_contacts(request.user))


def safety(request):
    """What Harbour checks and why, in plain words. Open to everyone."""
    return render(request, "community/safety.html")


# Consent and privacy information ---------------------------------------------------

RETENTION_LABELS = {
    "chat_messages": _("Chat, direct and support messages"),
    "notifications": _("Notifications"),
    "held_posts": _("Posts that were held for a moderator and never shown"),
    "removed_posts": _("Posts that were removed"),
    "exports": _("Your data download, once made"),
    "safety_labels": _("Staff decisions about possible risk, used to improve checks"),
    "audit": _("The record of staff and safety actions (ids, never what you wrote)"),
}


def _period(days: int) -> str:
    """7 -> "7 days", 730 -> "2 years" (leap days forgiven)."""
    from django.utils.translation import ngettext

    years, rest = divmod(days, 365)
    if years and rest <= 2:
        return ngettext("%(n)s year", "%(n)s years", years) % {"n": years}
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


def privacy(request):
    """The privacy page, in plain words: what is kept, for how long (from
    HARBOUR_RETENTION_DAYS, which retention applies), who sees it, the rights
    and how to use them, and the trust's details. Open to everyone."""
    retention = settings.HARBOUR_RETENTION_DAYS
    return render(
        request,
        "community/privacy.html",
        {
            "trust": settings.HARBOUR_TRUST,
            "retention": [
                (label, _period(retention[key]))
                for key, label in RETENTION_LABELS.items()
                if key in retention
            ],
            "versions": current_versions(),
        },
    )


def _document_template(document: str, version: str):
    try:
        return get_template(f"community/legal/{document}_{version}.html")
    except TemplateDoesNotExist:
        return None


def legal_document(request, document, version=None):
    """The full text of one version of the terms or the privacy notice, the
    current one (no version given) or one a member agreed to before. Open to
    everyone."""
    if document not in Document.values:
        raise Http404("No such document")
    version = version or current_versions()[document]
    template = _document_template(document, version)
    if template is None:
        raise Http404("No such version")
    return render(
        request,
        "community/legal_document.html",
        {
            "title": Document(document).label,
            "version": version,
            "current": current_versions()[document] == version,
            "text_template": template.template.name,
            "trust": settings.HARBOUR_TRUST,
        },
    )


@login_required
def consent(request):
    """Asked at the next visit after a document changed: a calm page with
    the plain summary of what changed, links to the old and new text, and
    "I agree"; then on to the page the person was going to."""
    wanted = request.GET.get("next") or request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        wanted = "/"
    if request.method == "POST" and request.POST.get("agree"):
        do_accept_documents(request.user)
        return redirect(wanted)
    if not needs_consent(request.user):
        return redirect(wanted)
    documents = changed_documents(request.user)
    for item in documents:
        item["has_old_text"] = bool(
            item["agreed"] and _document_template(item["document"], item["agreed"])
        )
    return render(
        request,
        "community/consent.html",
        {
            "documents": documents,
            "first_time": not any(item["agreed"] for item in documents),
            "next": wanted,
        },
    )
