"""The aggregate figures of one pathway for one period, computed from the
real data by aggregate queries (counts grouped in the database; only the
times a median needs come back as rows, never a member's text or name).

What is counted, in plain words (the page says the same):
- members: active memberships today that had begun by the period's end, by
  role; "new" began within the period; "active" wrote anything (a topic, a
  reply, a comment, a wall message, a present, a chat or support message)
  in the 7 or 30 days up to the period's end;
- activity: everything written in the pathway in the period, whatever became
  of it (kept by the hour in `KindHour`), by kind, and how much of it came
  out of office hours (hours.py);
- response: of the topics opened in the period, how long until the first
  reply from someone else, split by who replied first among members and
  carers ("other members") and the care team (peer supporters, clinicians,
  leads: "staff"); topics still without a reply from anyone else;
- support conversations asked for in the period and how long each waited to
  be picked up;
- safety: the moderation queue now; cases opened in the period for a held
  post, reports and their outcomes, risk alerts by tier and how long until
  someone acknowledged them, escalations and the review band's load.

Medians are `statistics.median`; the 90th percentile is the nearest rank
(the smallest value with at least 90% of values at or below it)."""

import math
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Model,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncHour

from chat.models import Message, Room, RoomKind
from community.forums.models import Reply, Topic
from community.insights.hours import LONDON, is_office_hours
from community.insights.models import AuthorDay, AuthorLatest, KindHour
from community.insights.periods import Period
from community.insights.summary import kind_sql
from community.models import (
    Membership,
    MembershipStatus,
    Pathway,
    Role,
)
from community.moderation.models import (
    CaseState,
    ModerationCase,
    Report,
    RiskAlert,
)
from community.safety.registry import kind_named
from community.social.models import Present, WallPost

ROLES = [Role.MEMBER, Role.CARER, Role.PEER, Role.CLINICIAN, Role.LEAD]
KINDS = ["topic", "reply", "comment", "wall", "present", "chat", "support"]
TIERS = ["urgent", "alert", "review"]
# How long members have been with the pathway, in days: [low, high).
TENURE = [(0, 30), (30, 91), (91, 183), (183, 365), (365, None)]
OUTCOMES = ["approve", "hide", "edit_out", ""]


@dataclass
class Times:
    """Durations in seconds, for a median and a 90th percentile."""

    seconds: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.seconds)

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds else None

    @property
    def p90(self) -> float | None:
        if not self.seconds:
            return None
        ordered = sorted(self.seconds)
        return ordered[math.ceil(0.9 * len(ordered)) - 1]


@dataclass
class RoleCounts:
    total: int = 0
    new: int = 0
    active_7: int = 0
    active_30: int = 0


@dataclass
class Week:
    start: date
    activity: int = 0
    out_of_hours: int = 0
    new_members: int = 0


@dataclass
class Figures:
    pathway: Pathway
    period: Period
    members: dict[str, RoleCounts]
    tenure: list[int]
    activity: dict[str, int]
    out_of_hours: dict[str, int]
    weeks: list[Week]
    topics: int
    unanswered: int
    first_reply_members: Times
    first_reply_staff: Times
    first_reply_any: Times
    support_asked: int
    support_picked_up: int
    support_waits: Times
    queue_open: int
    queue_ages: Times
    held: int
    held_decided: int
    held_waits: Times
    reports_by_outcome: dict[str, int]
    alerts_by_tier: dict[str, int]
    alerts_unacknowledged: dict[str, int]
    acknowledge_times: dict[str, Times]
    escalated: int
    to_leads: int
    review_opened: int
    review_open_now: int
    now: datetime


