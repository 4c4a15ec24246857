"""The preview of an import (a dry run): every batch is looked up and decided as the import decides it, with
reads only, so it holds no write lock, however long the file.

What earlier batches would have written is kept in a scratch SQLite file of this process (which address,
first at which row), not in memory and never in the shared tables: a 500,000-row preview stays in bounded
memory, and a later row for the same address is counted a duplicate, as the import counts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from contacts.db.bulk import BulkSession
from contacts.services.importing.rows import ValidRow
from contacts.services.importing.store import (
    BatchOutcome,
    ImportContext,
    look_up,
    plan_contacts,
    plan_subscriptions,
    subscription_statuses,
)

# SQLite's limit on bound parameters is 32,766.
_LOOKUP_CHUNK = 10_000
# Enough for the addresses of a million rows to stay in memory pages, rather than go through the disk's.
_CACHE_KIB = 64 * 1024


class WrittenSoFar:
    """The addresses a previewed import would have written so far, each with its first row. Its statements
    run on a thread of its own: the event loop serves requests meanwhile."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-preview")
        self._connection: sqlite3.Connection | None = None

    @property
    def _opened(self) -> sqlite3.Connection:
        """The connection that `open` made."""
        if self._connection is None:
            raise RuntimeError("the import preview is not open")
        return self._connection

    async def _call(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def open(self) -> None:
        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(self._path)
            # A scratch file, deleted afterwards: no journal and no sync to disk are needed.
            connection.execute("PRAGMA journal_mode = OFF")
            connection.execute("PRAGMA synchronous = OFF")
            connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            connection.execute("CREATE TABLE written (canonical TEXT PRIMARY KEY, row INTEGER) WITHOUT ROWID")
            return connection

        self._connection = await self._call(connect)

    async def first_rows(self, canonicals: list[str]) -> dict[str, int]:
        def select() -> dict[str, int]:
            found: dict[str, int] = {}
            for start in range(0, len(canonicals), _LOOKUP_CHUNK):
                chunk = canonicals[start : start + _LOOKUP_CHUNK]
                found.update(self._opened.execute(
                    f"SELECT canonical, row FROM written WHERE canonical IN ({', '.join('?' * len(chunk))})", chunk))
            return found

        return await self._call(select)

    async def add(self, rows: list[ValidRow]) -> None:
        def insert() -> None:
            with self._opened:  # one transaction, not one per row
                self._opened.executemany("INSERT OR IGNORE INTO written VALUES (?, ?)",  # in order: fewer pages
                                             sorted((row.canonical, row.number) for row in rows))

        await self._call(insert)

    async def close(self) -> None:
        if self._connection is not None:
            await self._call(self._connection.close)
        self._executor.shutdown(wait=True)


@contextlib.asynccontextmanager
async def written_so_far() -> AsyncIterator[WrittenSoFar]:
    with tempfile.TemporaryDirectory(prefix="contacts-preview-") as folder:
        written = WrittenSoFar(Path(folder) / "written.db")
        try:
            await written.open()
            yield written
        finally:
            await written.close()


async def count_batch(session: BulkSession, rows: list[ValidRow], ctx: ImportContext,
                      written: WrittenSoFar) -> BatchOutcome:
    """What `store.apply_batch` would do with these rows, counted and noted, with reads only."""
    found = await look_up(session, rows, ctx)
    plan = plan_contacts(rows, found, await written.first_rows([row.canonical for row in rows]), ctx)
    await written.add(plan.written)
    known = {current["id"]: row for row, current in (*plan.to_update, *plan.to_mark)}
    statuses = await subscription_statuses(session, list(known), ctx)
    # New contacts have no id yet, nor any subscription: a key of their own is enough.
    new = {("new", row.number): row for row in plan.to_create}
    plan_subscriptions({**new, **known}, statuses, ctx, plan.outcome)
    return plan.outcome
