"""Thin entries for the moderation queue, risk alerts, the duty rota, people's
profiles with block and mute, personal safety settings, notifications and the
risk phrases leads edit."""

from datetime import UTC, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from community.actions import (
    SafetyError,
    do_add_mute_word,
    do_block,
    do_mute,
    do_remove_mute_word,
    do_set_content_warnings,
    do_unblock,
    do_unmute,
)
from community.audit import audit
from community.inputs import MAX_EPOCH_SECONDS, whole_number
from community.models import User
from community.moderation.alerts import (
    do_acknowledge_alert,
    do_add_alert_note,
    do_resolve_alert,
)
from community.moderation.cases import do_decide_case
from community.moderation.forms import (
    AlertNoteForm,
    DecisionForm,
    LabelForm,
    MuteWordForm,
    RiskPhraseForm,
    ShiftForm,
)
from community.moderation.labels import (
    do_add_risk_phrase,
    do_label_alert,
    do_label_case,
    do_remove_risk_phrase,
)
from community.moderation.models import LABEL_REASONS, LabelDecision
from community.moderation.permissions import (
    access_alert,
    access_case,
    access_shift,
    can_manage_risk_phrases,
)
from community.moderation.queries import moderation_counts, open_queue, strikes_against
from community.moderation.rota import (
    check_shift,
    do_add_shift,
    do_remove_shift,
    on_duty_shifts,
)
from community.notifications import deliveries
from community.notifications.actions import do_mark_notifications_read
from community.notifications.events import notification_event
from community.notifications.permissions import (
    access_failed_delivery,
    failed_deliveries_for,
)
from community.permissions import (
    Capability,
    access_pathway,
    access_pathway_capability,
    access_profile,
    has_capability,
    moderated_memberships,
)
from community.queries import my_blocks_and_mutes, pathway_staff
from community.safety.classifier import why_flagged
from community.safety.models import RiskPhrase
from community.safety.registry import kind_of
from community.web.forms import posted
from community.web.middleware import json_endpoint


def _moderator(request, slug):
    return access_pathway_capability(request.user, slug, Capability.MODERATE)


# How many failed deliveries the queue page lists (it counts them all).
UNDELIVERED_SHOWN = 50


def queue(request, slug):
    """The pathway's one moderation queue, for its peer supporters and
    clinicians: risk alerts first (urgent ones first), then held, reported
    and "please review" content. Its service leads also see what could not
    be delivered, and can retry it."""
    return _queue_page(request, _moderator(request, slug))


# A review is cleared in one tap: one button per reason it is not a risk.
CLEAR_REASONS = [
    (reason.value, reason.label) for reason in LABEL_REASONS[LabelDecision.NOT_A_RISK]
]


def _queue_page(request, membership, refused=None):
    """The queue page; `refused`: (case id, form) of a one-tap clear that
    could not be done, shown again at its item with why."""
    alerts, cases = open_queue(membership.pathway)
    alerts.sort(key=lambda alert: not alert.urgent)  # stable: oldest first
    undelivered = failed_deliveries_for(request.user, membership.pathway)
    refused_case, refused_form = refused or (None, None)
    for item in cases:
        item.refused_form = refused_form if item.pk == refused_case else None
    return render(
        request,
        "community/queue.html",
        {
            "pathway": membership.pathway,
            "alerts": alerts,
            "cases": cases,
            "clear_reasons": CLEAR_REASONS,
            "on_duty": on_duty_shifts(membership.pathway),
            "undelivered": list(undelivered[:UNDELIVERED_SHOWN]),
            "undelivered_count": undelivered.count(),
        },
    )


@require_POST
def clear_review(request, slug, pk):
    """One tap on a queue item marked "please review": not a risk, for the
    reason on the button. Kept as a label (do_label_case). A
    missing or unknown reason shows the queue again with a kind word at the
    item."""
    membership = _moderator(request, slug)
    found = access_case(membership, pk)
    form = LabelForm(
        {**request.POST.dict(), "label-decision": LabelDecision.NOT_A_RISK},
        prefix="label",
    )
    if form.is_valid():
        try:
            do_label_case(
                membership,
                found,
                form.cleaned_data["decision"],
                form.cleaned_data["reason"],
            )
        except SafetyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Cleared: not a risk. Thank you."))
            return redirect("community:queue", slug=slug)
    return _queue_page(request, membership, refused=(found.pk, form))


@require_POST
def retry_delivery(request, slug, pk):
    """A service lead tries again a delivery of their pathway that failed."""
    pathway = access_pathway(request.user, slug)
    found = access_failed_delivery(request.user, pk, pathway=pathway)
    deliveries.do_retry_delivery(request.user, found)
    messages.success(
        request,
        _("Trying again. It leaves this list once it goes, or comes back if not."),
    )
    return redirect(reverse("community:queue", kwargs={"slug": slug}) + "#undelivered")


