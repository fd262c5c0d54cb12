"""CSV of a table: headings, rows, suppression, no formula ever runs."""

import csv
import io

from community.insights.export import safe, table_csv
from community.insights.tables import Cell, Table, count


def test_formulas_are_made_plain_text():
    assert safe("=1+1") == "'=1+1"
    assert safe("+44") == "'+44"
    assert safe("-2") == "'-2"
    assert safe("@SUM(A1)") == "'@SUM(A1)"
    assert safe("\tx") == "'\tx"
    assert safe("Forum topics") == "Forum topics"
    assert safe("–") == "–"


def test_a_table_as_csv():
    table = Table(
        "t", "Title", ["Kind", "Number"], [("=cmd", [count(3)]), ("Wall", [count(7)])]
    )
    rows = list(csv.reader(io.StringIO(table_csv(table, ["Where: Title"]))))
    assert rows == [
        ["Where: Title"],
        ["Kind", "Number"],
        ["'=cmd", "fewer than 5"],
        ["Wall", "7"],
    ]
    assert Cell("7", 7) == table.rows[1][1][0]
