"""CSV copies of the insights tables (Python's csv module). Every text cell
that a spreadsheet would take for a formula (it starts with = + - @, a tab
or a carriage return) is given a leading apostrophe, so a pathway's name or
a label can never run as a formula on a lead's computer (OWASP: CSV
injection). Suppressed figures read "fewer than 5" here as on the page."""

import csv
import io

from community.insights.tables import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe(text: str) -> str:
    """`text` as a spreadsheet will show it, never run it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(table: Table, heading: list[str] | None = None) -> str:
    """The table as CSV text: `heading` rows first (what and when), then its
    column headings and one line a row."""
    out = io.StringIO()
    writer = csv.writer(out)
    for line in heading or []:
        writer.writerow([safe(line)])
    writer.writerow([safe(str(c)) for c in table.columns])
    for label, cells in table.rows:
        writer.writerow([safe(str(label)), *(safe(cell.text) for cell in cells)])
    return out.getvalue()
