"""Forums: a pathway has several; a topic opens with its first post (title and
body), replies follow, and members follow topics. Topics and replies are
MemberContent, so holding, reporting and moderation work for them as for
every other kind."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.search import index

from community.models import MemberContent, Pathway, User


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


# What search may filter on inside its query: the pathway and who may see it.
SEARCH_FILTERS = [
    index.FilterField("pathway_id"),
    index.FilterField("status"),
    index.FilterField("author_id"),
    index.FilterField("created_at"),
]


class Topic(index.Indexed, MemberContent):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=120)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    pinned = models.BooleanField(
        _("pinned"), default=False, help_text=_("Shown first in its forum.")
    )
    locked = models.BooleanField(
        _("locked"), default=False, help_text=_("No new replies.")
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    # When the first visible reply from someone other than the author was
    # written, by a member or carer and by the care team (peer supporter,
    # clinician, lead): the insights' response times read them instead of
    # every reply. Kept by forums.actions.refresh_first_replies on every
    # reply's save and delete (community/insights/upkeep.py).
    first_member_reply_at = models.DateTimeField(null=True, editable=False)
    first_staff_reply_at = models.DateTimeField(null=True, editable=False)

    search_fields = [
        index.SearchField("title", boost=2),
        index.SearchField("body"),
        *SEARCH_FILTERS,
    ]

    class Meta:
        ordering = ["-pinned", "-last_activity_at"]
        indexes = [
            models.Index(fields=["forum", "status", "last_activity_at"]),
            models.Index(fields=["pathway", "status", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class Reply(index.Indexed, MemberContent):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="replies")
    edited_at = models.DateTimeField(null=True, blank=True)

    search_fields = [index.SearchField("body"), *SEARCH_FILTERS]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["topic", "status", "created_at"]),
            # Insights: a pathway's replies in a period, and who wrote them,
            # from the index alone (community/insights/figures.py).
            models.Index(
                fields=["pathway", "created_at", "author"],
                name="reply_pathway_time_author",
            ),
        ]
        verbose_name_plural = "replies"


class TopicFollow(models.Model):
    """A member hears of new replies to a topic they follow."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "user"], name="follow_a_topic_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.topic}"
