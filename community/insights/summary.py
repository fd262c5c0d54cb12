"""Keeping the insights' summaries (community/insights/models.py) right:
each person's posts in a pathway on a London day and their latest post, and
a pathway's posts of each kind in each hour. Moved by one row at write time
(`add_written`, one statement on PostgreSQL; `take_written`) or counted
again from the content tables (`rebuild`, set-based: the migrations'
backfill and the `repair_insights` command).

What is counted is what the activity figures count (figures._sources):
every row of each kind, whatever became of it; a row deleted is no longer
counted. A chat message's kind is its room's: `kind_of` says so of one row
in Python (the write path, with no query when the room is at hand),
`kind_sql` of many in SQL (the rebuild and the figures' edges); a test
holds the two to one answer. The kinds are found here, the comment through
the safety registry, so this wing imports no page code."""

from datetime import UTC, date, datetime
from typing import cast

from django.db import connection, transaction
from django.db.models import Case, Count, F, Field, Max, Model, Value, When
from django.db.models.functions import TruncDate, TruncHour

from chat.models import Message, Room, RoomKind
from cms.db import prepared_cursor
from community.forums.models import Reply, Topic
from community.insights.hours import LONDON
from community.insights.models import AuthorDay, AuthorLatest, KindHour
from community.models import Pathway
from community.safety.registry import kind_named
from community.social.models import Present, WallPost

# The models written by people, each with its author field and its time.
BASE: dict[type[Model], tuple[str, str]] = {
    Topic: ("author", "created_at"),
    Reply: ("author", "created_at"),
    WallPost: ("author", "created_at"),
    Present: ("author", "created_at"),
    Message: ("author", "created_at"),  # chat and support messages alike
}
KIND_NAMES: dict[type[Model], str] = {
    Topic: "topic",
    Reply: "reply",
    WallPost: "wall",
    Present: "present",
}


def counted() -> dict[type[Model], tuple[str, str]]:
    """Every counted model: (author field, time field). The comment's model
    is registered by its app when it is ready, so it is looked up each time
    (a dictionary read), never cached missing."""
    found = dict(BASE)
    comment = kind_named("comment")
    if comment is not None:
        found[comment.model] = (comment.author_field, "submit_date")
    return found


def spec_of(model: type[Model]) -> tuple[str, str] | None:
    """(author field, time field) of a counted model, else None."""
    return BASE.get(model) or counted().get(model)


