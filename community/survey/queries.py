"""The survey's figures for a pathway, for the insights dashboard
(community/insights calls `survey_summary`). Aggregates only: no member text,
no person; showing "fewer than 5" for small numbers is the dashboard's."""

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek

from community.models import Pathway
from community.survey.models import AGREEING, SurveyAnswer

# The normal quantile for a two-sided 95% interval.
Z95 = 1.959964
# Weeks begin on Monday in the trust's time zone (Europe/London).
LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class SurveySummary:
    """Answers in a period: how many, how many agreeing (4 or 5 on the
    scale), the share agreeing with its Wilson 95% interval (None without
    answers), and per week (Monday, answered, agreeing), every week of the
    period listed, weeks without answers as zeros."""

    answered: int
    agreeing: int
    share: float | None
    low: float | None
    high: float | None
    by_week: list[tuple[date, int, int]]


def wilson_interval(
    successes: int, trials: int, z: float = Z95
) -> tuple[float, float] | None:
    """The Wilson score interval for `successes` out of `trials` (None for
    no trials): unlike the normal approximation it stays inside 0..1 and is
    honest for small numbers and shares near 0 or 1 (Newcombe 1998)."""
    if trials <= 0:
        return None
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = (
        z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / denominator
    )
    return max(0.0, centre - half), min(1.0, centre + half)


def monday_of(moment: datetime) -> date:
    """The Monday (London) of the week holding `moment`."""
    day = moment.astimezone(LONDON).date()
    return day - timedelta(days=day.weekday())


def survey_summary(pathway: Pathway, start: datetime, end: datetime) -> SurveySummary:
    """The survey's figures for `pathway` over [start, end): two aggregate
    queries on the (pathway, answered_at) index, whatever the numbers."""
    rows = SurveyAnswer.objects.filter(
        pathway=pathway, answered_at__gte=start, answered_at__lt=end
    )
    agreeing_q = Q(score__in=AGREEING)
    totals = rows.aggregate(
        answered=Count("pk"), agreeing=Count("pk", filter=agreeing_q)
    )
    answered, agreeing = totals["answered"], totals["agreeing"]
    weekly = {
        monday_of(row["week"]): (row["answered"], row["agreeing"])
        for row in rows.annotate(week=TruncWeek("answered_at", tzinfo=LONDON))
        .values("week")
        .annotate(answered=Count("pk"), agreeing=Count("pk", filter=agreeing_q))
        .order_by("week")
    }
    by_week = []
    if end > start:
        week = monday_of(start)
        last = monday_of(end - timedelta(microseconds=1))
        while week <= last:
            by_week.append((week, *weekly.get(week, (0, 0))))
            week += timedelta(weeks=1)
    interval = wilson_interval(agreeing, answered)
    return SurveySummary(
        answered=answered,
        agreeing=agreeing,
        share=agreeing / answered if answered else None,
        low=interval[0] if interval else None,
        high=interval[1] if interval else None,
        by_week=by_week,
    )
