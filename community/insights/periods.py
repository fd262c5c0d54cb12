"""The period a page of insights covers: the last 7, 30 or 90 days, or two
dates a lead chooses. Read from the page's query string by `PeriodForm`;
bad dates come back to the form with a kind message, never an error page."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from community.insights.hours import LONDON

PRESETS = {"7": 7, "30": 30, "90": 90}
DEFAULT = "30"
# A period longer than this would make the weekly trend unreadable on a phone
# and the page slow: a lead asking for more is told so.
LONGEST_DAYS = 366
EARLIEST = date(2020, 1, 1)


@dataclass(frozen=True)
class Period:
    """From `start` (inclusive) to `end` (exclusive), both aware. `query` is
    the query string that asks for it again (for links and the CSV)."""

    start: datetime
    end: datetime
    query: str

    @property
    def first_day(self) -> date:
        return self.start.astimezone(LONDON).date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(microseconds=1)).astimezone(LONDON).date()


def last_days(days: int, now: datetime | None = None) -> Period:
    """The `days` days up to the end of `now`'s minute (so the page and its
    CSV downloads a moment later ask for the same period, and share its
    figures). The end is the minute's end, not its start: what someone did a
    moment ago (an answer to the survey) counts at once, and nothing lies in
    the future to count by mistake."""
    end = (now or timezone.now()).replace(second=0, microsecond=0)
    end += timedelta(minutes=1)
    return Period(end - timedelta(days=days), end, f"period={days}")


def between(first: date, last: date) -> Period:
    """Whole London days from `first` to `last`, both included."""
    start = datetime.combine(first, time(0), tzinfo=LONDON)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=LONDON)
    query = f"period=dates&start={first.isoformat()}&end={last.isoformat()}"
    return Period(start, end, query)


class DateInput(forms.DateInput):
    input_type = "date"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("7", _("Last 7 days")),
            ("30", _("Last 30 days")),
            ("90", _("Last 90 days")),
            ("dates", _("Between two dates")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    start = forms.DateField(
        label=_("From"),
        required=False,
        widget=DateInput(),
        error_messages={
            "invalid": _("Enter the first day as a date, for example 2026-03-01.")
        },
    )
    end = forms.DateField(
        label=_("To"),
        required=False,
        widget=DateInput(),
        error_messages={
            "invalid": _("Enter the last day as a date, for example 2026-03-31.")
        },
    )

    def clean(self):
        data = super().clean()
        if data.get("period") != "dates" or self.errors:
            return data
        first, last = data.get("start"), data.get("end")
        if first is None:
            self.add_error("start", _("Enter the first day of the period."))
        if last is None:
            self.add_error("end", _("Enter the last day of the period."))
        if first is None or last is None:
            return data
        today = timezone.localdate()
        if first > last:
            self.add_error("end", _("The last day must be on or after the first."))
        elif last > today:
            self.add_error("end", _("The last day can be today at the latest."))
        elif first < EARLIEST:
            self.add_error("start", _("Choose a first day from 2020 onwards."))
        elif (last - first).days + 1 > LONGEST_DAYS:
            self.add_error(
                "end", _("Choose a period of at most a year (366 days) at a time.")
            )
        return data

    def chosen(self) -> Period:
        """The period asked for; call after `is_valid()` is true."""
        choice = self.cleaned_data.get("period") or DEFAULT
        if choice == "dates":
            return between(self.cleaned_data["start"], self.cleaned_data["end"])
        return last_days(PRESETS[choice])


def read_period(query) -> tuple[PeriodForm, Period | None]:
    """The form bound to `query` (a QueryDict) and the period it asks for,
    or None when it needs correcting. No query at all: the last 30 days."""
    form = PeriodForm(query or {"period": DEFAULT}, initial={"period": DEFAULT})
    if not form.is_valid():
        return form, None
    return form, form.chosen()