def case(request, slug, pk):
    """One case: the content, its reports, and the decision form."""
    membership = _moderator(request, slug)
    found = access_case(membership, pk)
    content = found.content
    if content is None:
        raise Http404("No such content")
    label_form = LabelForm(
        request.POST if request.POST.get("action") == "label" else None,
        prefix="label",
    )
    form = DecisionForm(
        posted(request) if request.POST.get("action") != "label" else None
    )
    if label_form.is_bound:
        if _labelled(request, membership, found, label_form):
            return redirect("community:queue", slug=slug)
    elif request.method == "POST" and form.is_valid():
        try:
            do_decide_case(
                membership,
                found,
                form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                edited_text=form.cleaned_data["edited_text"],
                sanction=form.cleaned_data["sanction"],
                mute_hours=form.cleaned_data["mute_hours"] or 24,
            )
        except SafetyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Decision saved. Thank you."))
            return redirect("community:queue", slug=slug)
    kind = kind_of(content)
    if request.method == "GET":
        audit(
            request.user, "staff.viewed_case", pathway=membership.pathway, target=found
        )
    return render(
        request,
        "community/case.html",
        {
            "pathway": membership.pathway,
            "case": found,
            "kind": kind,
            "content": content,
            "text": kind.text(content),
            "reports": found.reports.select_related("reporter").order_by("created_at"),
            "strikes": strikes_against(membership.pathway, found.author),
            "form": form,
            "label_form": label_form,
            "why": (
                why_flagged(kind.text(content), content.risk_categories)
                if found.for_review
                else {}
            ),
        },
    )


def _labelled(request, membership, found, form, *, alert=None) -> bool:
    """Keep staff's label from a valid `form` on the case (or its `alert`);
    False, with why on the form, when it cannot be done."""
    if not form.is_valid():
        return False
    label = do_label_alert if alert is not None else do_label_case
    try:
        label(
            membership,
            alert if alert is not None else found,
            form.cleaned_data["decision"],
            form.cleaned_data["reason"],
        )
    except SafetyError as error:
        form.add_error(None, str(error))
        return False
    messages.success(request, _("Thank you: your decision is kept to teach Harbour."))
    return True


def alert(request, slug, pk):
    """A risk alert: what was written, acknowledge, notes, resolve."""
    membership = _moderator(request, slug)
    found = access_alert(membership, pk)
    action = request.POST.get("action")
    form = AlertNoteForm(posted(request) if action != "label" else None)
    label_form = LabelForm(request.POST if action == "label" else None, prefix="label")
    if label_form.is_bound:
        if _labelled(request, membership, found.case, label_form, alert=found):
            return redirect("community:alert", slug=slug, pk=found.pk)
    elif request.method == "POST":
        if action == "acknowledge":
            do_acknowledge_alert(request.user, found)
            messages.success(request, _("Thank you. The alert is yours now."))
            return redirect("community:alert", slug=slug, pk=found.pk)
        if action == "resolve":
            do_resolve_alert(request.user, found, request.POST.get("note", ""))
            messages.success(request, _("Alert resolved."))
            return redirect("community:queue", slug=slug)
        if form.is_valid():
            do_add_alert_note(request.user, found, form.cleaned_data["note"])
            messages.success(request, _("Note added."))
            return redirect("community:alert", slug=slug, pk=found.pk)
    if request.method == "GET":
        audit(
            request.user, "staff.viewed_alert", pathway=membership.pathway, target=found
        )
    content = found.case.content
    kind = kind_of(content) if content is not None else None
    text = kind.text(content) if kind else ""
    return render(
        request,
        "community/alert.html",
        {
            "pathway": membership.pathway,
            "alert": found,
            "kind": kind,
            "text": text,
            "content_url": kind.url(content) if kind else "",
            "why": why_flagged(text, found.categories) if found.for_review else {},
            "notes": found.notes.select_related("author"),
            "form": form,
            "label_form": label_form,
            "label": getattr(found.case, "label", None),
        },
    )


def rota(request, slug):
    """Who is on duty, now and next. Service leads add and remove shifts;
    other staff see it."""
    membership = _moderator(request, slug)
    pathway = membership.pathway
    can_edit = has_capability(request.user, pathway, Capability.EDIT_SETTINGS)
    staff = pathway_staff(pathway)
    form = ShiftForm(posted(request), staff=staff) if can_edit else None
    if request.method == "POST":
        if not can_edit:
            raise Http404("No such page")
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = check_shift(
                    membership, data["user"].pk, data["starts_at"], data["ends_at"]
                )
            except SafetyError as error:
                form.add_error(None, str(error))
            else:
                do_add_shift(
                    membership,
                    user,
                    data["starts_at"],
                    data["ends_at"],
                    data["position"],
                )
                messages.success(request, _("Shift added to the rota."))
                return redirect("community:rota", slug=slug)
    shifts = (
        pathway.shifts.filter(ends_at__gt=timezone.now())
        .select_related("user")
        .order_by("starts_at", "position")
    )
    return render(
        request,
        "community/rota.html",
        {
            "pathway": pathway,
            "shifts": shifts,
            "on_duty": on_duty_shifts(pathway),
            "form": form,
        },
    )


