"""The survey's entry: one page per pathway, posted to from the question at
the foot of the pathway's pages (templates/survey/prompt.html) or opened on
its own. Works without JavaScript: a plain form, then back to the page."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from community.actions import SafetyError
from community.moderation.submission import Submission
from community.safety.risk import Tier
from community.survey import actions
from community.survey.asking import answered_recently
from community.survey.forms import SurveyForm
from community.survey.permissions import access_survey
from community.web.forms import posted, show_submission_errors


def _back(request, fallback: str) -> str:
    """The page to return to: a path of this site from `next`, else `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, {request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback


def _thank(request, submission: Submission) -> None:
    """A comment stating risk shows the crisis card first (as any post), with
    an urgent one's word that the care team has it; then the thank-you."""
    verdict = submission.verdict
    if verdict.show_crisis_contacts:
        messages.info(request, verdict.crisis_message, extra_tags="crisis")
        if verdict.tier == Tier.URGENT:
            for text in verdict.messages:
                messages.info(request, text)
    messages.success(
        request,
        _(
            "Thank you for answering. It helps the people who run Harbour "
            "know what is working for you."
        ),
    )


def survey(request, slug):
    """Answer, "Not now" or "Don't ask me again", for a member of `slug`."""
    membership = access_survey(request.user, slug)
    back = _back(request, reverse("community:forums", kwargs={"slug": slug}))
    decision = request.POST.get("decision", "answer")
    if request.method == "POST" and decision == "later":
        actions.do_postpone(membership)
        messages.success(request, _("Of course. We will ask again another time."))
        return redirect(back)
    if request.method == "POST" and decision == "never":
        actions.do_stop_asking(membership)
        messages.success(request, _("We won't ask you again."))
        return redirect(back)
    form = SurveyForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            submission = actions.do_answer(
                membership,
                form.cleaned_data["score"],
                form.cleaned_data["comment"],
                language=get_language(),
            )
        except SafetyError as error:
            form.add_error(None, str(error))
        else:
            if not submission.needs_rewrite:
                _thank(request, submission)
                return redirect(back)
            show_submission_errors(form, submission)
    return render(
        request,
        "survey/answer.html",
        {
            "pathway": membership.pathway,
            "form": form,
            "next": back,
            "survey_page": True,
            "answered": request.method == "GET" and answered_recently(request.user),
        },
    )
