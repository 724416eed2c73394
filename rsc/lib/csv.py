"""CSV files people open in a spreadsheet: every cell is text, never a formula.

A cell that starts like a formula ("=", "+", "-", "@", a tab or a carriage return) gets a leading
apostrophe, so a spreadsheet shows it instead of running it (OWASP's CSV injection advice).
"""

import csv
import io
from collections.abc import Iterable, Iterator

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell's text: empty for None, yes/no for booleans, lists joined with "; ", formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        value = "; ".join(map(str, value))
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(columns: list[str], rows: Iterable[dict]) -> bytes:
    """A whole file: a header of `columns`, then one line per row (a dict by column)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([neutralise(row[column]) for column in columns] for row in rows)
    # With a byte-order mark, spreadsheet programs read the file as UTF-8.
    return buffer.getvalue().encode("utf-8-sig")


class _Echo:
    """A file-like object that hands back what is written, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """The lines of a file, one at a time, for a streaming response."""
    writer = csv.writer(_Echo())
    return (writer.writerow([neutralise(cell) for cell in row]) for row in rows)
