"""Reading a plan: its steps in order, the crisis contacts suggested for the
professionals step, and what the offline page shows. The caller has the
plan's owner from the access layer (`permissions.access_own_plan` or
`access_shared_plan`); nothing here decides who may read."""

from dataclasses import dataclass, field

from django.utils.functional import Promise

from community.models import User
from community.permissions import visible_pathways
from community.queries import crisis_contacts
from community.safetyplan.models import QUESTIONS, SafetyPlan, SafetyPlanStep, Step


@dataclass
class PlanStep:
    """One step as a page shows it: its number, heading, question and the
    member's lines (none yet: an empty list)."""

    number: int
    step: Step
    label: str | Promise
    question: str | Promise
    text: str = ""
    entries: list[str] = field(default_factory=list)


def steps_of(owner: User) -> list[PlanStep]:
    """Every step of `owner`'s plan, in order, written or not (one query)."""
    written = {row.step: row for row in SafetyPlanStep.objects.filter(author=owner)}
    steps = []
    for number, step in enumerate(Step, start=1):
        row = written.get(step)
        steps.append(
            PlanStep(
                number=number,
                step=step,
                label=step.label,
                question=QUESTIONS[step],
                text=row.body if row else "",
                entries=row.entries if row else [],
            )
        )
    return steps


def has_words(steps: list[PlanStep]) -> bool:
    return any(step.entries for step in steps)


def step_text(owner: User, step: Step) -> str | None:
    """The member's words for `step`, or None when they never wrote it."""
    return (
        SafetyPlanStep.objects.filter(author=owner, step=step)
        .values_list("body", flat=True)
        .first()
    )


def crisis_suggestions(user: User) -> str:
    """The crisis contacts of `user`'s own pathways (read through the access
    layer's `visible_pathways`), then the national ones, one a line: what
    the professionals step starts with before the member writes it."""
    lines = []
    for contact in crisis_contacts(visible_pathways(user)):
        line = contact.name
        if contact.phone:
            line = f"{line}: {contact.phone}"
        lines.append(line)
    return "\n".join(lines)


def offline_plan(user: User) -> list[PlanStep] | None:
    """The steps the offline page shows: the member's own written steps when
    they chose to keep their plan on this phone; None otherwise (signed
    out, never chosen, turned off, or nothing written)."""
    if not user.is_authenticated:
        return None
    keep = (
        SafetyPlan.objects.filter(owner=user, keep_offline=True)
        .values_list("pk", flat=True)
        .exists()
    )
    if not keep:
        return None
    steps = [step for step in steps_of(user) if step.entries]
    return steps or None
