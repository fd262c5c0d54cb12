"""Charts drawn on the server as inline SVG: no script, nothing the page's
Content-Security-Policy forbids (presentation attributes only, no style
attributes or elements). Each chart is drawn from a `tables.Table` and sits
beside it; it writes no number but the cells' own text, and draws nothing
for a suppressed cell (no bar whose length would tell its size): a small
hollow mark and the words "fewer than 5" stand in its place. The scale is
set by the largest number shown, never by a hidden one. The chart is one
image to assistive technology (role="img"), named by its title and
described as the table beside it."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from community.insights.tables import Table

WIDTH = 300  # about the width it is drawn at, so its text reads at 14px
BAR_ROW = 44
INK = "#212b32"
BAR = "#005eb8"
MUTED = "#768692"


def chart(table: Table) -> SafeString:
    """The chart a table asks for ("bars" or "columns"), or nothing."""
    if table.chart == "bars":
        return bars(table)
    if table.chart == "columns":
        return columns(table)
    return mark_safe("")  # noqa: S308 - an empty string


def _points(table: Table):
    rows = table.rows[: table.chart_rows] if table.chart_rows else table.rows
    return [(label, cells[table.chart_column]) for label, cells in rows]


def _frame(table: Table, height: int, body: SafeString) -> SafeString:
    key = f"chart-{table.key}"
    return format_html(
        '<svg class="harbour-chart" role="img" aria-labelledby="{k}-title {k}-desc"'
        ' viewBox="0 0 {w} {h}" width="100%" preserveAspectRatio="xMinYMin meet"'
        ' xmlns="http://www.w3.org/2000/svg" focusable="false">'
        '<title id="{k}-title">{title}</title><desc id="{k}-desc">{desc}</desc>'
        "{body}</svg>",
        k=key,
        w=WIDTH,
        h=height,
        title=table.chart_title,
        desc=_("The same figures are in the table “%(title)s”.")
        % {"title": table.title},
        body=body,
    )


def bars(table: Table) -> SafeString:
    """One horizontal bar a row: its label above, its value at its end."""
    points = _points(table)
    shown = [cell.number for _label, cell in points if cell.number is not None]
    top = max(shown, default=0) or 1
    room = WIDTH - 90  # the value's text sits to the right of the longest bar
    parts = []
    for i, (label, cell) in enumerate(points):
        y = i * BAR_ROW
        parts.append(
            format_html(
                '<text x="0" y="{}" font-size="14" fill="{}">{}</text>',
                y + 15,
                INK,
                label,
            )
        )
        if cell.number is not None:
            length = max(round(room * cell.number / top), 1 if cell.number else 0)
            parts.append(
                format_html(
                    '<rect x="0" y="{}" width="{}" height="16" fill="{}"></rect>'
                    '<text x="{}" y="{}" font-size="14" fill="{}">{}</text>',
                    y + 21,
                    length,
                    BAR,
                    length + 6,
                    y + 34,
                    INK,
                    cell.text,
                )
            )
        else:
            parts.append(_stand_in(6, y + 29, 18, y + 34, cell.text))
    height = max(len(points), 1) * BAR_ROW
    return _frame(table, height, format_html_join("", "{}", ((p,) for p in parts)))


def columns(table: Table) -> SafeString:
    """One column a row (a week), left to right; the first and the tallest
    are labelled with their text, each column carries its label and value as
    a tooltip (the table has them all)."""
    points = _points(table)
    height, base, label_room = 220, 180, 40
    n = max(len(points), 1)
    step = (WIDTH - 10) / n
    width = max(step * 0.7, 1)
    shown = [cell.number for _label, cell in points if cell.number is not None]
    top = max(shown, default=0) or 1
    tallest = next(
        (i for i, (_l, c) in enumerate(points) if c.number == top and shown), None
    )
    parts = []
    for i, (label, cell) in enumerate(points):
        x = round(5 + i * step, 1)
        tip = f"{label}: {cell.text}"
        if cell.number is not None:
            h = max(
                round((base - label_room) * cell.number / top), 1 if cell.number else 0
            )
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}</title></rect>",
                    x,
                    base - h,
                    round(width, 1),
                    h,
                    BAR,
                    tip,
                )
            )
            if i == tallest:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" font-size="13" fill="{}">{}</text>',
                        x,
                        base - h - 6,
                        INK,
                        cell.text,
                    )
                )
        else:
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="6" fill="none"'
                    ' stroke="{}"><title>{}</title></rect>',
                    x,
                    base - 6,
                    round(width, 1),
                    MUTED,
                    tip,
                )
            )
    if points:
        parts.append(
            format_html(
                '<line x1="0" y1="{b}" x2="{w}" y2="{b}" stroke="{c}"></line>'
                '<text x="5" y="{y}" font-size="13" fill="{c}">{first}</text>'
                '<text x="{w}" y="{y}" font-size="13" fill="{c}"'
                ' text-anchor="end">{last}</text>',
                b=base,
                w=WIDTH,
                c=INK,
                y=base + 20,
                first=points[0][0],
                last=points[-1][0] if len(points) > 1 else "",
            )
        )
    return _frame(table, height, format_html_join("", "{}", ((p,) for p in parts)))


def _stand_in(x: int, y: int, text_x: int, text_y: int, text: str) -> SafeString:
    return format_html(
        '<rect x="{}" y="{}" width="8" height="8" fill="none" stroke="{}"></rect>'
        '<text x="{}" y="{}" font-size="14" fill="{}">{}</text>',
        x,
        y - 6,
        MUTED,
        text_x,
        text_y,
        INK,
        text,
    )
