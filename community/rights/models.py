"""A member's copy of their data: one row per request, the zip it made and
when it goes. The file lives in Django's default storage (a private S3
bucket in production) under `exports/`, a path no public URL serves: only
`rights.views.download_export` reads it, for its owner."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.models import User


class ExportState(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready to download")
    FAILED = "failed", _("Could not be prepared")


def export_path(export: "DataExport", filename: str) -> str:
    # The row's random id names the file: nothing about the member in a key
    # a bucket listing or a log could show.
    return f"exports/{export.pk}.zip"


class DataExport(models.Model):
    """One request by a member for a copy of their data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=8, choices=ExportState.choices, default=ExportState.PENDING
    )
    file = models.FileField(upload_to=export_path, blank=True, max_length=200)
    size = models.PositiveBigIntegerField(default=0)
    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    ready_at = models.DateTimeField(null=True, blank=True)
    # Set when it is ready: retention removes the file (and the row) after it.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Data export {self.pk} ({self.state})"

    @property
    def is_ready(self) -> bool:
        return self.state == ExportState.READY and bool(self.file)
