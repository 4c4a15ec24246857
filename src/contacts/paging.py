"""Statements whose list of values grows with the data run a page of values at a time.

PostgreSQL's protocol carries at most 32,767 bound parameters per statement, SQLite at most 32,766
(SQLITE_MAX_VARIABLE_NUMBER; 999 before 3.32): an `IN (…)` over every guest of a list, or an `INSERT` of
every row at once, fails past them. Callers that must stay atomic wrap the pages in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")

# Values (or rows) per statement: well under both limits, even for a row of a dozen columns, and large
# enough that the round trips cost little next to the work.
VALUES_PER_STATEMENT = 1_000


def pages(values: Sequence[T], size: int = VALUES_PER_STATEMENT) -> Iterator[Sequence[T]]:
    """`values` in consecutive slices of at most `size`; none when there are none."""
    for start in range(0, len(values), size):
        yield values[start:start + size]
