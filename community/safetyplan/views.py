"""The safety plan's pages: the member's plan, one step at a time, sharing
it with one clinician, keeping it offline, printing it; and the clinician's
view of a plan shared with them. Plain forms, no scripts needed. None of
these pages is ever stored by the browser or the service worker: the plan
page only tells the worker to fetch the offline page again (the
`Harbour-Offline` header, community/web/install.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from community.actions import SafetyError
from community.safetyplan import actions, queries
from community.safetyplan.forms import ShareForm, StepForm
from community.safetyplan.models import Step
from community.safetyplan.permissions import (
    access_own_plan,
    access_share_choice,
    access_shared_plan,
    plans_shared_with,
    share_choices,
    share_holds,
)
from community.web.forms import posted, show_submission_errors

private = cache_control(no_store=True, private=True)

# The header that asks the installed app to fetch its offline copy again now.
OFFLINE_HEADER = "Harbour-Offline"


@login_required
@private
def plan(request):
    """The member's plan: each step's words (or a start on it), who it is
    shared with, keeping it offline, printing."""
    own = access_own_plan(request.user)
    steps = queries.steps_of(request.user)
    response = render(
        request,
        "safetyplan/plan.html",
        {
            "plan": own,
            "steps": steps,
            "written": queries.has_words(steps),
            "shared": share_holds(own),
        },
    )
    response[OFFLINE_HEADER] = "renew"
    return response


@login_required
@private
def step(request, step):
    """One step's words, with its question; "Save" goes on to the next step
    or back to the plan. Bad input brings the form back with the words."""
    access_own_plan(request.user)
    try:
        chosen = actions.check_step(step)
    except SafetyError:
        return redirect("community:safety_plan")
    steps = list(Step)
    index = steps.index(chosen)
    following = steps[index + 1] if index + 1 < len(steps) else None
    initial_text = queries.step_text(request.user, chosen)
    suggested = False
    if initial_text is None and chosen == Step.PROFESSIONALS:
        initial_text = queries.crisis_suggestions(request.user)
        suggested = bool(initial_text)
    form = StepForm(
        posted(request),
        initial={"body": initial_text or ""},
        label=str(chosen.label),
    )
    if request.method == "POST" and form.is_valid():
        try:
            submission = actions.do_save_step(
                request.user,
                chosen,
                form.cleaned_data["body"],
                language=get_language(),
            )
        except SafetyError as error:
            form.add_error("body", str(error))
        else:
            if not submission.needs_rewrite:
                messages.success(request, _("Saved: %(step)s") % {"step": chosen.label})
                if following is not None and request.POST.get("then") == "next":
                    return redirect("community:safety_plan_step", step=following)
                return redirect("community:safety_plan")
            show_submission_errors(form, submission)
    return render(
        request,
        "safetyplan/step.html",
        {
            "form": form,
            "step": chosen,
            "number": index + 1,
            "count": len(steps),
            "question": queries.QUESTIONS[chosen],
            "following": following,
            "suggested": suggested,
        },
    )


@login_required
@private
def share(request):
    """Choose the one clinician who may read the plan, or stop sharing it."""
    own = access_own_plan(request.user)
    choices = share_choices(request.user)
    if request.method == "POST" and request.POST.get("decision") == "stop":
        actions.do_unshare(request.user)
        messages.success(request, _("Your plan is private again: only you can see it."))
        return redirect("community:safety_plan")
    form = ShareForm(posted(request), choices=choices)
    if request.method == "POST" and form.is_valid():
        clinician = access_share_choice(request.user, form.cleaned_data["clinician"].pk)
        actions.do_share(request.user, clinician)
        messages.success(
            request,
            _("%(name)s can now read your plan. You can stop sharing it at any time.")
            % {"name": clinician.user.display_name},
        )
        return redirect("community:safety_plan")
    return render(
        request,
        "safetyplan/share.html",
        {
            "plan": own,
            "form": form,
            "has_choices": choices.exists(),
            "shared": share_holds(own),
        },
    )


@require_POST
@login_required
@private
def keep_offline(request):
    """Turn keeping the plan on this phone on or off."""
    access_own_plan(request.user)
    keep = request.POST.get("keep") == "1"
    actions.do_keep_offline(request.user, keep)
    if keep:
        messages.success(
            request,
            _(
                "Your plan will be on this phone when there is no signal, on "
                "the page Harbour shows offline. It is removed when you sign out."
            ),
        )
    else:
        messages.success(request, _("Your plan is no longer kept on this phone."))
    return redirect("community:safety_plan")


@login_required
@private
def print_plan(request):
    """The plan alone, laid out for A4 paper (the print stylesheet)."""
    own = access_own_plan(request.user)
    return render(
        request,
        "safetyplan/print.html",
        {"plan": own, "steps": queries.steps_of(request.user), "owner": request.user},
    )


@login_required
@private
def shared_list(request):
    """The plans members have shared with this clinician (an empty page
    for anyone else: it says nothing of anybody's plan)."""
    return render(
        request,
        "safetyplan/shared_list.html",
        {"plans": plans_shared_with(request.user)},
    )


@login_required
@private
def shared_plan(request, pk):
    """A plan shared with this clinician, read-only; each opening is
    audited. Anyone else: "not found"."""
    shared = access_shared_plan(request.user, pk)
    actions.do_note_clinician_view(request.user, shared)
    return render(
        request,
        "safetyplan/shared_plan.html",
        {
            "plan": shared,
            "steps": queries.steps_of(shared.owner),
            "owner": shared.owner,
        },
    )
