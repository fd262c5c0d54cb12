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
