"""What every kind of member content shares: its status on the way through the
safety pipeline (MemberContent, abstract) and its edit history
(ContentRevision). Each wing's content models (forum topics and replies, wall
messages, presents, profile text) inherit MemberContent, so holding,
reporting and moderation work for them alike."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Pathway, User


class ContentStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    HELD = "held", _("Waiting for a moderator")
    HIDDEN_BY_REPORTS = "reported", _("Hidden while a moderator looks at reports")
    HIDDEN = "hidden", _("Hidden by a moderator")


class MemberContent(models.Model):
    """What every kind of member-written content shares. A kind subclasses this
    and registers with community.safety.registry; the safety pipeline, reports
    and the moderation queue then work for it without more code."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    body = models.TextField()
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    risk_categories = models.JSONField(default=list, blank=True)
    # Kept when a moderator edits text out, for the clinical record; shown only
    # to the pathway's moderators.
    original_body = models.TextField(blank=True)
    edited_by_moderator = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        abstract = True

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED


class ContentRevision(models.Model):
    """The text a piece of content had before its author edited it. Shown to
    the pathway's moderators only."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    content_kind = models.CharField(max_length=24)
    object_id = models.PositiveBigIntegerField()
    title = models.CharField(max_length=120, blank=True)
    body = models.TextField()
    replaced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-replaced_at"]
        indexes = [models.Index(fields=["content_kind", "object_id"])]

    def __str__(self) -> str:
        return f"Earlier text of {self.content_kind} {self.object_id}"
