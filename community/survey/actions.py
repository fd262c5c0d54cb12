"""Answering the survey, or putting it off: the survey's actions. The
comment takes the one submission road (community.moderation.submission), so
it is judged, held, and raises a risk alert like any post."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from community.actions import InvalidInput, Refused
from community.models import Membership, User
from community.moderation.submission import Submission, submit_content
from community.survey.asking import answered_recently
from community.survey.models import Agreement, SurveyAnswer, SurveyComment, SurveyPrompt


def _mark_asked(user: User, now: datetime, *, stop: bool = False) -> SurveyPrompt:
    """Lock `user`'s prompt row (made on first use) and note they were asked."""
    SurveyPrompt.objects.get_or_create(user=user)
    prompt = SurveyPrompt.objects.select_for_update().get(user=user)
    prompt.last_asked_at = now
    if stop:
        prompt.stopped_at = now
    prompt.save(update_fields=["last_asked_at", "stopped_at"])
    return prompt


def check_answer(membership: Membership, score: object, now: datetime) -> int:
    """`score` as a point of the scale if `membership`'s member may answer
    now; InvalidInput for a score off the scale, Refused when they have
    answered within the period already (a second tap, an old tab). The
    caller has asked the access layer (`permissions.access_survey`)."""
    if score not in Agreement.values:
        raise InvalidInput(_("Choose one of the five answers."))
    _refuse_a_second_answer(membership.user, now)
    return int(score)  # type: ignore[call-overload,unused-ignore]


def _refuse_a_second_answer(user: User, now: datetime) -> None:
    if answered_recently(user, now):
        raise Refused(
            _("You have answered already: thank you. We will ask again later on.")
        )


def do_answer(
    membership: Membership,
    score: object,
    comment: str = "",
    *,
    language: str = "en",
    now: datetime | None = None,
) -> Submission:
    """Store `membership`'s member's answer, counted for its pathway, and
    their optional comment through the submission gate (`submit_content`:
    sanitised, the pathway's rules, risk detection, pre-moderation; a comment
    stating risk opens a case and raises a risk alert to the on-duty staff).

    Who may call it: an entry that has the membership from
    `permissions.access_survey`. Raises what `check_answer` raises, and
    Refused while a moderator has paused the member's posting. When the
    pipeline asks for the comment to be rewritten, nothing is stored and the
    submission says why (`errors()`). Otherwise, in one transaction: the
    answer, the comment if any, and the person's prompt marked as asked
    (locked). Nobody is notified (no audit row either: an answer is the
    member's, not a staff action, and the audit keeps no answers)."""
    now = now or timezone.now()
    user = membership.user
    point = check_answer(membership, score, now)
    stored: dict[str, SurveyAnswer] = {}

    def before(_first: Submission | None) -> None:
        _mark_asked(user, now)
        # Again under the prompt row's lock: two taps at once store one answer.
        _refuse_a_second_answer(user, now)
        stored["answer"] = SurveyAnswer.objects.create(
            pathway=membership.pathway, user=user, score=point, answered_at=now
        )

    def build(submission: Submission) -> SurveyComment | None:
        body = submission.clean.get("body", "")
        if not body:
            return None
        return SurveyComment(
            pathway=membership.pathway,
            author=user,
            body=body,
            answer=stored["answer"],
            created_at=now,
        )

    return submit_content(
        user,
        membership,
        {"body": comment or ""},
        build,
        language=language,
        optional=frozenset({"body"}),
        announce=False,
        before=before,
    )


def do_postpone(membership: Membership, now: datetime | None = None) -> None:
    """ "Not now": `membership`'s member counts as asked, so the question
    comes back after the period. Locks their prompt row; tells no one."""
    with transaction.atomic():
        _mark_asked(membership.user, now or timezone.now())


def do_stop_asking(membership: Membership, now: datetime | None = None) -> None:
    """ "Don't ask me again": `membership`'s member is never asked again, in
    any pathway. Locks their prompt row; tells no one."""
    with transaction.atomic():
        _mark_asked(membership.user, now or timezone.now(), stop=True)
