"""The newest matches of one kind of member content, found without ranking them.

Ranking a full-text match reads every matching row's vectors, so a common word in
a million posts cannot be ranked whole (docs/decisions/0022-search-at-scale.md).
`newest_matches` says when the newest few matches of a queryset were written, in
a time that does not grow with how many rows match; `search.queries` then ranks
only those.

On PostgreSQL it runs one of two plans, by how common the words are (the
planner's own estimate of the full-text index rows they match, from the index's
statistics):

- a common word walks the rows newest first down the `created_at` index and
  looks up each one's index entry, stopping once it has enough;
- a rare word reads its few index entries through the full-text (GIN) index,
  reaches the rows by primary key, and sorts them by `created_at`.

PostgreSQL cannot choose between them well by itself through Wagtail's own
query: the search index joins the rows on `object_id = id::varchar`, which keeps
a rare word from reaching the rows by primary key (it read every row of the
reader's pathways instead), and the planner takes the content type filter on the
index table as independent of that join, so it expects a common word to match
up to twelve times fewer rows than it does and sorts every match rather than
walk. Elsewhere (SQLite, the embedded default, with small data) the backend's
own search ordered by `created_at` does it.

Either way only rows of the queryset are read: its filters (the reader's rules)
are in the same statement.
"""

import json
import time
from datetime import datetime

from django.contrib.postgres.search import SearchVectorField
from django.db import connection
from django.db.models import (
    BigIntegerField,
    CharField,
    F,
    Model,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast
from wagtail.search.backends import get_search_backend
from wagtail.search.utils import get_content_type_pk


def newest_matches(rows: QuerySet, text: str, limit: int) -> list[datetime]:
    """`created_at` of the newest `limit` rows of `rows` (an indexed model with
    a `created_at` FilterField) matching every word of `text`, newest first."""
    backend = get_search_backend()
    rows = rows.order_by("-created_at")
    results = backend.search(text, rows, operator="and", order_by_relevance=False)
    if connection.vendor != "postgresql":
        found = results[:limit].get_queryset()
        return list(found.values_list("created_at", flat=True))
    # The same full-text condition Wagtail's PostgreSQL search puts in its
    # query, on the index table alone: (title || body) @@ the words, which the
    # GIN index of search/migrations/0001 serves.
    compiler = results.query_compiler
    words = compiler.build_tsquery(compiler.query, config=compiler.get_config(backend))
    entries = backend.get_index_for_model(rows.model).entries.filter(
        content_type_id=get_content_type_pk(rows.model)
    )
    matching = entries.alias(
        _vector_=CombinedExpression(
            F("title"), "||", F("body"), output_field=SearchVectorField()
        )
    ).filter(_vector_=words)
    if walk_is_cheaper(rows.model, entries, matching, limit):
        # A scalar subquery, not a join: the planner keeps it a per-row check
        # and walks `created_at` down, stopping at `limit`.
        entry = matching.filter(
            object_id=Cast(OuterRef("pk"), CharField(max_length=50))
        ).values("pk")[:1]
        found = rows.alias(_entry=Subquery(entry)).filter(_entry__isnull=False)
    else:
        ids = matching.values(_id=Cast("object_id", BigIntegerField()))
        found = rows.filter(pk__in=ids)
    return list(found.values_list("created_at", flat=True)[:limit])


def walk_is_cheaper(
    model: type[Model], entries: QuerySet, matching: QuerySet, limit: int
) -> bool:
    """Whether walking the rows newest first reads fewer rows than the
    full-text index would hand back: with `n` rows of the kind, `m` of them
    matching, the walk reads about `limit * n / m` rows before it has `limit`
    matches, the index `m`. Both counts are the planner's estimates (EXPLAIN:
    no row is read)."""
    n, m = kind_size(model, entries), estimated_rows(matching)
    return m * m > limit * n


# The planner's estimate of each kind's index entries, kept a while per
# process: it moves slowly and only chooses a plan (never which rows are
# found), and asking cost an EXPLAIN per kind per search.
KIND_SIZE_SECONDS = 600
_kind_sizes: dict[str, tuple[float, float]] = {}


def kind_size(model: type[Model], entries: QuerySet) -> float:
    """`estimated_rows(entries)`, `model`'s index entries, asked again after
    KIND_SIZE_SECONDS."""
    key = f"{connection.settings_dict['NAME']}:{model._meta.label}"
    now = time.monotonic()
    kept = _kind_sizes.get(key)
    if kept is None or kept[1] <= now:
        kept = (estimated_rows(entries), now + KIND_SIZE_SECONDS)
        _kind_sizes[key] = kept
    return kept[0]


def estimated_rows(queryset: QuerySet) -> float:
    """How many rows PostgreSQL's planner expects `queryset` to return."""
    plan = json.loads(queryset.explain(format="json"))
    return float(plan[0]["Plan"]["Plan Rows"])
