"""The database layer's own guarantees."""

from __future__ import annotations

import asyncio

import pytest

from contacts.db.engine import engine, write_transaction
from contacts.domain import Channel
from contacts.services.people import suppression
from contacts.tables import Suppression

pytestmark = pytest.mark.usefixtures("database_url")


# A task cancelled while its COMMIT is under way (background work stopped at shutdown) gives its pooled
# connection back: closing the pool afterwards would otherwise wait forever.
async def test_a_write_cancelled_during_its_commit_gives_its_connection_back(monkeypatch):
    from piccolo.engine.postgres import PostgresEngine, PostgresTransaction

    db = engine()
    if not isinstance(db, PostgresEngine):
        pytest.skip("SQLite has no connection pool")
    committing = asyncio.Event()
    real_commit = PostgresTransaction.commit

    async def slow_commit(self):
        committing.set()
        await asyncio.sleep(0.2)
        await real_commit(self)

    monkeypatch.setattr(PostgresTransaction, "commit", slow_commit)

    async def write() -> None:
        async with write_transaction():
            await suppression.suppress("a@example.org", "manual", actor="test", channel=Channel.CLI)

    task = asyncio.create_task(write())
    await committing.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert db.pool.get_size() == db.pool.get_idle_size()  # every connection is back
    monkeypatch.undo()
    assert await Suppression.count() in (0, 1)  # committed or rolled back, never half-written
