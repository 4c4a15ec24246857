"""Counting requests per client over the last minute, for the rate limits (REQ-24, REQ-25).

On PostgreSQL, where several server processes on several machines serve one site, the counts live in the
database (one atomic upsert per counted request, by the database's clock, so the machines' clocks do not
matter): every process sees one count. On SQLite one process serves (`contacts serve` refuses --workers),
so it counts in its own memory: a write per page view would queue every page behind the one writer that
signups and unsubscribes need.

Each client has two counts, this clock minute's and the previous one's. The requests of the last 60 s are
estimated as this minute's plus the previous minute's weighted by the part of it still within those 60 s
(a sliding window): a client cannot double its limit across the turn of a minute, and nothing older than
the previous minute is kept, so what is kept is bounded by the clients of two minutes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from contacts.machinery_tables import RateLimitCount
from contacts.settings import Settings

WINDOW_SECONDS = 60
# At most this many clients counted in memory in one minute (about 150 bytes each). Past it, the new ones
# share one count per limit: the limit still holds for them, together, and memory stays bounded.
MEMORY_MAX_BUCKETS = 100_000
OVERFLOW = "(many clients)"


class RateCounts(Protocol):
    async def hit(self, limit: str, client: str) -> tuple[float, int]:
        """Count one request: the client's requests under this limit in the last 60 s, this one included
        (estimated as above), and the seconds until this clock minute ends."""


def _estimate(hits: int, previous_hits: int, elapsed: float) -> float:
    return hits + previous_hits * max(0.0, 1 - elapsed / WINDOW_SECONDS)


class MemoryRateCounts:
    """One process's counts, for SQLite's single server process."""

    def __init__(self, max_buckets: int = MEMORY_MAX_BUCKETS, clock: Callable[[], float] = time.time) -> None:
        self.max_buckets, self._clock = max_buckets, clock
        self._window = 0
        self._counts: dict[tuple[str, str], int] = {}
        self._previous: dict[tuple[str, str], int] = {}

    async def hit(self, limit: str, client: str) -> tuple[float, int]:
        now = self._clock()
        window = int(now - now % WINDOW_SECONDS)
        if window != self._window:
            self._previous = self._counts if window == self._window + WINDOW_SECONDS else {}
            self._window, self._counts = window, {}
        key = (limit, client)
        if key not in self._counts and len(self._counts) >= self.max_buckets:
            key = (limit, OVERFLOW)
        hits = self._counts[key] = self._counts.get(key, 0) + 1
        return _estimate(hits, self._previous.get(key, 0), now - window), int(window + WINDOW_SECONDS - now)

    def __len__(self) -> int:
        return len(self._counts) + len(self._previous)


# The minute by the database's clock. A new one keeps the count of the one before it as the previous
# minute's (anything older counts nothing). GREATEST keeps a statement that read the clock just before the
# minute turned from taking the row back to the old minute.
_MINUTE = f"floor(extract(epoch FROM clock_timestamp()) / {WINDOW_SECONDS})::bigint * {WINDOW_SECONDS}"
_HIT = f"""
INSERT INTO rate_limit_count AS counted (bucket, window_start, hits, previous_hits) VALUES ({{}}, {_MINUTE}, 1, 0)
ON CONFLICT (bucket) DO UPDATE SET
    previous_hits = CASE WHEN excluded.window_start <= counted.window_start THEN counted.previous_hits
                         WHEN excluded.window_start = counted.window_start + {WINDOW_SECONDS} THEN counted.hits
                         ELSE 0 END,
    hits = CASE WHEN excluded.window_start <= counted.window_start THEN counted.hits + 1 ELSE 1 END,
    window_start = GREATEST(counted.window_start, excluded.window_start)
RETURNING hits, previous_hits, extract(epoch FROM clock_timestamp())::float8 - window_start AS elapsed
"""
_SWEEP = f"DELETE FROM rate_limit_count WHERE window_start < {_MINUTE} - {WINDOW_SECONDS}"


class DatabaseRateCounts:
    """Counts every server process shares, in PostgreSQL's unlogged table rate_limit_count."""

    def __init__(self) -> None:
        self._swept_window = 0

    async def hit(self, limit: str, client: str) -> tuple[float, int]:
        now = int(time.time())
        if now - now % WINDOW_SECONDS != self._swept_window:
            # Once a minute per process: rows older than the previous minute go, and the table holds the
            # clients of two minutes.
            self._swept_window = now - now % WINDOW_SECONDS
            await RateLimitCount.raw(_SWEEP)
        row = (await RateLimitCount.raw(_HIT, f"{limit}:{client}"[:200]))[0]
        elapsed = float(row["elapsed"])
        return _estimate(row["hits"], row["previous_hits"], elapsed), max(1, int(WINDOW_SECONDS - elapsed))


def rate_counts_for(settings: Settings) -> RateCounts:
    return DatabaseRateCounts() if settings.database_kind == "postgresql" else MemoryRateCounts()