def _sources(pathway: Pathway, start: datetime, end: datetime):
    """(kind, queryset in the window, author field, date field) for each kind
    of member writing. Comments are home's (django-comments-xtd's model):
    found through the safety registry so this wing imports no page code."""
    window = {"created_at__gte": start, "created_at__lt": end}
    comment = kind_named("comment")
    found: list[tuple[str, QuerySet, str, str]] = [
        ("topic", Topic.objects.filter(pathway=pathway, **window), "author", ""),
        ("reply", Reply.objects.filter(pathway=pathway, **window), "author", ""),
        ("wall", WallPost.objects.filter(pathway=pathway, **window), "author", ""),
        ("present", Present.objects.filter(pathway=pathway, **window), "author", ""),
    ]
    # A message's kind is its room's, by the summaries' own rule (kind_sql).
    messages = Message.objects.filter(pathway=pathway, **window).alias(
        kind=kind_sql(Message)
    )
    found += [
        (kind, messages.filter(kind=kind), "author", "") for kind in ("chat", "support")
    ]
    if comment is not None:
        found.append(
            (
                "comment",
                cast(type[Model], comment.model)._default_manager.filter(
                    pathway=pathway, submit_date__gte=start, submit_date__lt=end
                ),
                comment.author_field,
                "submit_date",
            )
        )
    return [(k, qs, a, d or "created_at") for k, qs, a, d in found]


def whole_days(start: datetime, end: datetime):
    """Split [start, end) into the London days wholly inside it, as
    (first, after) with `first <= day < after` (empty when first >= after),
    and the parts before and after them, as (from, to) moments (none when
    empty). Midnight is never skipped or doubled by a clock change (they
    happen at 01:00 and 02:00), so every London day starts at its
    midnight."""
    first = start.astimezone(LONDON).date()
    if midnight(first) < start:
        first += timedelta(days=1)
    after = end.astimezone(LONDON).date()
    if first >= after:
        return (first, first), [(start, end)]
    edges = [(start, midnight(first)), (midnight(after), end)]
    return (first, after), [(a, b) for a, b in edges if a < b]


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


# More people than this wrote after a period's end: the period is in the
# past, and the person-days answer for everyone.
LATE_LIMIT = 1000


def _active_by_role(pathway: Pathway, end: datetime) -> dict[str, tuple[int, int]]:
    """For each role, how many active members wrote anything in the pathway
    in the 7 and in the 30 days up to `end`: (active_7, active_30).

    Whoever last wrote before `end` (AuthorLatest) was active in the 30 days
    when that was within them, and in the 7 likewise: one read of the
    memberships beside their latest posts. The few who wrote since `end`
    (a period ending now, to the minute) are looked up in the person-days
    (`_active_from_days`); when they are many (a period in the past), the
    person-days answer for everyone."""
    late = list(
        AuthorLatest.objects.filter(pathway=pathway, last_at__gte=end).values_list(
            "author", flat=True
        )[: LATE_LIMIT + 1]
    )
    if len(late) > LATE_LIMIT:
        return _active_from_days(pathway, end)
    # One join, no subquery a row: the planner's estimate stays small
    # (a correlated subquery per membership once cost it half a second of
    # PostgreSQL's JIT compiling, for a 100 ms read).
    quote = connection.ops.quote_name
    members = quote(Membership._meta.db_table)
    latest = quote(AuthorLatest._meta.db_table)
    statement = (
        f"SELECT m.{quote('role')}, "  # noqa: S608 - names from the models
        f"SUM(CASE WHEN l.last_at >= %s THEN 1 ELSE 0 END), COUNT(*) "
        f"FROM {members} AS m JOIN {latest} AS l "
        f"ON l.author_id = m.{quote('user_id')} "
        f"AND l.pathway_id = m.{quote('pathway_id')} "
        f"WHERE m.{quote('pathway_id')} = %s AND m.{quote('status')} = %s "
        f"AND m.{quote('joined_at')} < %s AND l.last_at >= %s AND l.last_at < %s "
        f"GROUP BY m.{quote('role')}"
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                adapt(end - timedelta(days=7)),
                pathway.pk,
                MembershipStatus.ACTIVE,
                adapt(end),
                adapt(end - timedelta(days=30)),
                adapt(end),
            ],
        )
        counts = {role: (int(week or 0), int(month)) for role, week, month in cursor}
    if late:
        for role, (week, month) in _active_from_days(pathway, end, late).items():
            was = counts.get(role, (0, 0))
            counts[role] = (was[0] + week, was[1] + month)
    return dict(counts)


