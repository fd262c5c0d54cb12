"""The risk phrases service leads add to their pathway's lexicon; the pipeline
reads them through lexicon_store.py. Leads edit them through the moderation
wing (community/moderation/labels.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import User


class RiskCategory(models.TextChoices):
    SUICIDE = "suicide", _("Suicide")
    SELF_HARM = "self_harm", _("Self-harm")
    HARM_TO_OTHERS = "harm_to_others", _("Harm to others")
    SAFEGUARDING = "safeguarding", _("Safeguarding (abuse, a child at risk)")
    SAFE = "safe", _("Not a risk: an everyday phrase")


class RiskPhrase(models.Model):
    """A phrase service leads add to risk detection without a deploy: a sign of
    risk in a category, or (category `safe`) an everyday phrase that must not
    alert. Matched on the same normalised text as the shipped lexicons."""

    language = models.CharField(max_length=8, default="en")
    category = models.CharField(max_length=16, choices=RiskCategory.choices)
    phrase = models.CharField(max_length=120)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["language", "category", "phrase"]
        constraints = [
            models.UniqueConstraint(
                fields=["language", "category", "phrase"], name="risk_phrase_once"
            )
        ]

    def __str__(self) -> str:
        return self.phrase
