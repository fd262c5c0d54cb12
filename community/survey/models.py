"""The survey's rows: an answer (a score, never words), its optional comment
(member text, a registered content kind, so it takes the one submission road)
and, per person, when they were last asked and whether they said "Don't ask
me again"."""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import MemberContent, Pathway, User
from community.moderation.models import ModerationCase
from community.safety.registry import register

QUESTION = _("Has Harbour helped your recovery?")


class Agreement(models.IntegerChoices):
    """The five-point scale; 4 and 5 count as agreeing."""

    STRONGLY_DISAGREE = 1, _("Strongly disagree")
    DISAGREE = 2, _("Disagree")
    NEITHER = 3, _("Neither agree nor disagree")
    AGREE = 4, _("Agree")
    STRONGLY_AGREE = 5, _("Strongly agree")


AGREEING = (Agreement.AGREE, Agreement.STRONGLY_AGREE)


class SurveyAnswer(models.Model):
    """One answer, counted for the pathway the member answered in. It holds
    no words: a comment is a `SurveyComment` beside it, so moderating or
    removing the comment never changes the figures."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="survey_answers"
    )
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(choices=Agreement.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["pathway", "answered_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5),
                name="survey_score_on_the_scale",
            )
        ]

    def __str__(self) -> str:
        return f"Survey answer {self.pk} in {self.pathway}"

    @property
    def agrees(self) -> bool:
        return self.score in AGREEING


class SurveyComment(MemberContent):
    """The optional words beside an answer: member text like any post (judged
    by the safety pipeline, held, raising risk alerts, reportable to no one
    but moderators: nobody else reads it)."""

    answer = models.OneToOneField(
        SurveyAnswer, on_delete=models.CASCADE, related_name="comment"
    )

    def __str__(self) -> str:
        return f"Survey comment {self.pk} in {self.pathway}"


class SurveyPrompt(models.Model):
    """When the person was last asked (answered, or "Not now"), and whether
    they asked never to be asked again. One row per person: a person in two
    pathways is asked once every period, wherever they are."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="survey_prompt"
    )
    last_asked_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Survey prompt of user {self.user_id}"


def _comment_url(comment: SurveyComment) -> str:
    """A comment has no page of its own (nobody reads it in one): "open it"
    leads staff to its moderation case, or to the pathway's queue."""
    slug = comment.pathway.slug
    case = (
        ModerationCase.objects.filter(
            content_type=ContentType.objects.get_for_model(SurveyComment),
            object_id=comment.pk,
        )
        .values_list("pk", flat=True)
        .first()
    )
    if case is None:
        return reverse("community:queue", kwargs={"slug": slug})
    return reverse("community:case", kwargs={"slug": slug, "pk": case})


# Registered here, with the models: the app's `import_models` loads this
# module, and the composition root (community/apps.py) is not this wing's.
register(
    SurveyComment,
    name="survey",
    label=_("survey comment"),
    url=_comment_url,
    # No member reads, reacts to, reports or edits it through the access
    # layer (its author included): moderators open it from its case only.
    readable=lambda user, rows: rows.none(),
)