def _active_from_days(
    pathway: Pathway, end: datetime, only: list[int] | None = None
) -> dict[str, tuple[int, int]]:
    """As `_active_by_role`, from the person-days, for everyone or for the
    authors `only`.

    One statement. The London days wholly inside the 30 days are read from
    the summary of who wrote on which day (AuthorDay, kept at write time:
    one row a person-day instead of every post), each marked recent when
    the day is wholly inside the 7 days; the parts of days at the edges (the
    window is to the minute) are read from every kind's own rows, as the
    activity counts read them, marked recent when within 7 days. Then
    grouped once by person and joined to the memberships. The ORM cannot
    aggregate over a UNION, so the outer statement is SQL around the
    querysets' own compiled SQL and parameters."""
    recent = end - timedelta(days=7)
    (first, after), edges = whole_days(end - timedelta(days=30), end)
    (first_recent, _after), recent_edges = whole_days(recent, end)
    parts: list[str] = []
    params: list = []

    def add(queryset: QuerySet) -> None:
        sql, part_params = queryset.query.sql_with_params()
        # The ORM's own SQL for a queryset; its values stay parameters.
        parts.append(f"SELECT * FROM ({sql}) AS part{len(parts)}")  # noqa: S608
        params.extend(part_params)

    mine = {} if only is None else {"author__in": only}
    if first < after:
        add(
            AuthorDay.objects.filter(
                pathway=pathway, day__gte=first, day__lt=after, **mine
            )
            .order_by()
            .annotate(
                who=F("author"),
                recent=Case(
                    When(day__gte=first_recent, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                ),
            )
            .values_list("who", "recent")
        )
    # The recent window's first part-day lies inside the 30 days' first
    # whole day (or later): read again, its authors are marked recent.
    for since, until in sorted(set(edges) | set(recent_edges[:1])):
        for _kind, queryset, author, when in _sources(pathway, since, until):
            if only is not None:
                queryset = queryset.filter(**{f"{author}__in": only})
            add(
                queryset.order_by()
                .annotate(
                    who=F(author),
                    recent=Case(
                        When(**{f"{when}__gte": recent}, then=Value(1)),
                        default=Value(0),
                        output_field=IntegerField(),
                    ),
                )
                .values_list("who", "recent")
            )
    quote = connection.ops.quote_name
    table = quote(Membership._meta.db_table)
    statement = (
        f"SELECT m.{quote('role')}, SUM(w.recent), COUNT(*) FROM ("  # noqa: S608
        f"SELECT who, MAX(recent) AS recent FROM ({' UNION ALL '.join(parts)}) AS u "
        f"GROUP BY who) AS w JOIN {table} AS m ON m.{quote('user_id')} = w.who "
        f"WHERE m.{quote('pathway_id')} = %s AND m.{quote('status')} = %s "
        f"AND m.{quote('joined_at')} < %s GROUP BY m.{quote('role')}"
    )
    params += [pathway.pk, MembershipStatus.ACTIVE, end]
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return {role: (int(week or 0), int(month)) for role, week, month in cursor}


def member_counts(pathway: Pathway, period: Period) -> dict[str, RoleCounts]:
    """Active memberships by role: total, new in the period, active in the
    7 and 30 days up to its end. Two queries."""
    end = period.end
    counts: dict[str, RoleCounts] = {str(role): RoleCounts() for role in ROLES}
    for row in (
        Membership.objects.filter(
            pathway=pathway, status=MembershipStatus.ACTIVE, joined_at__lt=end
        )
        .values("role")
        .annotate(
            total=Count("pk"), new=Count("pk", filter=Q(joined_at__gte=period.start))
        )
        .order_by()
    ):
        counts[row["role"]].total, counts[row["role"]].new = row["total"], row["new"]
    for role, (week, month) in _active_by_role(pathway, end).items():
        counts[role].active_7, counts[role].active_30 = week, month
    return counts


def tenure(pathway: Pathway, period: Period) -> list[int]:
    """Members and carers by how long they have been with the pathway at the
    period's end (the TENURE bands). One query."""
    end = period.end
    counts = {}
    for i, (low, high) in enumerate(TENURE):
        band = Q(joined_at__lte=end - timedelta(days=low))
        if high is not None:
            band &= Q(joined_at__gt=end - timedelta(days=high))
        counts[f"b{i}"] = Count("pk", filter=band)
    row = Membership.objects.filter(
        pathway=pathway,
        status=MembershipStatus.ACTIVE,
        role__in=[Role.MEMBER, Role.CARER],
        joined_at__lt=end,
    ).aggregate(**counts)
    return [row[f"b{i}"] for i in range(len(TENURE))]


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def whole_hours(start: datetime, end: datetime):
    """Split [start, end) into the whole UTC hours inside it, as (first,
    after) moments (None when there are none), and the parts before and
    after them, as (from, to) moments (none when empty)."""
    first = start.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if first < start:
        first += timedelta(hours=1)
    after = end.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    if first >= after:
        return None, [(start, end)]
    edges = [(start, first), (after, end)]
    return (first, after), [(a, b) for a, b in edges if a < b]


def _hourly_counts(pathway: Pathway, start: datetime, end: datetime):
    """(hour, kind, posts) of everything written in `pathway` in [start,
    end): the whole hours from the kind-hour summary, the minutes at either
    edge counted from the content, by local hour in the database."""
    hours, edges = whole_hours(start, end)
    if hours is not None:
        yield from KindHour.objects.filter(
            pathway=pathway, hour__gte=hours[0], hour__lt=hours[1]
        ).values_list("hour", "kind", "posts")
    for a, b in edges:
        for kind, queryset, _author, when in _sources(pathway, a, b):
            rows = (
                queryset.annotate(hour=TruncHour(when, tzinfo=LONDON))
                .values("hour")
                .annotate(n=Count("*"))
                .order_by()
                .values_list("hour", "n")
            )
            for hour, n in rows:
                yield hour, kind, n


def activity(pathway: Pathway, period: Period):
    """Everything written in the period by kind, the part of it out of
    office hours, and both by week (Monday, London): summed from the
    kind-hour summary (and the edges' minutes), the hours classed here,
    where the bank holidays are known."""
    by_kind: Counter[str] = Counter()
    outside: Counter[str] = Counter()
    weeks: dict[date, Week] = {}
    day = week_of(period.first_day)
    while day <= period.last_day:
        weeks[day] = Week(day)
        day += timedelta(days=7)
    for moment, kind, n in _hourly_counts(pathway, period.start, period.end):
        hour = moment.astimezone(LONDON)
        by_kind[kind] += n
        week = weeks[week_of(hour.date())]
        week.activity += n
        if not is_office_hours(hour):
            outside[kind] += n
            week.out_of_hours += n
    joined = (
        Membership.objects.filter(
            pathway=pathway,
            status=MembershipStatus.ACTIVE,
            joined_at__gte=period.start,
            joined_at__lt=period.end,
        )
        .annotate(hour=TruncHour("joined_at", tzinfo=LONDON))
        .values("hour")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in joined:
        weeks[week_of(row["hour"].astimezone(LONDON).date())].new_members += row["n"]
    return (
        {kind: by_kind[kind] for kind in KINDS},
        {kind: outside[kind] for kind in KINDS},
        list(weeks.values()),
    )


def first_replies(pathway: Pathway, period: Period):
    """Topics opened in the period; how long until their first reply from
    someone else, by other members, by staff and by anyone; and how many
    have none yet. One query: the topics' opening times and their first
    replies' times, kept on each topic when its replies change
    (forums.actions.refresh_first_replies says which reply is first)."""
    members, staff_times, anyone = Times(), Times(), Times()
    opened = 0
    # The waits are worked out in the database: a duration comes back
    # cheaper than the two moments (tens of thousands at 90 days).
    for by_member, by_staff in (
        Topic.objects.filter(
            pathway=pathway, created_at__gte=period.start, created_at__lt=period.end
        )
        .order_by()
        .values_list(
            ExpressionWrapper(
                F("first_member_reply_at") - F("created_at"),
                output_field=DurationField(),
            ),
            ExpressionWrapper(
                F("first_staff_reply_at") - F("created_at"),
                output_field=DurationField(),
            ),
        )
    ):
        opened += 1
        waits = []
        if by_member is not None:
            waits.append(by_member.total_seconds())
            members.seconds.append(waits[-1])
        if by_staff is not None:
            waits.append(by_staff.total_seconds())
            staff_times.seconds.append(waits[-1])
        if waits:
            anyone.seconds.append(min(waits))
    return opened, opened - anyone.n, members, staff_times, anyone


def support(pathway: Pathway, period: Period):
    """Support conversations asked for in the period, how many were picked
    up, and how long each picked-up one waited."""
    rows = Room.objects.filter(
        pathway=pathway,
        kind=RoomKind.SUPPORT,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).values_list("created_at", "picked_up_at")
    waits = Times()
    asked = 0
    for created, picked in rows:
        asked += 1
        if picked:
            waits.seconds.append((picked - created).total_seconds())
    return asked, waits.n, waits


def tier_of(urgent: bool, for_review: bool) -> str:
    return "urgent" if urgent else "review" if for_review else "alert"


def safety(pathway: Pathway, period: Period, now: datetime) -> dict:
    """The moderation queue now; held posts, reports, risk alerts and the
    review band in the period."""
    in_period = {"opened_at__gte": period.start, "opened_at__lt": period.end}
    cases = ModerationCase.objects.filter(pathway=pathway)
    queue = Times(
        [
            (now - opened).total_seconds()
            for opened in cases.filter(state=CaseState.OPEN).values_list(
                "opened_at", flat=True
            )
        ]
    )
    held_rows = cases.filter(**in_period, was_held=True).values_list(
        "opened_at", "decided_at", "state"
    )
    held_waits = Times()
    held = 0
    for opened, decided, state in held_rows:
        held += 1
        if state == CaseState.CLOSED and decided:
            held_waits.seconds.append((decided - opened).total_seconds())
    outcomes = dict.fromkeys(OUTCOMES, 0)
    for row in (
        Report.objects.filter(
            case__pathway=pathway,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        outcomes[row["outcome"]] = outcomes.get(row["outcome"], 0) + row["n"]
    by_tier = dict.fromkeys(TIERS, 0)
    unacknowledged = dict.fromkeys(TIERS, 0)
    acknowledge = {tier: Times() for tier in TIERS}
    escalated = to_leads = 0
    for urgent, reviewing, created, acked, level, leads in RiskAlert.objects.filter(
        pathway=pathway, created_at__gte=period.start, created_at__lt=period.end
    ).values_list(
        "urgent", "for_review", "created_at", "acknowledged_at", "level", "to_leads"
    ):
        tier = tier_of(urgent, reviewing)
        by_tier[tier] += 1
        if acked:
            acknowledge[tier].seconds.append((acked - created).total_seconds())
        else:
            unacknowledged[tier] += 1
        escalated += int(level > 0 or leads)
        to_leads += int(leads)
    review = cases.filter(for_review=True).aggregate(
        opened=Count("pk", filter=Q(**in_period)),
        open_now=Count("pk", filter=Q(state=CaseState.OPEN)),
    )
    return {
        "queue_open": queue.n,
        "queue_ages": queue,
        "held": held,
        "held_decided": held_waits.n,
        "held_waits": held_waits,
        "reports_by_outcome": outcomes,
        "alerts_by_tier": by_tier,
        "alerts_unacknowledged": unacknowledged,
        "acknowledge_times": acknowledge,
        "escalated": escalated,
        "to_leads": to_leads,
        "review_opened": review["opened"],
        "review_open_now": review["open_now"],
    }


def figures_for(pathway: Pathway, period: Period, now: datetime) -> Figures:
    """Every figure of `pathway` for `period` (`now` for what is "now": the
    queue's age). Aggregates only; the caller has asked the access layer."""
    by_kind, outside, weeks = activity(pathway, period)
    topics, unanswered, by_members, by_staff, anyone = first_replies(pathway, period)
    asked, picked, waits = support(pathway, period)
    return Figures(
        pathway=pathway,
        period=period,
        members=member_counts(pathway, period),
        tenure=tenure(pathway, period),
        activity=by_kind,
        out_of_hours=outside,
        weeks=weeks,
        topics=topics,
        unanswered=unanswered,
        first_reply_members=by_members,
        first_reply_staff=by_staff,
        first_reply_any=anyone,
        support_asked=asked,
        support_picked_up=picked,
        support_waits=waits,
        now=now,
        **safety(pathway, period, now),
    )


__all__ = ["Figures", "Times", "figures_for"]
