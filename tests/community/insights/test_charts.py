"""Charts: an accessible image drawn from its table, no number the table
does not show, nothing drawn for a suppressed figure, no script or style."""

import re

from community.insights.charts import chart
from community.insights.tables import Cell, Table, count


def table(kind="bars", rows=None):
    return Table(
        "demo",
        "Activity <by> kind",
        ["Kind", "Posts"],
        rows
        or [("Topics", [count(40)]), ("Replies", [count(3)]), ("Wall", [count(10)])],
        chart=kind,
    )


def numbers(svg: str) -> set[str]:
    """Every number written in the chart's text (not its geometry)."""
    texts = re.findall(r">([^<]*)<", svg)
    return {n for text in texts for n in re.findall(r"\d+(?:\.\d+)?", text)}


def shown(t: Table) -> set[str]:
    """Every number the table shows, its labels and headings included."""
    texts = [t.title, *t.columns]
    texts += [
        part for label, cells in t.rows for part in (label, *(c.text for c in cells))
    ]
    return {n for text in texts for n in re.findall(r"\d+(?:\.\d+)?", text)}


def test_bars_are_an_accessible_image_named_by_their_title():
    svg = str(chart(table()))
    assert svg.startswith('<svg class="harbour-chart" role="img"')
    assert 'aria-labelledby="chart-demo-title chart-demo-desc"' in svg
    assert (
        '<title id="chart-demo-title">Chart: Activity &lt;by&gt; kind, posts</title>'
        in svg
    )
    assert "script" not in svg and "style" not in svg


def test_a_suppressed_figure_draws_no_bar_and_no_number():
    svg = str(chart(table()))
    assert svg.count("<rect") == 3  # two bars and one hollow mark
    assert 'fill="none"' in svg
    assert "fewer than 5" in svg
    assert numbers(svg) <= shown(table())
    assert "3" not in numbers(svg)


def test_bars_scale_to_the_largest_shown_number():
    svg = str(chart(table()))
    widths = [int(w) for w in re.findall(r'<rect x="0" y="\d+" width="(\d+)"', svg)]
    assert widths == [210, 52]  # 40 fills the room, 10 a quarter of it


def test_columns_label_only_what_the_table_shows():
    rows = [(f"{d} Mar 2026", [count(n)]) for d, n in ((2, 12), (9, 2), (16, 30))]
    weeks = table("columns", rows)
    svg = str(chart(weeks))
    assert "<title>9 Mar 2026: fewer than 5</title>" in svg
    assert numbers(svg) <= shown(weeks)
    assert ">30<" in svg  # the tallest is labelled


def test_no_chart_for_a_table_without_one():
    assert str(chart(Table("x", "X", ["A", "B"], [("r", [Cell("1", 1)])]))) == ""


def test_labels_are_escaped():
    svg = str(chart(table(rows=[("<script>", [count(9)])])))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
