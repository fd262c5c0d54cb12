"""Figures as cells: small numbers suppressed, shares and times from fewer
than 5 suppressed, the overview side by side."""

from community.insights.figures import Times
from community.insights.tables import (
    Cell,
    Section,
    Table,
    count,
    hours,
    minutes,
    share,
    side_by_side,
    survey_table,
)

FEWER = "fewer than 5"


def test_counts_from_one_to_four_are_fewer_than_5():
    assert [count(n).text for n in range(7)] == [
        "0",
        FEWER,
        FEWER,
        FEWER,
        FEWER,
        "5",
        "6",
    ]
    assert count(3).number is None and count(3).suppressed
    assert count(0) == Cell("0", 0)


def test_shares_need_five_behind_them():
    assert share(0, 0).text == "–"
    assert share(1, 4).text == FEWER and share(1, 4).number is None
    assert share(1, 5).text == FEWER  # it would tell the 1
    assert share(5, 20) == Cell("25%", 25)
    assert share(0, 20) == Cell("0%", 0)
    assert share(2, 3).number is None


def test_times_need_five_behind_them():
    assert hours(Times()).text == "–"
    assert hours(Times([3600] * 4)).text == FEWER
    five = Times([60, 120, 180, 240, 6000])
    assert minutes(five) == Cell("3", 3)
    assert minutes(five, "p90") == Cell("100", 100)
    assert hours(Times([5400] * 5)) == Cell("1.5", 1.5)


def test_the_90th_percentile_is_the_nearest_rank():
    assert Times(list(range(1, 11))).p90 == 9
    assert Times(list(range(1, 12))).p90 == 10
    assert Times([1, 2, 3, 4]).median == 2.5


class Summary:
    """A SurveySummary-shaped answer (community.survey builds the real one)."""

    def __init__(self, answered, agreeing, share, low, high, by_week):
        self.answered, self.agreeing, self.share = answered, agreeing, share
        self.low, self.high, self.by_week = low, high, by_week


def test_the_survey_as_a_table():
    from datetime import date

    assert survey_table(None) is None
    assert survey_table(Summary(0, 0, None, None, None, [])) is None
    table = survey_table(
        Summary(
            40,
            34,
            0.85,
            0.71,
            0.93,
            [(date(2026, 3, 23), 36, 31), (date(2026, 3, 30), 4, 3)],
        )
    )
    assert table is not None
    assert [c.text for c in table.rows[0][1]] == ["40", "34", "85%", "71% to 93%"]
    assert [c.text for c in table.rows[2][1]] == [FEWER, FEWER, FEWER, "–"]
    assert table.rows[1][0] == "Week beginning 23 Mar 2026"


def test_side_by_side_has_a_column_a_pathway():
    def one(n):
        return [
            Section(
                "s",
                "S",
                [
                    Table(
                        "t",
                        "T",
                        ["Kind", "A", "B"],
                        [("Row", [count(n), count(n + 1)])],
                    )
                ],
            )
        ]

    combined = side_by_side([("North", one(10)), ("South", one(2))])
    table = combined[0].tables[0]
    assert table.columns == ["Figure", "North", "South"]
    assert [(label, [c.text for c in cells]) for label, cells in table.rows] == [
        ("Row: A", ["10", FEWER]),
        ("Row: B", ["11", FEWER]),
    ]
    assert side_by_side([]) == []
