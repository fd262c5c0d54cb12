"""Timelines: what is new in a pathway (new topics, blogs, videos, wall
messages, milestones and presents), and a member's home feed across all their
pathways, newest first, paged by cursor.

Each source is one query with the reader's visibility applied inside it
(community.permissions), cut to one page past the cursor; the sources are then
merged. So a page costs the same few queries however long the timeline is,
and a new post never shifts what the next page shows, as offsets would.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import Q

from community.forums.models import Topic
from community.inputs import whole_number
from community.models import Audience, Pathway, User
from community.permissions import visible_content
from community.social.models import Present, WallPost

PAGE_SIZE = 20

# More sources of entries, registered by the apps that own them (home adds
# blog posts and videos: home.timeline), so this wing imports none of them.
# Each is called as source(reader, pathways, cursor, size) and returns up to
# size + 1 entries older than the cursor that the reader may see.
_sources: list[Callable[..., list["Entry"]]] = []


def register_source(source: Callable[..., list["Entry"]]) -> None:
    """Add `source` to every timeline (once; at app start-up)."""
    if source not in _sources:
        _sources.append(source)


# Ties on the same instant are broken by source, then by id, so the order is
# total and a cursor never skips or repeats an entry.
TOPIC, WALL, PRESENT, PAGE = 1, 2, 3, 4
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_MICROS = (datetime(9999, 1, 1, tzinfo=UTC) - EPOCH) // timedelta(microseconds=1)


@dataclass(frozen=True)
class Entry:
    kind: str  # topic, wall, milestone, present, blog, video
    at: datetime
    obj: Any
    pathway: Pathway | None
    key: tuple[int, int, int]  # (microseconds since the epoch, source, id)

    @property
    def cursor(self) -> str:
        return "_".join(str(part) for part in self.key)


def parse_cursor(raw: str | None) -> tuple[int, int, int] | None:
    """The position a `?before=` cursor names; None (the newest) when it is
    missing or malformed."""
    parts = [whole_number(part) for part in (raw or "").split("_")]
    if len(parts) != 3:
        return None
    stamp, source, pk = parts
    if stamp is None or source is None or pk is None or stamp >= MAX_MICROS:
        return None
    return stamp, source, pk


def older_than(cursor, source: int, field: str) -> Q:
    """Rows of `source` strictly after `cursor` in newest-first order (for a
    registered source's query too)."""
    if cursor is None:
        return Q()
    stamp, at_source, pk = cursor
    moment = EPOCH + timedelta(microseconds=stamp)
    if source < at_source:
        return Q(**{f"{field}__lte": moment})
    if source > at_source:
        return Q(**{f"{field}__lt": moment})
    return Q(**{f"{field}__lt": moment}) | Q(**{field: moment, "pk__lt": pk})


def _open_walls(reader: User, field: str) -> Q:
    # Wall messages and presents reach timelines only from walls their owner
    # shows to every member (or the reader's own wall).
    return Q(**{f"{field}__wall_audience": Audience.MEMBERS}) | Q(**{field: reader})


def entries(reader: User, pathways, before: str | None = None, size: int = PAGE_SIZE):
    """Up to `size` entries the reader may see in `pathways` (already granted
    by the access layer), older than the `before` cursor. Returns (entries,
    next cursor or None)."""
    pathways = list(pathways)
    cursor = parse_cursor(before)
    found: list[Entry] = []

    topics = (
        visible_content(reader, Topic.objects.all(), pathways)
        .filter(older_than(cursor, TOPIC, "created_at"))
        .select_related("author", "forum", "pathway")
        .order_by("-created_at", "-pk")[: size + 1]
    )
    found += [
        Entry("topic", t.created_at, t, t.pathway, entry_key(t.created_at, TOPIC, t.pk))
        for t in topics
    ]

    wall = (
        visible_content(
            reader,
            WallPost.objects.filter(parent=None, removed_by_owner_at=None),
            pathways,
        )
        .filter(_open_walls(reader, "owner"))
        .filter(older_than(cursor, WALL, "created_at"))
        .select_related("author", "owner", "pathway")
        .order_by("-created_at", "-pk")[: size + 1]
    )
    found += [
        Entry(
            "milestone" if w.milestone else "wall",
            w.created_at,
            w,
            w.pathway,
            entry_key(w.created_at, WALL, w.pk),
        )
        for w in wall
    ]

    presents = (
        visible_content(reader, Present.objects.all(), pathways)
        .filter(_open_walls(reader, "recipient"))
        .filter(older_than(cursor, PRESENT, "created_at"))
        .select_related("author", "recipient", "gift", "gift__image", "pathway")
        .order_by("-created_at", "-pk")[: size + 1]
    )
    found += [
        Entry(
            "present",
            p.created_at,
            p,
            p.pathway,
            entry_key(p.created_at, PRESENT, p.pk),
        )
        for p in presents
    ]

    for source in _sources:
        found += source(reader, pathways, cursor, size)

    found.sort(key=lambda entry: entry.key, reverse=True)
    page = found[:size]
    more = len(found) > size
    return page, (page[-1].cursor if more and page else None)


def entry_key(at: datetime, source: int, pk: int) -> tuple[int, int, int]:
    # Whole microseconds, so the cursor names an instant exactly.
    return ((at - EPOCH) // timedelta(microseconds=1), source, pk)
