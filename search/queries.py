"""Reads for the search page: what a reader may find, filtered inside the query.

Each kind (pages, forum topics, replies, wall messages) is searched by Wagtail's
search backend over a queryset that already carries the reader's rules as
filters on the model's FilterFields. The database backend (SQLite FTS5, or
PostgreSQL full-text search on PostgreSQL) runs that queryset's WHERE clause
in the same SQL statement as the full-text match, so another pathway's rows
are never read, ranked or counted (docs/decisions/0010-search.md).

In the search query, for member content, mirroring
`community.permissions.visible_content`:
- `pathway_id IN` the pathways searched that the reader may read
  (`visible_pathways`, read once a search, so the ids are in the statement:
  PostgreSQL then checks them on each row before anything costlier);
- `status` published, or `author_id` the reader's own while held or hidden by
  reports;
- `author_id NOT IN` the people the reader blocked or muted (subqueries);
- wall messages: `removed_by_owner_at IS NULL`.
For pages: live, in the reader's language, outside other pathways
(`home.permissions.pages_visible_to`), under the chosen pathway's landing
page when one is chosen.

What a search query cannot filter on (it is not a FilterField of the model,
and community/models is not this app's to change): the reader's mute words
(they match `body`), whether the wall's owner shows their wall to the reader
(`can_see_wall`), whether a reply's topic or a wall reply's message is still
visible. So the at most MAX_PER_KIND ranked ids of each kind are read once more
through `visible_content` itself plus those rules: that read decides what
shows, and the search query's mirror of it only keeps what is ranked, counted
and paged inside the reader's pathways.

At scale (docs/decisions/0022-search-at-scale.md) member content is not ranked
whole: a common word matches a good part of a million posts, and ranking means
reading every match's vectors. Each kind first finds when its newest
`recent_matches()` matches were written, without ranking (`search.recent`: a
walk down the `created_at` index for a common word, the full-text index for a
rare one), then ranks only the rows written at those times. When more matched
than that, the page says the results come from the most recent posts
(`Found.limited`). Both steps run over the same filtered queryset, so the
reader's rules hold on each.

A search runs a fixed few queries a kind (the newest matches, the ranked search,
the rows read again, and `visible_content`'s look-up of the reader's mute words;
for pages, the landing pages, other pathways' paths and one per page type for
`specific()`): the same however many rows match.
"""

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page
from wagtail.search.backends import get_search_backend

from community.forums.models import Reply, Topic
from community.models import (
    STAFF_ROLES,
    Audience,
    Block,
    ContentStatus,
    Membership,
    MembershipStatus,
    Pathway,
    User,
)
from community.models.silence import without_silenced
from community.permissions import visible_content, visible_pathways
from community.safety.registry import kind_named
from community.social.models import WallPost
from home.permissions import pages_visible_to

from .recent import newest_matches

MAX_QUERY_LENGTH = 200
# The most ranked hits read of each kind: the page shows a bounded, combined
# list, never an unbounded scan.
MAX_PER_KIND = 50
# How many of the newest matches of each kind of member content are ranked, by
# default (settings.HARBOUR_SEARCH_RECENT_MATCHES): ranking reads each match's
# vectors, so a common word would otherwise rank a good part of every post.
RECENT_MATCHES = 200
# Words searched at the most; more add nothing a reader needs.
MAX_TERMS = 12
EXCERPT_CHARS = 180

LABELS = {
    "page": _("Page"),
    "topic": _("Forum topic"),
    "reply": _("Reply"),
    "wall": _("Wall message"),
}


@dataclass(frozen=True)
class Hit:
    kind: str  # page, topic, reply, wall
    title: str
    url: str
    excerpt: str
    pathway: Pathway | None  # None for a site-wide page
    obj: Any

    @property
    def label(self) -> str:
        return str(LABELS[self.kind])

    @property
    def status(self) -> str:
        """The member content's status (the reader's own may be held)."""
        return getattr(self.obj, "status", ContentStatus.PUBLISHED)


@dataclass(frozen=True)
class Found:
    hits: list[Hit]
    # More member content matched than was ranked: the hits are the best of the
    # most recent matches (`recent_matches()` of a kind), not of every match.
    limited: bool = False


def recent_matches() -> int:
    """How many of the newest matches of each kind are ranked."""
    return int(getattr(settings, "HARBOUR_SEARCH_RECENT_MATCHES", RECENT_MATCHES))


def search_terms(query: str) -> list[str]:
    """The words of `query`, without the punctuation a full-text engine would
    read as syntax (quotes, stars, brackets), at most MAX_TERMS."""
    return re.findall(r"\w+", query)[:MAX_TERMS]


def my_pathways(user: User) -> list[Pathway]:
    """The pathways the reader may search (`visible_pathways`), by name. One
    query."""
    return list(visible_pathways(user).order_by("name"))


