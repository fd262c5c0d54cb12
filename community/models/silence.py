"""Blocks, mutes and mute words; and blocks and mutes as a reader's filter,
the one rule "what the people a member blocked or muted write, that member
does not see, and those people's doings are not announced to them".

Every reader-facing query (pages and comments, timelines, search, chat's
backlog and socket filter, notices and their deliveries) applies it here,
inside its own query, so the rule cannot drift between them.
"""

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from .people import User


class Block(models.Model):
    """`blocker` no longer hears from `blocked`: no messages, wall posts,
    presents, and `blocked` cannot see `blocker`'s profile."""

    blocker = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    blocked = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once")
        ]

    def __str__(self) -> str:
        return f"{self.blocker_id} blocked {self.blocked_id}"


class Mute(models.Model):
    """`muter` does not see what `muted` writes; `muted` is not told."""

    muter = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    muted = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["muter", "muted"], name="mute_once")
        ]

    def __str__(self) -> str:
        return f"{self.muter_id} muted {self.muted_id}"


class MuteWord(models.Model):
    """A word or phrase a member would rather not see; content containing it is
    left out of what they read."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="mute_words")
    word = models.CharField(max_length=60)

    class Meta:
        ordering = ["word"]
        constraints = [
            models.UniqueConstraint(fields=["user", "word"], name="mute_word_once")
        ]

    def __str__(self) -> str:
        return self.word


def silencing(reader=None, author=None) -> tuple[QuerySet[Block], QuerySet[Mute]]:
    """The blocks and the mutes by which `reader` silenced `author`. Each side
    is a person, a pk or an expression (`OuterRef("user")`); a side left out
    stands for anyone."""
    blocks, mutes = Block.objects.all(), Mute.objects.all()
    if reader is not None:
        blocks, mutes = blocks.filter(blocker=reader), mutes.filter(muter=reader)
    if author is not None:
        blocks, mutes = blocks.filter(blocked=author), mutes.filter(muted=author)
    return blocks, mutes


def without_silenced(queryset: QuerySet, reader, field: str = "author") -> QuerySet:
    """`queryset` without the rows whose `field` (a person) `reader` blocked
    or muted, as two subqueries of the same query."""
    blocks, mutes = silencing(reader=reader)
    return queryset.exclude(**{f"{field}__in": blocks.values("blocked")}).exclude(
        **{f"{field}__in": mutes.values("muted")}
    )


def without_silencers(queryset: QuerySet, author, field: str = "pk") -> QuerySet:
    """`queryset` (people, by `field`) without those who blocked or muted
    `author`: they hear nothing of what `author` does."""
    blocks, mutes = silencing(author=author)
    return queryset.exclude(**{f"{field}__in": blocks.values("blocker")}).exclude(
        **{f"{field}__in": mutes.values("muter")}
    )
