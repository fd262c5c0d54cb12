"""Forums: the first kind of member content to join the safety pipeline.

A pathway has several forums; a topic opens with its first post (title and
body) and replies follow. Both are MemberContent, so holding, reporting and
moderation work for them as for every other kind.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Pathway
from .safety import MemberContent


class Forum(models.Model):
    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="forums"
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=80)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "slug"], name="forum_slug_per_pathway"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Topic(MemberContent):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=120)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["forum", "status", "last_activity_at"])]

    def __str__(self) -> str:
        return self.title


class Reply(MemberContent):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["topic", "status", "created_at"])]
        verbose_name_plural = "replies"
