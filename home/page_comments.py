"""The comment model: kept apart from the page types so the comment rules
(home.comments) read it without importing the pages that show them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_comments_xtd.models import XtdComment

from community.models import ContentStatus, Pathway


class PageComment(XtdComment):
    """A member's comment on a blog post or video: django-comments-xtd's
    threading (two levels) and follow-up flag, with the safety fields every
    kind of member content carries. Written only through
    home.comments.do_comment, which runs the safety pipeline."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        max_length=16, choices=ContentStatus.choices, default=ContentStatus.PUBLISHED
    )
    risk_categories = models.JSONField(default=list, blank=True)
    original_body = models.TextField(blank=True)
    edited_by_moderator = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("comment")

    def save(self, *args, **kwargs):
        # xtd hides a comment (and its replies) by is_public; keep it in step.
        self.is_public = self.status == ContentStatus.PUBLISHED
        super().save(*args, **kwargs)

    # The names the safety mechanism uses for every kind of content.
    @property
    def author(self):
        return self.user

    @author.setter
    def author(self, user):
        self.user = user

    @property
    def body(self) -> str:
        return self.comment

    @body.setter
    def body(self, text: str) -> None:
        self.comment = text

    @property
    def created_at(self):
        return self.submit_date

    @property
    def is_published(self) -> bool:
        return self.status == ContentStatus.PUBLISHED
