"""Writing a plan and choosing who sees it: the safety plan's actions.

The words take the one submission road (`submit_content`) as the kind
registered as a private plan (`models.PLAN_KIND`, `Screening.SANITISE_ONLY`):
sanitised, never judged for risk, never held, never a case or an alert.
Sharing, withdrawing it and a clinician's opening of a plan each leave one
audit row (ids only: no words)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from community.actions import InvalidInput
from community.audit import audit
from community.models import Membership, User
from community.moderation.submission import Submission, submit_content
from community.notifications.actions import notify
from community.queries import language_of
from community.safetyplan.models import (
    PLAN_KIND,
    STEP_MAX_LENGTH,
    SafetyPlan,
    SafetyPlanStep,
    Step,
)


def _locked_plan(owner: User) -> SafetyPlan:
    """`owner`'s plan row, made on first use, locked for this transaction."""
    SafetyPlan.objects.get_or_create(owner=owner)
    return SafetyPlan.objects.select_for_update().get(owner=owner)


def check_step(step: object) -> Step:
    """`step` as one of the plan's steps; InvalidInput for anything else."""
    if step not in Step.values:
        raise InvalidInput(_("That is not one of the steps of a safety plan."))
    return Step(step)


def do_save_step(
    owner: User, step: object, text: str, *, language: str = "en"
) -> Submission:
    """Keep `owner`'s words for `step` (one entry a line); blank words take
    the step away. Who may call it: an entry that has the plan from
    `permissions.access_own_plan`.

    The words go through the one submission road as a private plan: only
    sanitised (too long: nothing is stored and the submission says why, so
    the form comes back with the words kept); never judged for risk, never
    held, no case, no alert, nobody told. In one transaction, under the
    plan row's lock: the step's row made, changed or removed, and the plan
    marked as changed. No audit row: the words are the member's own."""
    chosen = check_step(step)
    if len(text or "") > STEP_MAX_LENGTH * 2:
        # Far past the limit: not worth sanitising to say it is too long.
        raise InvalidInput(_("Please keep each step to 3,000 characters."))
    now = timezone.now()

    def before(_first: Submission | None) -> None:
        plan = _locked_plan(owner)
        plan.updated_at = now
        plan.save(update_fields=["updated_at"])

    def build(submission: Submission) -> SafetyPlanStep | None:
        body = submission.clean.get("body", "")
        row = SafetyPlanStep.objects.filter(author=owner, step=chosen).first()
        if not body:
            if row is not None:
                row.delete()
            return None
        if len(body) > STEP_MAX_LENGTH:
            raise InvalidInput(_("Please keep each step to 3,000 characters."))
        row = row or SafetyPlanStep(author=owner, step=chosen, created_at=now)
        row.body = body
        row.updated_at = now
        return row

    return submit_content(
        owner,
        None,
        {"body": text or ""},
        build,
        private=PLAN_KIND,
        language=language,
        optional=frozenset({"body"}),
        announce=False,
        before=before,
    )


def do_share(owner: User, clinician: Membership) -> SafetyPlan:
    """Share `owner`'s plan with one clinician, in place of anyone before.
    Who may call it: an entry that has `clinician` from
    `permissions.access_share_choice(owner, ...)` (a clinician of a pathway
    the owner belongs to). Locks the plan row; writes the
    audit row `safety_plan.share` in the clinician's pathway (ids only), and
    tells the clinician with a notice in Harbour's words, in their own
    language, that leads to the plan (on commit, as every notice): a plan
    shared with someone who never hears of it would be read by nobody."""
    with transaction.atomic():
        plan = _locked_plan(owner)
        plan.shared_with = clinician.user
        plan.shared_in = clinician.pathway
        plan.shared_at = timezone.now()
        plan.save(update_fields=["shared_with", "shared_in", "shared_at"])
        audit(owner, "safety_plan.share", pathway=clinician.pathway, target=plan)
        with translation.override(language_of(clinician.user)):
            notify(
                clinician.user,
                clinician.pathway,
                "safety_plan_shared",
                _("%(name)s shared their safety plan with you, to read.")
                % {"name": owner.display_name},
                reverse("community:shared_plan", args=[plan.pk]),
            )
    return plan


def do_unshare(owner: User) -> SafetyPlan | None:
    """Withdraw the share of `owner`'s plan (nothing when there is none).
    Who may call it: the owner, with their plan from `access_own_plan`.
    Locks the plan row; writes `safety_plan.unshare` in the pathway it was
    shared in. Nobody is notified."""
    with transaction.atomic():
        plan = SafetyPlan.objects.select_for_update().filter(owner=owner).first()
        if plan is None or plan.shared_with_id is None:
            return plan
        pathway = plan.shared_in
        plan.shared_with = None
        plan.shared_in = None
        plan.shared_at = None
        plan.save(update_fields=["shared_with", "shared_in", "shared_at"])
        audit(owner, "safety_plan.unshare", pathway=pathway, target=plan)
    return plan


def do_note_clinician_view(clinician: User, plan: SafetyPlan) -> None:
    """Leave the audit row `safety_plan.view` for `clinician` opening `plan`
    (from `permissions.access_shared_plan`), in the pathway it is shared in.
    Ids only; nothing is locked; nobody is notified."""
    audit(clinician, "safety_plan.view", pathway=plan.shared_in, target=plan)


def do_keep_offline(owner: User, keep: bool) -> SafetyPlan:
    """Whether the installed app keeps `owner`'s plan on their phone for
    when there is no signal (off by default). Locks the plan row. The
    service worker fetches the offline page again when the plan page says
    so (community/web/install.py), so turning it off clears the copy."""
    with transaction.atomic():
        plan = _locked_plan(owner)
        plan.keep_offline = bool(keep)
        plan.save(update_fields=["keep_offline"])
    return plan
