"""Counting requests per client and per minute, for the rate limits (REQ-24, REQ-25).

On PostgreSQL, where several server processes on several machines serve one site, the counts live in the
database (one atomic upsert per counted request, by the database's clock, so the machines' clocks do not
matter): every process sees one count. On SQLite one process serves (`contacts serve` refuses --workers),
so it counts in its own memory: a write per page view would queue every page behind the one writer that
signups and unsubscribes need.

Counts are kept for the current minute only (fixed windows): a new minute starts every count again and
sweeps the old ones away, so what is kept is bounded by the clients of one minute.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from contacts.settings import Settings
from contacts.tables import RateLimitCount

WINDOW_SECONDS = 60
# At most this many clients counted in memory in one minute (about 150 bytes each). Past it, the new ones
# share one count per limit: the limit still holds for them, together, and memory stays bounded.
MEMORY_MAX_BUCKETS = 100_000
OVERFLOW = "(many clients)"


class RateCounts(Protocol):
    async def hit(self, limit: str, client: str) -> tuple[int, int]:
        """Count one request: the client's requests under this limit in the current minute, this one
        included, and the seconds until that minute ends."""


class MemoryRateCounts:
    """One process's counts, for SQLite's single server process."""

    def __init__(self, max_buckets: int = MEMORY_MAX_BUCKETS, clock: Callable[[], float] = time.time) -> None:
        self.max_buckets, self._clock = max_buckets, clock
        self._window = 0
        self._counts: dict[tuple[str, str], int] = {}

    async def hit(self, limit: str, client: str) -> tuple[int, int]:
        now = int(self._clock())
        window = now - now % WINDOW_SECONDS
        if window != self._window:
            self._window, self._counts = window, {}
        key = (limit, client)
        if key not in self._counts and len(self._counts) >= self.max_buckets:
            key = (limit, OVERFLOW)
        hits = self._counts[key] = self._counts.get(key, 0) + 1
        return hits, window + WINDOW_SECONDS - now

    def __len__(self) -> int:
        return len(self._counts)


# Another minute (by the database's clock) starts the count again. GREATEST keeps a statement that read the
# clock just before the minute turned from taking the row back to the old minute.
_HIT = f"""
INSERT INTO rate_limit_count AS counted (bucket, window_start, hits)
VALUES ({{}}, floor(extract(epoch FROM clock_timestamp()) / {WINDOW_SECONDS})::bigint * {WINDOW_SECONDS}, 1)
ON CONFLICT (bucket) DO UPDATE SET
    hits = CASE WHEN excluded.window_start <= counted.window_start THEN counted.hits + 1 ELSE 1 END,
    window_start = GREATEST(counted.window_start, excluded.window_start)
RETURNING hits, (window_start + {WINDOW_SECONDS} - extract(epoch FROM clock_timestamp()))::int AS reset
"""
_SWEEP = f"""
DELETE FROM rate_limit_count
WHERE window_start < floor(extract(epoch FROM clock_timestamp()) / {WINDOW_SECONDS})::bigint * {WINDOW_SECONDS}
"""


class DatabaseRateCounts:
    """Counts every server process shares, in PostgreSQL's unlogged table rate_limit_count."""

    def __init__(self) -> None:
        self._swept_window = 0

    async def hit(self, limit: str, client: str) -> tuple[int, int]:
        now = int(time.time())
        if now - now % WINDOW_SECONDS != self._swept_window:
            # Once a minute per process: the rows of past minutes go, and the table holds one minute's clients.
            self._swept_window = now - now % WINDOW_SECONDS
            await RateLimitCount.raw(_SWEEP)
        row = (await RateLimitCount.raw(_HIT, f"{limit}:{client}"[:200]))[0]
        return row["hits"], max(1, row["reset"])


def rate_counts_for(settings: Settings) -> RateCounts:
    return DatabaseRateCounts() if settings.database_kind == "postgresql" else MemoryRateCounts()
