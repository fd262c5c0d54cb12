"""Kinds of member content that the safety mechanism knows.

A kind (forum topic, reply, wall message, comment, chat message...) is a
MemberContent model that registers here once. Reports, the moderation queue,
risk alerts and the outcome notices then work for it with no more code.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Screening(StrEnum):
    """How much of the safety pipeline a kind's text goes through."""

    # Every step: sanitise, the pathway's rule packs, risk detection, the
    # pre-moderation decision; cases, alerts and holds follow the verdict.
    FULL = "full"
    # A private plan: sanitise only. For a member's own safety plan, which
    # names risk on purpose and is read by nobody but its author and the
    # clinician they share it with: made plain text and kept, never judged
    # against rule packs or for risk, never held, never a case or an alert
    # (docs/decisions/0029-safety-plan.md).
    SANITISE_ONLY = "sanitise_only"


@dataclass(frozen=True)
class ContentKind:
    name: str  # stable key used in URLs, e.g. "topic"
    model: type
    label: "StrOrPromise"  # shown to people, e.g. "forum topic"
    url: Callable[[Any], str]  # where a reader sees the content
    text: Callable[[Any], str]  # what moderators read
    # Database fields holding the author and the text, for filtering inside
    # queries (a kind built on a library's model may name them otherwise).
    author_field: str = "author"
    body_field: str = "body"
    # Called inside the transaction when content that was held is approved, so
    # the notices a published post sends (replies, mentions, presents) go then.
    published: Callable[[Any], None] | None = None
    # Called inside the transaction when a moderator's decision or reports
    # change how published content shows (hidden, edited out, restored), so
    # readers with it open can be told (e.g. a chat room).
    changed: Callable[[Any], None] | None = None
    # Narrows a queryset of this kind to what a reader may read beyond the
    # pathway rules (e.g. a support chat only its member and staff), for the
    # access layer's `access_content`.
    readable: Callable[[Any, Any], Any] | None = None
    # Whether a reader may read one piece of this kind found by `readable`,
    # for rules a query does not hold (e.g. who the owner lets see their wall).
    may_read: Callable[[Any, Any], bool] | None = None
    # How much of the pipeline its text takes (`Screening`); the submission
    # road reads it, so a kind says it once, here, where it is registered.
    screening: Screening = Screening.FULL


_KINDS: dict[str, ContentKind] = {}


def register(
    model: type,
    *,
    name: str,
    label: "StrOrPromise",
    url: Callable[[Any], str],
    text: Callable[[Any], str] | None = None,
    author_field: str = "author",
    body_field: str = "body",
    published: Callable[[Any], None] | None = None,
    changed: Callable[[Any], None] | None = None,
    readable: Callable[[Any, Any], Any] | None = None,
    may_read: Callable[[Any, Any], bool] | None = None,
    screening: Screening = Screening.FULL,
) -> ContentKind:
    """Register `model` as a kind of content. It has MemberContent's fields
    (pathway, status, risk_categories, original_body, edited_by_moderator) and
    `author` and `body` attributes; `author_field` and `body_field` name the
    database fields behind them when they differ. `published(obj)`, if given,
    runs when a moderator approves held content of this kind; `changed(obj)`,
    if given, whenever a decision or reports change how it shows;
    `readable(user, queryset)`, if given, narrows what a reader may read, and
    `may_read(user, obj)`, if given, decides for one piece the query found.
    `screening` is FULL for everything others may read; SANITISE_ONLY only
    for a private plan (the submission road then only sanitises it)."""
    kind = ContentKind(
        name=name,
        model=model,
        label=label,
        url=url,
        text=text or (lambda o: o.body),
        author_field=author_field,
        body_field=body_field,
        published=published,
        changed=changed,
        readable=readable,
        may_read=may_read,
        screening=screening,
    )
    _KINDS[name] = kind
    return kind


def kind_named(name: str) -> ContentKind | None:
    return _KINDS.get(name)


def kind_for_model(model: type) -> ContentKind | None:
    for kind in _KINDS.values():
        if issubclass(model, kind.model):
            return kind
    return None


def kind_of(obj) -> ContentKind:
    for kind in _KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    raise LookupError(f"{type(obj).__name__} is not a registered content kind")


def registered_kinds() -> list[ContentKind]:
    return list(_KINDS.values())
