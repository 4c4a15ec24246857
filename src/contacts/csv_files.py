"""Every CSV file the product writes goes through `writer`, so that no spreadsheet runs one of its cells as a
formula (CSV injection): a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is written
with an apostrophe before it, as OWASP advises. A cell that starts with an apostrophe followed by such a
cell is given one more, so that the rule can be undone exactly: `plain_cell` takes the apostrophe off
again, and the product's own readers (the contacts import, the suppression import, the import's row
report shown on the staff pages) read every file it wrote as it was meant.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

MEDIA_TYPE = "text/csv"  # Litestar adds `; charset=utf-8` to every text/* media type
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) or (text.startswith(_QUOTE) and _needs_quote(text[1:]))


def safe_cell(value: Any) -> str:
    """A cell's text, quoted with an apostrophe when a spreadsheet would run it as a formula."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    else:
        text = str(value)
    return _QUOTE + text if _needs_quote(text) else text


def plain_cell(text: str) -> str:
    """The text `safe_cell` was given: its apostrophe taken off again."""
    if text.startswith(_QUOTE) and _needs_quote(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """`csv.writer`, each cell through `safe_cell`."""

    def __init__(self, out: TextIO, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out: TextIO, **options: Any) -> SafeWriter:
    """The one way to write CSV: `options` are `csv.writer`'s (`lineterminator`, `delimiter`, …)."""
    return SafeWriter(out, **options)
