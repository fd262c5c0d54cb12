"""The insights' own summary: how many posts and messages each person wrote
in a pathway on each London day (every kind the figures count: topics,
replies, comments, wall messages, presents, chat and support messages).

Kept at write time by the receivers in `community/insights/upkeep.py` and
rebuilt by `summary.rebuild` (the migration's backfill and the
`repair_insights` command). It holds no words, only counts; "active in the
last 7 and 30 days" reads it instead of every post
(docs/decisions/0026-insights.md)."""

from django.db import models

from community.models import Pathway, User


class AuthorDay(models.Model):
    """`posts` written by `author` in `pathway` on the London `day`, whatever
    became of them (as the activity figures count them). A row with no
    posts left is deleted."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    posts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index the figures read: one pathway's days, with the
            # author in it so "who was active" is read from the index alone.
            models.UniqueConstraint(
                fields=["pathway", "day", "author"], name="insights_author_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posts} on {self.day}"


class AuthorLatest(models.Model):
    """When `author` last wrote anything in `pathway` (every counted kind,
    whatever became of it). "Active in the last 30 days" of a period that
    ends now is then one read of the memberships beside this, instead of
    every person-day of the 30 days."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    last_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "author"], name="insights_author_latest"
            )
        ]
        indexes = [models.Index(fields=["pathway", "last_at"])]

    def __str__(self) -> str:
        return f"last wrote {self.last_at:%Y-%m-%d}"


class KindHour(models.Model):
    """`posts` of one `kind` (figures.KINDS: topic, reply, comment, wall,
    present, chat, support) written in `pathway` in the hour starting at
    `hour` (UTC, on the hour; London's offsets are whole hours, so each is
    one London hour too), whatever became of them. The activity figures
    and their out-of-hours share read these instead of every post of the
    period. A row with no posts left is deleted."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()
    kind = models.CharField(max_length=10)
    posts = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index the figures read: one pathway's hours.
            models.UniqueConstraint(
                fields=["pathway", "hour", "kind"], name="insights_kind_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.posts} {self.kind} at {self.hour:%Y-%m-%d %H:00}"
