"""The period of a page: presets, two dates, and what is refused."""

from datetime import UTC, date, datetime, timedelta

import time_machine
from django.http import QueryDict

from community.insights.periods import between, last_days, read_period

NOW = datetime(2026, 4, 13, 10, 0, tzinfo=UTC)


def test_presets_end_with_the_minute_of_now():
    """Whatever was done a moment ago counts: the end is the minute's end."""
    moment = NOW + timedelta(seconds=42)
    with time_machine.travel(moment, tick=False):
        form, period = read_period(QueryDict("period=7"))
    assert period is not None
    end = NOW + timedelta(minutes=1)
    assert (period.start, period.end) == (end - timedelta(days=7), end)
    assert period.start < moment < period.end
    assert period.query == "period=7"


def test_no_query_means_the_last_30_days():
    with time_machine.travel(NOW, tick=False):
        _form, period = read_period(QueryDict(""))
    assert period == last_days(30, NOW)


def test_two_dates_are_whole_london_days_across_a_clock_change():
    period = between(date(2026, 3, 23), date(2026, 4, 12))
    assert period.start == datetime(2026, 3, 23, 0, 0, tzinfo=UTC)  # GMT
    assert period.end == datetime(2026, 4, 12, 23, 0, tzinfo=UTC)  # BST midnight
    assert (period.first_day, period.last_day) == (date(2026, 3, 23), date(2026, 4, 12))
    assert period.query == "period=dates&start=2026-03-23&end=2026-04-12"


def test_one_day_is_a_period():
    with time_machine.travel(NOW, tick=False):
        _form, period = read_period(
            QueryDict("period=dates&start=2026-04-13&end=2026-04-13")
        )
    assert period == between(date(2026, 4, 13), date(2026, 4, 13))


def test_dates_are_ignored_unless_chosen():
    with time_machine.travel(NOW, tick=False):
        _form, period = read_period(QueryDict("period=90&start=nonsense"))
    assert period is None  # a date that is not one is still said


def test_bad_dates_are_errors_on_their_fields():
    with time_machine.travel(NOW, tick=False):
        form, period = read_period(QueryDict("period=dates&start=2026-04-12"))
    assert period is None
    assert form.errors == {"end": ["Enter the last day of the period."]}
