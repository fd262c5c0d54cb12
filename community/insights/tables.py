"""The figures as tables: what the page shows, what each chart draws from
and what each CSV holds, so the three can never disagree.

Small numbers: any count from 1 to 4 is shown as "fewer than 5", and so is
any median, percentile or share worked out from fewer than 5 (people,
topics, conversations, posts or answers), in the HTML, the chart and the CSV
alike: a `Cell` that is suppressed carries no number at all, so nothing
downstream can leak it. Nought is shown as 0: it tells nothing of anyone."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from community.insights.figures import (
    KINDS,
    OUTCOMES,
    ROLES,
    TIERS,
    Figures,
    Times,
)
from community.models import Role

SMALLEST = 5
FEWER = gettext_lazy("fewer than 5")
NONE = "–"


@dataclass(frozen=True)
class Cell:
    """One figure as shown. `number` is what a chart may draw: None when the
    figure is suppressed or there is nothing to show."""

    text: str
    number: float | None = None

    @property
    def suppressed(self) -> bool:
        return self.text == str(FEWER)


def count(n: int) -> Cell:
    if 0 < n < SMALLEST:
        return Cell(str(FEWER))
    return Cell(str(n), n)


def share(part: int, whole: int) -> Cell:
    if whole == 0:
        return Cell(NONE)
    if whole < SMALLEST or 0 < part < SMALLEST:
        # A share of a suppressed count would tell the count.
        return Cell(str(FEWER))
    percent = round(100 * part / whole)
    return Cell(f"{percent}%", percent)


def _duration(seconds: float | None, n: int, unit: float) -> Cell:
    if n == 0 or seconds is None:
        return Cell(NONE)
    if n < SMALLEST:
        return Cell(str(FEWER))
    value = round(seconds / unit, 1)
    return Cell(f"{value:g}", value)


def hours(times: Times, which: str = "median") -> Cell:
    return _duration(getattr(times, which), times.n, 3600)


def minutes(times: Times, which: str = "median") -> Cell:
    return _duration(getattr(times, which), times.n, 60)


@dataclass
class Table:
    """A table of figures: `key` names it in ids and CSV file names; `chart`
    is "bars" (one bar a row) or "columns" (one column a row, for weeks) or
    empty, drawn from the cells of column `chart_column`."""

    key: str
    title: str
    columns: list[str]
    rows: list[tuple[str, list[Cell]]]
    chart: str = ""
    chart_column: int = 0
    chart_rows: int | None = None  # draw only the first rows (not a total)
    note: str = ""

    @property
    def chart_title(self) -> str:
        return _("Chart: %(title)s, %(column)s") % {
            "title": self.title,
            "column": self.columns[self.chart_column + 1].lower(),
        }

    @property
    def labelled(self) -> list[tuple[str, list[tuple[str, Cell]]]]:
        """Each row with each cell beside its heading (for phone layouts)."""
        return [
            (label, list(zip(self.columns[1:], cells, strict=True)))
            for label, cells in self.rows
        ]

    def cell(self, row_label: str, column: str) -> Cell:
        """The cell of row `row_label` under heading `column` (for tests)."""
        index = self.columns.index(column) - 1
        for label, cells in self.rows:
            if label == row_label:
                return cells[index]
        raise KeyError(row_label)


@dataclass
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    note: str = ""


def role_label(role: str) -> str:
    return str(Role(role).label)


KIND_LABELS = {
    "topic": gettext_lazy("Forum topics"),
    "reply": gettext_lazy("Forum replies"),
    "comment": gettext_lazy("Comments on blogs and videos"),
    "wall": gettext_lazy("Wall messages"),
    "present": gettext_lazy("Presents"),
    "chat": gettext_lazy("Chat messages"),
    "support": gettext_lazy("Support chat messages"),
}
TIER_LABELS = {
    "urgent": gettext_lazy("Urgent"),
    "alert": gettext_lazy("Alert"),
    "review": gettext_lazy("For review"),
}
OUTCOME_LABELS = {
    "approve": gettext_lazy("Kept as it was"),
    "hide": gettext_lazy("Hidden"),
    "edit_out": gettext_lazy("Edited, then shown"),
    "": gettext_lazy("Waiting for a decision"),
}
TENURE_LABELS = [
    gettext_lazy("Under a month"),
    gettext_lazy("1 to 3 months"),
    gettext_lazy("3 to 6 months"),
    gettext_lazy("6 to 12 months"),
    gettext_lazy("A year or more"),
]


def member_tables(f: Figures) -> list[Table]:
    rows = []
    for role in ROLES:
        c = f.members[role]
        rows.append(
            (
                role_label(role),
                [count(c.total), count(c.new), count(c.active_7), count(c.active_30)],
            )
        )
    every = [sum(getattr(c, k) for c in f.members.values()) for k in ("total", "new")]
    every += [
        sum(getattr(c, k) for c in f.members.values())
        for k in ("active_7", "active_30")
    ]
    rows.append((_("Everyone"), [count(n) for n in every]))
    members = Table(
        "members",
        _("Members by role"),
        [
            _("Role"),
            _("Members"),
            _("New in the period"),
            _("Active in the last 7 days"),
            _("Active in the last 30 days"),
        ],
        rows,
        chart="bars",
        chart_column=0,
        chart_rows=len(ROLES),
        note=_(
            "Active: wrote anything (a post, a comment, a message or a present) "
            "in the 7 or 30 days up to the end of the period."
        ),
    )

    tenure = Table(
        "time_with_pathway",
        _("How long members and carers have been with the pathway"),
        [_("Time with the pathway"), _("Members and carers")],
        [
            (str(label), [count(n)])
            for label, n in zip(TENURE_LABELS, f.tenure, strict=True)
        ],
        chart="bars",
        note=_(
            "At the end of the period. For a waiting-list pathway, this is how "
            "long people have been waiting with Harbour's support."
        ),
    )
    return [members, tenure]


def activity_tables(f: Figures) -> list[Table]:
    rows = []
    for kind in KINDS:
        total, outside = f.activity[kind], f.out_of_hours[kind]
        rows.append(
            (
                str(KIND_LABELS[kind]),
                [count(total), count(outside), share(outside, total)],
            )
        )
    total, outside = sum(f.activity.values()), sum(f.out_of_hours.values())
    rows.append((_("All"), [count(total), count(outside), share(outside, total)]))
    by_kind = Table(
        "activity",
        _("Activity by kind"),
        [
            _("Kind"),
            _("Posts and messages"),
            _("Out of office hours"),
            _("Share out of office hours"),
        ],
        rows,
        chart="bars",
        chart_rows=len(KINDS),
        note=_(
            "Office hours: 09:00 to 17:00 Monday to Friday, UK time, except bank "
            "holidays in England and Wales. Everything written counts, whatever "
            "a moderator later decided."
        ),
    )
    weeks = Table(
        "weeks",
        _("Activity by week"),
        [
            _("Week beginning"),
            _("Posts and messages"),
            _("Out of office hours"),
            _("Share out of office hours"),
            _("New members"),
        ],
        [
            (
                date_format(week.start, "j M Y"),
                [
                    count(week.activity),
                    count(week.out_of_hours),
                    share(week.out_of_hours, week.activity),
                    count(week.new_members),
                ],
            )
            for week in f.weeks
        ],
        chart="columns",
        note=_(
            "Weeks begin on Monday. The first and last weeks may be only partly "
            "inside the period."
        ),
    )
    return [by_kind, weeks]


def response_tables(f: Figures) -> list[Table]:
    replies = Table(
        "first_reply",
        _("Time to the first reply on a topic"),
        [
            _("First reply from"),
            _("Topics"),
            _("Median (hours)"),
            _("90th percentile (hours)"),
        ],
        [
            (
                label,
                [count(times.n), hours(times), hours(times, "p90")],
            )
            for label, times in (
                (_("Another member"), f.first_reply_members),
                (_("Staff"), f.first_reply_staff),
                (_("Anyone"), f.first_reply_any),
            )
        ],
        note=_(
            "Topics opened in the period. Another member: a member or carer; "
            "staff: a peer supporter, clinician or service lead. Replies by the "
            "topic's own author do not count."
        ),
    )
    topics = Table(
        "topics",
        _("Topics"),
        [_("Topics"), _("Number")],
        [
            (_("Opened in the period"), [count(f.topics)]),
            (_("Still without a reply from anyone else"), [count(f.unanswered)]),
        ],
    )
    support = Table(
        "support",
        _("Support conversations"),
        [_("Support conversations"), _("Number or minutes")],
        [
            (_("Asked for in the period"), [count(f.support_asked)]),
            (_("Picked up by staff"), [count(f.support_picked_up)]),
            (
                _("Not picked up"),
                [count(f.support_asked - f.support_picked_up)],
            ),
            (_("Median wait (minutes)"), [minutes(f.support_waits)]),
            (_("90th percentile wait (minutes)"), [minutes(f.support_waits, "p90")]),
        ],
    )
    return [replies, topics, support]


def safety_tables(f: Figures) -> list[Table]:
    moderation = Table(
        "moderation",
        _("Moderation"),
        [_("Moderation"), _("Number or hours")],
        [
            (_("Waiting in the queue now"), [count(f.queue_open)]),
            (_("Median time waiting so far (hours)"), [hours(f.queue_ages)]),
            (_("Longest time waiting so far (hours)"), [_oldest(f.queue_ages)]),
            (_("Posts held for a moderator in the period"), [count(f.held)]),
            (_("Held posts decided"), [count(f.held_decided)]),
            (_("Median time to a decision (hours)"), [hours(f.held_waits)]),
            (
                _("90th percentile time to a decision (hours)"),
                [hours(f.held_waits, "p90")],
            ),
        ],
        note=_("The queue is as it is now, whatever the period."),
    )
    reports_total = sum(f.reports_by_outcome.values())
    reports = Table(
        "reports",
        _("Reports and their outcomes"),
        [_("Outcome"), _("Reports")],
        [
            (str(OUTCOME_LABELS[o]), [count(f.reports_by_outcome.get(o, 0))])
            for o in OUTCOMES
        ]
        + [(_("All reports"), [count(reports_total)])],
        chart="bars",
        chart_rows=len(OUTCOMES),
    )
    alerts = Table(
        "alerts",
        _("Risk alerts"),
        [
            _("Tier"),
            _("Alerts"),
            _("Not yet acknowledged"),
            _("Median time to acknowledge (minutes)"),
            _("90th percentile time to acknowledge (minutes)"),
        ],
        [
            (
                str(TIER_LABELS[tier]),
                [
                    count(f.alerts_by_tier[tier]),
                    count(f.alerts_unacknowledged[tier]),
                    minutes(f.acknowledge_times[tier]),
                    minutes(f.acknowledge_times[tier], "p90"),
                ],
            )
            for tier in TIERS
        ],
        chart="bars",
    )
    escalation = Table(
        "escalation",
        _("Escalations and the review band"),
        [_("Escalations and review"), _("Number")],
        [
            (_("Alerts passed along the rota"), [count(f.escalated)]),
            (_("Alerts that reached the service leads"), [count(f.to_leads)]),
            (_("Posts for review opened in the period"), [count(f.review_opened)]),
            (_("Posts for review waiting now"), [count(f.review_open_now)]),
        ],
        note=_(
            "For review: only the statistical check saw a sign; staff look when "
            "they can and no one is paged."
        ),
    )
    return [moderation, reports, alerts, escalation]


def _oldest(times: Times) -> Cell:
    if times.n == 0:
        return Cell(NONE)
    return _duration(max(times.seconds), times.n, 3600)


def sections(f: Figures) -> list[Section]:
    """Every table of one pathway's page, in its sections."""
    return [
        Section("members", _("Members"), member_tables(f)),
        Section("activity", _("Activity"), activity_tables(f)),
        Section("response", _("Response"), response_tables(f)),
        Section("safety", _("Safety"), safety_tables(f)),
    ]


