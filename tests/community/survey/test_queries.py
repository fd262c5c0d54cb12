"""The survey's figures for the insights dashboard: counts in [start, end),
the Wilson 95% interval against published figures, and London weeks."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from community.survey.models import SurveyAnswer
from community.survey.queries import SurveySummary, survey_summary, wilson_interval
from tests.factories import make_member

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")

# Newcombe R. G. (1998), "Two-sided confidence intervals for the single
# proportion", Statistics in Medicine 17:857-872, Table II, method 3 (the
# Wilson score interval): the figures statsmodels' proportion_confint(...,
# method="wilson") gives to four places.
NEWCOMBE = [
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0000, 0.1611),
    (1, 29, 0.0061, 0.1718),
    (29, 29, 0.8830, 1.0000),
]


@pytest.mark.parametrize(("k", "n", "low", "high"), NEWCOMBE)
def test_the_wilson_interval_matches_published_figures(k, n, low, high):
    found = wilson_interval(k, n)
    assert found is not None
    assert round(found[0], 4) == low and round(found[1], 4) == high


def test_no_answers_no_interval():
    assert wilson_interval(0, 0) is None


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def answer(pathway, user, score, when):
    return SurveyAnswer.objects.create(
        pathway=pathway, user=user, score=score, answered_at=when
    )


def test_the_summary_counts_agreeing_answers_in_the_period_by_london_week(
    pathway, other_pathway
):
    users = [make_member(pathway) for _ in range(4)]
    stranger = make_member(other_pathway)
    # Sunday 30 March 2025 is when the clocks go forward: 00:30 on Monday
    # 31 March (London) is still Sunday 23:30 in UTC, and counts for the week
    # of Monday 31 March.
    answer(pathway, users[0], 5, at(2025, 3, 24, 0, 0))  # first instant: in
    answer(pathway, users[1], 4, at(2025, 3, 30, 23, 59))  # week of 24 March
    answer(pathway, users[2], 1, at(2025, 3, 31, 0, 30))  # week of 31 March
    answer(pathway, users[3], 3, at(2025, 4, 9, 12, 0))  # week of 7 April
    answer(pathway, users[0], 5, at(2025, 4, 14, 0, 0))  # the end: out
    answer(pathway, users[1], 5, at(2025, 3, 23, 23, 59))  # before: out
    answer(other_pathway, stranger, 5, at(2025, 3, 25, 12, 0))  # not theirs
    assert at(2025, 3, 31, 0, 30).astimezone(UTC).day == 30

    summary = survey_summary(pathway, at(2025, 3, 24), at(2025, 4, 14))

    assert isinstance(summary, SurveySummary)
    assert (summary.answered, summary.agreeing) == (4, 2)
    assert summary.share == 0.5
    # Wilson for 2 of 4 (z = 1.959964): 0.1500 to 0.8500.
    assert summary.low is not None and summary.high is not None
    assert (round(summary.low, 4), round(summary.high, 4)) == (0.1500, 0.8500)
    assert summary.by_week == [
        (date(2025, 3, 24), 2, 2),
        (date(2025, 3, 31), 1, 0),
        (date(2025, 4, 7), 1, 0),
    ]


def test_a_period_with_no_answers_lists_its_weeks_as_zeros(pathway):
    summary = survey_summary(pathway, at(2025, 10, 22), at(2025, 11, 4))
    assert (summary.answered, summary.agreeing, summary.share) == (0, 0, None)
    assert (summary.low, summary.high) == (None, None)
    # Clocks go back on Sunday 26 October; weeks still start on Mondays.
    assert summary.by_week == [
        (date(2025, 10, 20), 0, 0),
        (date(2025, 10, 27), 0, 0),
        (date(2025, 11, 3), 0, 0),
    ]


def test_the_summary_takes_two_queries_whatever_the_numbers(
    pathway, django_assert_num_queries
):
    user = make_member(pathway)
    start = at(2025, 1, 6)
    for day in range(60):
        answer(pathway, user, 1 + day % 5, start + timedelta(days=day, hours=13))
    with django_assert_num_queries(2):
        summary = survey_summary(pathway, start, start + timedelta(days=60))
    assert (summary.answered, summary.agreeing) == (60, 24)
    assert sum(week[1] for week in summary.by_week) == 60