def search_everything(
    reader: User, query: str, pathways: list[Pathway], *, site_wide: bool, request=None
) -> Found:
    """What `reader` may find for `query` in `pathways` (some of
    `my_pathways`), plus site-wide pages when `site_wide`: the best
    MAX_PER_KIND of each kind, each kind in its own rank order, interleaved.
    Member content is ranked among its `recent_matches()` newest matches of
    each kind; `limited` says when older ones were left out."""
    terms = search_terms(query)
    if not terms:
        return Found([])
    text = " ".join(terms)
    by_kind = [_page_hits(reader, text, terms, pathways, site_wide, request)]
    limited = False
    if pathways:
        # Asked once: each kind's queries take the answer as a list, not the
        # question again as a subquery (its building cost each kind more
        # than its running).
        searched = set(granted(reader, pathways).values_list("pk", flat=True))
        allowed = [pathway for pathway in pathways if pathway.pk in searched]
        for kind in ("topic", "reply", "wall"):
            hits, cut = _member_hits(reader, kind, text, terms, allowed)
            by_kind.append(hits)
            limited |= cut
    mixed = []
    for rank in range(MAX_PER_KIND):
        mixed += [hits[rank] for hits in by_kind if rank < len(hits)]
    return Found(mixed, limited)


# Member content ----------------------------------------------------------------

MODELS = {"topic": Topic, "reply": Reply, "wall": WallPost}


def granted(reader: User, pathways) -> QuerySet[Pathway]:
    """Of `pathways`, those the reader may read (`visible_pathways`), as a
    subquery: a caller that passed another pathway still finds nothing of it."""
    return visible_pathways(reader).filter(pk__in=[p.pk for p in pathways])


def searchable_content(reader: User, model, pathway_ids: list[int]) -> QuerySet:
    """`model`'s rows in `pathway_ids` (from `granted`) the reader may find,
    as filters Wagtail's search can run inside its query (FilterFields only).
    Mirrors `visible_content` but for mute words; see the module docstring."""
    rows = model.objects.filter(pathway_id__in=pathway_ids).filter(
        Q(status=ContentStatus.PUBLISHED)
        | Q(
            author_id=reader.pk,
            status__in=[ContentStatus.HELD, ContentStatus.HIDDEN_BY_REPORTS],
        )
    )
    rows = without_silenced(rows, reader, "author_id")
    if model is WallPost:
        rows = rows.filter(removed_by_owner_at__isnull=True)
    return rows


def ranked_recent(
    reader: User, model, text: str, pathway_ids: list[int]
) -> tuple[list[int], bool]:
    """The ids of the best MAX_PER_KIND of `model`'s rows the reader may find
    for `text`, ranked among the newest `recent_matches()` matches only, and
    whether older matches were left unranked.

    Both steps search the same filtered queryset (`searchable_content`), so
    both keep to the reader's rules: first when the newest matches were
    written, not ranked (`search.recent`); then Wagtail's ranked search over
    the rows written at those times."""
    rows = searchable_content(reader, model, pathway_ids)
    cap = recent_matches()
    times = newest_matches(rows, text, cap + 1)
    if not times:
        return [], False
    # Rows written at the same instant as one of them are ranked too (and
    # kept only if they match): a few more than `cap` at most.
    rows = rows.filter(created_at__in=times[:cap])
    ranked = get_search_backend().search(text, rows, operator="and")[:MAX_PER_KIND]
    return list(ranked.get_queryset().values_list("pk", flat=True)), len(times) > cap


def _member_hits(
    reader: User, kind: str, text: str, terms, pathways: list[Pathway]
) -> tuple[list[Hit], bool]:
    """`kind`'s hits in `pathways` (those `granted` the reader)."""
    model = MODELS[kind]
    ranked, limited = ranked_recent(
        reader, model, text, [pathway.pk for pathway in pathways]
    )
    if not ranked:
        return [], limited
    rows = {row.pk: row for row in _readable(reader, model, pathways, ranked)}
    # Each row's pathway is one of `pathways`, already in hand: set, not read
    # again with every row.
    by_pk = {pathway.pk: pathway for pathway in pathways}
    for row in rows.values():
        row.pathway = by_pk[row.pathway_id]
        if kind == "reply":
            row.topic.pathway = by_pk[row.topic.pathway_id]
    content_kind = kind_named(kind)
    assert content_kind is not None  # noqa: S101 - MODELS are all registered
    url = content_kind.url
    hits = []
    for pk in ranked:
        row = rows.get(pk)
        if row is None:
            continue
        hits.append(
            Hit(
                kind=kind,
                title=_title(kind, row),
                url=url(row),
                excerpt=excerpt(row.body, terms),
                pathway=row.pathway,
                obj=row,
            )
        )
    return hits, limited


