"""Which version of the terms of use and the privacy notice each person agreed
to, and when (UK GDPR accountability: a trust can show what a member was told).
The current versions are settings (HARBOUR_DOCUMENTS); community/web/consent.py
asks again when one changes."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import User


class Document(models.TextChoices):
    TERMS = "terms", _("Terms of use")
    PRIVACY = "privacy", _("Privacy notice")


class Consent(models.Model):
    """One person's agreement to one version of one document. Kept when the
    version changes (the new agreement is a new row)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(max_length=16, choices=Document.choices)
    version = models.CharField(max_length=32)
    accepted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "version"], name="one_consent_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} {self.version}"
