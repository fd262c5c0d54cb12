"""A member's safety plan: the Stanley–Brown steps, one row per step the
member has written (member text, registered with the safety registry as a
private plan: sanitise only), and one row per member for what they chose
(the one clinician they share it with, whether the installed app keeps it
offline). Why this shape: docs/decisions/0029-safety-plan.md."""

from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import MemberContent, Pathway, User
from community.safety.registry import Screening, register


class Step(models.TextChoices):
    """The Stanley–Brown safety planning steps, in the order they are used:
    from noticing a crisis coming to reaching for help."""

    WARNING_SIGNS = "warning_signs", _("My warning signs")
    COPING = "coping", _("Things I can do on my own")
    DISTRACTIONS = "distractions", _("People and places that take my mind off things")
    PEOPLE = "people", _("People I can ask for help")
    PROFESSIONALS = "professionals", _("Professionals and crisis lines")
    SAFER_SPACE = "safer_space", _("Making where I am safer")
    REASONS = "reasons", _("My reasons for living")


# The question under each step's heading, in the words of the planning
# conversation a clinician would have with them.
QUESTIONS = {
    Step.WARNING_SIGNS: _(
        "What thoughts, feelings, situations or behaviours tell you a crisis "
        "may be coming?"
    ),
    Step.COPING: _(
        "What can you do by yourself to take your mind off things or feel "
        "calmer, even a little?"
    ),
    Step.DISTRACTIONS: _(
        "Who could you be with, or where could you go, to feel a bit better "
        "without having to talk about how you feel?"
    ),
    Step.PEOPLE: _("Who could you ask for help, and how would you reach them?"),
    Step.PROFESSIONALS: _(
        "Which professionals or services could you contact in a crisis, day or night?"
    ),
    Step.SAFER_SPACE: _(
        "What could you do to make the place you are in safer, or who could "
        "help you do that?"
    ),
    Step.REASONS: _("What matters most to you and is worth living for?"),
}

# Words a step can hold: a few short lines, not an essay (the form says so).
STEP_MAX_LENGTH = 3000


class SafetyPlan(models.Model):
    """What a member chose about their plan: the one clinician it is shared
    with (in the pathway both belong to, which must still hold both for the
    share to count), and whether the installed app keeps it offline."""

    owner = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="safety_plan"
    )
    shared_with = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_in = models.ForeignKey(
        Pathway, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    keep_offline = models.BooleanField(default=False)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Safety plan {self.pk}"


class SafetyPlanStep(MemberContent):
    """The member's words for one step: one entry a line. Member text like
    any other (the one submission road), but a private plan: sanitised only,
    never judged for risk (a plan names risk on purpose), never held, never
    a case; no pathway's rules or moderators touch it, so it belongs to no
    pathway (the inherited pathway is always empty)."""

    pathway = models.ForeignKey(  # type: ignore[assignment]
        Pathway,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    step = models.CharField(max_length=24, choices=Step.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["author", "step"], name="one_safety_plan_step_each"
            )
        ]

    def __str__(self) -> str:
        return f"Safety plan step {self.step} of user {self.author_id}"

    @property
    def entries(self) -> list[str]:
        """The step's lines, blank ones left out."""
        return [line.strip() for line in self.body.splitlines() if line.strip()]


# Registered here, with the models: the app's `import_models` loads this
# module. Sanitise only (Screening.SANITISE_ONLY); no member reaches it
# through the shared access layer (reports, reactions): the wing's own
# permissions decide who reads a plan.
PLAN_KIND = register(
    SafetyPlanStep,
    name="safety_plan",
    label=_("safety plan step"),
    url=lambda step: reverse("community:safety_plan"),
    readable=lambda user, rows: rows.none(),
    screening=Screening.SANITISE_ONLY,
)