def day_of(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def hour_of(moment: datetime) -> datetime:
    """The UTC hour `moment` falls in (London's offsets are whole hours, so
    it is one London hour too)."""
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def kind_of(model: type[Model], instance: Model) -> str:
    """The activity figures' kind (figures.KINDS) of a counted row. A chat
    message's is its room's: "support" in a support conversation."""
    if isinstance(instance, Message):
        room = instance._state.fields_cache.get("room")
        kind = (
            room.kind
            if room is not None
            else (
                Room.objects.filter(pk=instance.room_id)
                .values_list("kind", flat=True)
                .first()
            )
        )
        return "support" if kind == RoomKind.SUPPORT else "chat"
    return KIND_NAMES.get(model, "comment")


Statement = tuple[str, list]


def _upsert(summary: type[Model], key: dict, n: int) -> Statement:
    """The upsert that adds `n` (> 0) to the count of `summary`'s row at
    `key`: INSERT ... ON CONFLICT on the key's unique columns (PostgreSQL
    and SQLite alike), so two first posts at once cannot both insert."""
    quote = connection.ops.quote_name
    table = quote(summary._meta.db_table)
    fields = [cast(Field, summary._meta.get_field(name)) for name in key]
    names = ", ".join(quote(cast(str, field.column)) for field in fields)
    values = [
        field.get_db_prep_save(v, connection)
        for field, v in zip(fields, key.values(), strict=True)
    ]
    return (
        f"INSERT INTO {table} ({names}, posts) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * (len(fields) + 1))}) ON CONFLICT ({names}) "
        f"DO UPDATE SET posts = {table}.posts + EXCLUDED.posts",
        [*values, n],
    )


def _latest(pathway_id: int, author_id: int, at: datetime) -> Statement:
    """The upsert that makes `at` the author's latest post in the pathway
    unless a later one is known."""
    table = connection.ops.quote_name(AuthorLatest._meta.db_table)
    return (
        f"INSERT INTO {table} (pathway_id, author_id, last_at) "  # noqa: S608 - names from the model
        f"VALUES (%s, %s, %s) ON CONFLICT (pathway_id, author_id) DO UPDATE "
        f"SET last_at = CASE WHEN EXCLUDED.last_at > {table}.last_at "
        f"THEN EXCLUDED.last_at ELSE {table}.last_at END",
        [pathway_id, author_id, connection.ops.adapt_datetimefield_value(at)],
    )


def _run_together(statements: list[Statement]) -> None:
    """Run `statements` (each writing another table) on the writer's
    connection: on PostgreSQL as one statement, the others as data-modifying
    WITH clauses of the last (one round trip on a message's hot path); one by
    one on SQLite, which has no such clauses."""
    with prepared_cursor() as cursor:
        if connection.vendor != "postgresql" or len(statements) == 1:
            for sql, params in statements:
                cursor.execute(sql, params)
            return
        *before, (last, last_params) = statements
        clauses = ", ".join(f"s{i} AS ({sql})" for i, (sql, _p) in enumerate(before))
        params = [p for _sql, part in before for p in part] + last_params
        cursor.execute(f"WITH {clauses} {last}", params)


def _take(summary: type[Model], key: dict, n: int) -> None:
    """Take `n` from the count of `summary`'s row at `key`, never below
    nought (a row that would is deleted), so a summary that had drifted
    cannot make a member's post fail: `repair_insights` puts it right."""
    rows = summary._default_manager.filter(**key)
    rows.filter(posts__lte=n).delete()
    rows.update(posts=F("posts") - n)


def add_written(
    pathway_id: int | None, author_id: int | None, kind: str, at: datetime
) -> None:
    """One row of `kind` written at `at`: one more in its person-day and in
    its pathway's kind-hour, and perhaps its author's latest post."""
    if pathway_id is None:
        return
    statements = [
        _upsert(
            KindHour, {"pathway_id": pathway_id, "hour": hour_of(at), "kind": kind}, 1
        )
    ]
    if author_id is not None:
        key = {"pathway_id": pathway_id, "day": day_of(at), "author_id": author_id}
        statements += [_upsert(AuthorDay, key, 1), _latest(pathway_id, author_id, at)]
    _run_together(statements)


def take_written(
    pathway_id: int | None, author_id: int | None, kind: str, at: datetime
) -> None:
    """`add_written` undone: a row deleted or moved away."""
    if pathway_id is None:
        return
    _take(KindHour, {"pathway_id": pathway_id, "hour": hour_of(at), "kind": kind}, 1)
    if author_id is not None:
        key = {"pathway_id": pathway_id, "day": day_of(at), "author_id": author_id}
        _take(AuthorDay, key, 1)
        forget_post(pathway_id, author_id, at)


def forget_post(pathway_id: int | None, author_id: int | None, at: datetime) -> None:
    """A post of `author` in `pathway` at `at` is gone (deleted or moved):
    when it may have been their latest, their latest is found again from
    every kind's rows (one query a kind, by the author's index)."""
    if pathway_id is None or author_id is None:
        return
    known = AuthorLatest.objects.filter(pathway_id=pathway_id, author_id=author_id)
    if not known.filter(last_at__lte=at).exists():
        return
    times = [
        model._default_manager.filter(
            pathway_id=pathway_id, **{author: author_id}
        ).aggregate(t=Max(when))["t"]
        for model, (author, when) in counted().items()
    ]
    latest = max((t for t in times if t is not None), default=None)
    if latest is None:
        known.delete()
    else:
        known.update(last_at=latest)


def _union_of_kinds(pathway, tables, shape) -> tuple[str, list]:
    """One UNION ALL, over every counted kind whose table exists, of
    `shape(model, rows, author, when)`'s compiled SQL (the querysets' own), for
    `pathway` (every pathway's when None); ("", []) when no kind has a table
    yet (a fresh database migrating)."""
    parts: list[str] = []
    params: list = []
    for model, (author, when) in counted().items():
        if model._meta.db_table not in tables:
            continue
        rows = model._default_manager.filter(pathway__isnull=False).order_by()
        if pathway is not None:
            rows = rows.filter(pathway=pathway)
        sql, part_params = shape(model, rows, author, when).query.sql_with_params()
        parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")  # noqa: S608
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


def _refill(summary, pathway, union: str, params: list, insert: str) -> int:
    """Delete `pathway`'s rows of `summary` (every pathway's when None), then
    `insert` (an INSERT ... SELECT reading `{table}` and `{union}`) them
    again; the number of rows written."""
    gone = summary.objects.all()
    if pathway is not None:
        gone = gone.filter(pathway=pathway)
    gone.delete()
    if not union:
        return 0
    table = connection.ops.quote_name(summary._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(insert.format(table=table, union=union), params)
        return cursor.rowcount


def kind_sql(model: type[Model]):
    """`kind_of` as an expression over `model`'s rows (the rebuild's and the
    activity figures' one statement of the rule in SQL)."""
    if model is Message:
        return Case(
            When(room__kind=RoomKind.SUPPORT, then=Value("support")),
            default=Value("chat"),
        )
    return Value(KIND_NAMES.get(model, "comment"))


def rebuild(pathway: Pathway | None = None) -> int:
    """Count `pathway`'s summaries again (every pathway's when None) from
    the content tables, replacing what they held, in one transaction: for
    each summary one INSERT ... SELECT over a UNION ALL of each kind's rows
    grouped by pathway and by London day and author, author, or hour and
    kind. Returns the number of person-day rows written."""
    tables = set(connection.introspection.table_names())
    days, day_params = _union_of_kinds(
        pathway,
        tables,
        lambda _model, rows, author, when: (
            rows.annotate(p=F("pathway"), d=TruncDate(when, tzinfo=LONDON), a=F(author))
            .values("p", "d", "a")
            .annotate(n=Count("*"))
            .values_list("p", "d", "a", "n")
        ),
    )
    latest, latest_params = _union_of_kinds(
        pathway,
        tables,
        lambda _model, rows, author, when: (
            rows.annotate(p=F("pathway"), a=F(author))
            .values("p", "a")
            .annotate(t=Max(when))
            .values_list("p", "a", "t")
        ),
    )
    hours, hour_params = _union_of_kinds(
        pathway,
        tables,
        lambda model, rows, _author, when: (
            rows.annotate(
                p=F("pathway"), h=TruncHour(when, tzinfo=UTC), k=kind_sql(model)
            )
            .values("p", "h", "k")
            .annotate(n=Count("*"))
            .values_list("p", "h", "k", "n")
        ),
    )
    with transaction.atomic():
        if KindHour._meta.db_table in tables:  # not yet while 0025 migrates
            _refill(
                KindHour,
                pathway,
                hours,
                hour_params,
                "INSERT INTO {table} (pathway_id, hour, kind, posts) "
                "SELECT p, h, k, SUM(n) FROM ({union}) AS u GROUP BY p, h, k",
            )
        _refill(
            AuthorLatest,
            pathway,
            latest,
            latest_params,
            "INSERT INTO {table} (pathway_id, author_id, last_at) "
            "SELECT p, a, MAX(t) FROM ({union}) AS u WHERE a IS NOT NULL "
            "GROUP BY p, a",
        )
        return _refill(
            AuthorDay,
            pathway,
            days,
            day_params,
            "INSERT INTO {table} (pathway_id, day, author_id, posts) "
            "SELECT p, d, a, SUM(n) FROM ({union}) AS u WHERE a IS NOT NULL "
            "GROUP BY p, d, a",
        )