def _readable(reader: User, model, pathways: list[Pathway], ids) -> QuerySet:
    """Rows `ids` of `model` in `pathways` (those `granted` the reader) as the
    reader may read them on their own pages: through `visible_content` (mute
    words included) and what the search query could not check. One query for
    the rows, besides the mute words. What a hit shows comes with them (a
    reply's topic, a wall message's two people); their pathways are
    `pathways`' own, which `_member_hits` sets."""
    rows = visible_content(reader, model.objects.filter(pk__in=ids), pathways)
    if model is Reply:
        topics = visible_content(reader, Topic.objects.all(), pathways)
        rows = rows.filter(topic__in=topics).select_related("topic")
    elif model is WallPost:
        parents = visible_content(
            reader, WallPost.objects.filter(removed_by_owner_at=None), pathways
        )
        rows = (
            rows.filter(removed_by_owner_at=None)
            .filter(Q(parent=None) | Q(parent__in=parents))
            .filter(walls_open_to(reader))
            .select_related("owner", "author")
        )
    return rows


def walls_open_to(reader: User) -> Q:
    """Wall messages whose wall the reader may open, in one condition: their
    own wall; else an active owner who shares a pathway with the reader and has
    not blocked them (`access_profile`) and whose "who can see my wall" lets
    the reader in (`can_see_wall`: every member, or the care team of a pathway
    both are in)."""
    active = Membership.objects.filter(status=MembershipStatus.ACTIVE)
    shares_a_pathway = active.filter(
        user=OuterRef("owner"), pathway__in=visible_pathways(reader).values("pk")
    )
    reader_is_staff_in = active.filter(user=reader, role__in=STAFF_ROLES).values(
        "pathway"
    )
    in_their_care_team = active.filter(
        user=OuterRef("owner"), pathway__in=reader_is_staff_in
    )
    blocked_the_reader = Block.objects.filter(blocked=reader).values("blocker")
    return Q(owner=reader) | (
        Q(owner__is_active=True)
        & Q(Exists(shares_a_pathway))
        & ~Q(owner__in=blocked_the_reader)
        & (
            Q(owner__wall_audience=Audience.MEMBERS)
            | (Q(owner__wall_audience=Audience.STAFF) & Q(Exists(in_their_care_team)))
        )
    )


def _title(kind: str, row) -> str:
    if kind == "topic":
        return row.title
    if kind == "reply":
        return str(_("Reply in “%(topic)s”") % {"topic": row.topic.title})
    if row.owner_id == row.author_id:
        return str(_("%(name)s’s wall") % {"name": row.owner.display_name})
    return str(
        _("%(author)s on %(owner)s’s wall")
        % {"author": row.author.display_name, "owner": row.owner.display_name}
    )


# Pages --------------------------------------------------------------------------


def _page_hits(reader: User, text: str, terms, pathways, site_wide, request):
    """Live pages in the reader's language that they may open: site-wide ones
    (when `site_wide`) and those under the landing pages of `pathways`."""
    from home.models import PathwayPage

    landings = list(
        PathwayPage.objects.filter(pathway__in=pathways).select_related("pathway")
    )
    pages = pages_visible_to(
        reader, Page.objects.live().filter(depth__gt=1, locale=Locale.get_active())
    )
    if not site_wide:
        under = Q(pk__in=[])
        for landing in landings:
            under |= Q(path__startswith=landing.path)
        pages = pages.filter(under)
    ranked = pages.specific().search(text, operator="and")[:MAX_PER_KIND]
    hits = []
    for page in ranked:
        url = page.get_url(request)
        if not url:
            continue
        pathway = next(
            (lp.pathway for lp in landings if page.path.startswith(lp.path)), None
        )
        summary = (
            getattr(page, "introduction", "")
            or page.search_description
            or getattr(page, "transcript", "")
        )
        hits.append(
            Hit(
                kind="page",
                title=page.title,
                url=url,
                excerpt=excerpt(unescape(strip_tags(str(summary))), terms),
                pathway=pathway,
                obj=page,
            )
        )
    return hits


# Excerpts -----------------------------------------------------------------------


def excerpt(text: str, terms: list[str], size: int = EXCERPT_CHARS) -> str:
    """About `size` characters of `text` (plain text: the template escapes it)
    around the first of `terms` it contains, cut at spaces, with "…" where it
    was cut."""
    flat = " ".join((text or "").split())
    if len(flat) <= size:
        return flat
    lowered = flat.lower()
    found = [at for at in (lowered.find(t.lower()) for t in terms) if at >= 0]
    start = max(0, min(found, default=0) - size // 3)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < start + size // 3 else start
    end = start + size
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > start else end
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