def survey_table(survey: Any) -> Table | None:
    """The survey's answers (a SurveySummary from community.survey, or
    anything of its shape) as a table, or None before any answer."""
    if survey is None or not survey.answered:
        return None
    ci = (
        Cell(NONE)
        if survey.low is None or survey.answered < SMALLEST
        else Cell(f"{round(100 * survey.low)}% to {round(100 * survey.high)}%")
    )
    rows: list[tuple[str, list[Cell]]] = [
        (
            _("The whole period"),
            [
                count(survey.answered),
                count(survey.agreeing),
                share(survey.agreeing, survey.answered),
                ci,
            ],
        )
    ]
    for week, answered, agreeing in survey.by_week:
        rows.append(
            (
                _("Week beginning %(day)s") % {"day": date_format(week, "j M Y")},
                [
                    count(answered),
                    count(agreeing),
                    share(agreeing, answered),
                    Cell(NONE),
                ],
            )
        )
    return Table(
        "survey",
        _("Has Harbour helped your recovery?"),
        [
            _("When"),
            _("Answers"),
            _("Agreeing"),
            _("Share agreeing"),
            _("95% confidence interval"),
        ],
        rows,
        chart="bars",
        chart_column=2,
        note=_(
            "Agreeing: answered 'agree' or 'strongly agree'. The interval is "
            "Wilson's: the share among everyone who might have answered is very "
            "likely within it."
        ),
    )


def side_by_side(
    per_pathway: Sequence[tuple[str, list[Section]]],
) -> list[Section]:
    """The trust's overview: each table of the pathway pages with one column
    a pathway and one row a figure (row, then heading), so all pathways sit
    side by side with the same figures."""
    if not per_pathway:
        return []
    names = [name for name, _sections in per_pathway]
    combined = []
    first = per_pathway[0][1]
    for s, section in enumerate(first):
        tables = []
        for t, table in enumerate(section.tables):
            rows: list[tuple[str, list[Cell]]] = []
            for r, (label, cells) in enumerate(table.rows):
                for c in range(len(cells)):
                    heading = table.columns[c + 1]
                    name = label if len(cells) == 1 else f"{label}: {heading}"
                    rows.append(
                        (
                            name,
                            [
                                sections_[s].tables[t].rows[r][1][c]
                                for _n, sections_ in per_pathway
                            ],
                        )
                    )
            tables.append(
                Table(
                    table.key, table.title, [_("Figure"), *names], rows, note=table.note
                )
            )
        combined.append(Section(section.key, section.title, tables, section.note))
    return combined


def all_tables(found: Iterable[Section]) -> list[Table]:
    return [table for section in found for table in section.tables]