@require_POST
def remove_shift(request, slug, pk):
    membership = access_pathway_capability(request.user, slug, Capability.EDIT_SETTINGS)
    do_remove_shift(membership, access_shift(membership, pk))
    messages.success(request, _("Shift removed."))
    return redirect("community:rota", slug=slug)


def moderation_home(request):
    """Every pathway the person moderates, with how much is waiting."""
    memberships = list(moderated_memberships(request.user))
    if not memberships:
        raise Http404("No such page")
    return render(
        request,
        "community/moderation_home.html",
        {"rows": moderation_counts(memberships)},
    )


# People ---------------------------------------------------------------------------


PERSON_ACTIONS = {
    "block": (do_block, _("You've blocked %(name)s. They are not told.")),
    "unblock": (do_unblock, _("You've unblocked %(name)s.")),
    "mute": (
        do_mute,
        _("You've muted %(name)s: you won't see what they write. They are not told."),
    ),
    "unmute": (do_unmute, _("You've unmuted %(name)s.")),
}


@require_POST
def person_action(request, user_id, action):
    person = access_profile(request.user, user_id)
    if action not in PERSON_ACTIONS:
        raise Http404("No such action")
    do, said = PERSON_ACTIONS[action]
    try:
        do(request.user, person)
    except SafetyError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, said % {"name": person.display_name})
    return redirect("community:profile", user_id=person.pk)


@login_required
def my_safety(request):
    """The member's own blocks, mutes and mute words."""
    form = MuteWordForm(posted(request))
    if request.method == "POST":
        if "content_warnings" in request.POST:
            do_set_content_warnings(request.user, request.POST["content_warnings"])
            messages.success(request, _("Saved."))
            return redirect("community:my_safety")
        if "remove" in request.POST:
            do_remove_mute_word(request.user, request.POST["remove"])
            messages.success(request, _("Removed."))
            return redirect("community:my_safety")
        if form.is_valid():
            try:
                do_add_mute_word(request.user, form.cleaned_data["word"])
            except SafetyError as error:
                form.add_error("word", str(error))
            else:
                messages.success(request, _("Added. You won't see posts with it."))
                return redirect("community:my_safety")
    return render(
        request,
        "community/my_safety.html",
        {
            "form": form,
            "words": request.user.mute_words.all(),
            **my_blocks_and_mutes(request.user),
            "warning_choices": User._meta.get_field("content_warnings").choices,
        },
    )


@login_required
def notifications(request):
    """The member's notifications, newest first; opening the page reads them."""
    items = list(request.user.notifications.all()[:50])
    do_mark_notifications_read(request.user)
    return render(request, "community/notifications.html", {"items": items})


@json_endpoint
@login_required
def notifications_since(request):
    """The member's unread notices made after notice `after` (an id) or, when
    the page has seen none yet, since `since` (epoch seconds): what a page
    whose socket dropped may have missed (the channel layer is at-most-once;
    the stored notices are the truth). JSON, at most 20, oldest first."""
    from django.http import JsonResponse

    notices = request.user.notifications.filter(read_at=None)
    after = whole_number(request.GET.get("after", ""))
    since = whole_number(request.GET.get("since", ""), maximum=MAX_EPOCH_SECONDS)
    if after is not None:
        notices = notices.filter(pk__gt=after)
    elif since is not None:
        moment = datetime.fromtimestamp(since, tz=UTC)
        notices = notices.filter(created_at__gte=moment)
    else:
        return JsonResponse({"error": "Give after or since."}, status=400)
    found = notices.order_by("pk")[:20]
    return JsonResponse({"notices": [notification_event(n) for n in found]})


@login_required
def risk_phrases(request):
    """Service leads add phrases to risk detection without a deploy."""
    if not can_manage_risk_phrases(request.user):
        raise Http404("No such page")
    form = RiskPhraseForm(posted(request))
    if request.method == "POST":
        if "remove" in request.POST:
            do_remove_risk_phrase(request.user, request.POST["remove"])
            messages.success(request, _("Phrase removed."))
            return redirect("community:risk_phrases")
        if form.is_valid():
            try:
                do_add_risk_phrase(
                    request.user,
                    form.cleaned_data["language"],
                    form.cleaned_data["category"],
                    form.cleaned_data["phrase"],
                )
            except SafetyError as error:
                form.add_error("phrase", str(error))
            else:
                messages.success(request, _("Phrase added. It applies from now on."))
                return redirect("community:risk_phrases")
    return render(
        request,
        "community/risk_phrases.html",
        {"form": form, "phrases": RiskPhrase.objects.select_related("created_by")},
    )
