"""Office hours in London, bank holidays of England and Wales, and the
list's expiry."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from community.insights.hours import (
    BANK_HOLIDAYS,
    HOLIDAYS_KNOWN_FROM,
    HOLIDAYS_KNOWN_UNTIL,
    is_office_hours,
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_edges_of_the_day_in_winter_and_summer():
    assert not is_office_hours(utc("2026-03-27 08:59"))  # Friday, GMT
    assert is_office_hours(utc("2026-03-27 09:00"))
    assert is_office_hours(utc("2026-03-27 16:59"))
    assert not is_office_hours(utc("2026-03-27 17:00"))
    assert not is_office_hours(utc("2026-03-30 07:59"))  # Monday, BST: 08:59
    assert is_office_hours(utc("2026-03-30 08:00"))  # 09:00 BST
    assert is_office_hours(utc("2026-03-30 15:59"))  # 16:59 BST
    assert not is_office_hours(utc("2026-03-30 16:00"))  # 17:00 BST


def test_weekends_and_bank_holidays_are_out_of_hours():
    assert not is_office_hours(utc("2026-03-28 12:00"))  # Saturday
    assert not is_office_hours(utc("2026-04-03 12:00"))  # Good Friday
    assert not is_office_hours(utc("2026-04-06 12:00"))  # Easter Monday
    assert not is_office_hours(utc("2026-12-28 12:00"))  # Boxing Day, moved
    assert is_office_hours(utc("2026-12-29 12:00"))


def test_a_naive_time_is_taken_as_london():
    assert is_office_hours(datetime(2026, 7, 1, 9, 0))
    assert not is_office_hours(datetime(2026, 7, 1, 17, 0))


def test_every_year_of_the_list_has_its_eight_or_nine_days():
    years = {}
    for day in BANK_HOLIDAYS:
        years[day.year] = years.get(day.year, 0) + 1
        assert day.weekday() < 5, day  # a holiday on a weekend moves to Monday
    assert years == {2023: 9, 2024: 8, 2025: 8, 2026: 8, 2027: 8}
    assert min(BANK_HOLIDAYS) >= HOLIDAYS_KNOWN_FROM
    assert max(BANK_HOLIDAYS) <= HOLIDAYS_KNOWN_UNTIL


def test_the_bank_holiday_list_is_renewed_before_it_runs_out():
    """Fails three months before the list ends: add the next year from
    https://www.gov.uk/bank-holidays.json (england-and-wales) to hours.py."""
    assert timezone.localdate() + timedelta(days=92) <= HOLIDAYS_KNOWN_UNTIL, (
        "Add the next year's bank holidays to community/insights/hours.py"
    )
    assert date(2026, 12, 25) in BANK_HOLIDAYS
