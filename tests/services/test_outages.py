"""REQ-42: work that needs the database waits for it when it goes away (outages.py), instead of dying; past
the limit it gives up with one clear error. The sender's side is in tests/sending/test_database_outage.py;
here the pieces, and the daily retention run and the server's background loop."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import asyncpg
import pytest

from contacts.background import repeating
from contacts.outages import DatabaseUnavailable, Outage, caused_by_outage
from contacts.services.retention import daily, engine


def test_req42_an_outage_is_told_from_a_wrong_statement():
    for error in (ConnectionRefusedError(111, "refused"), ConnectionResetError(), TimeoutError(),
                  asyncpg.exceptions.ConnectionDoesNotExistError("closed in the middle"),
                  asyncpg.exceptions.AdminShutdownError("terminating connection"),
                  asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
                  asyncpg.InterfaceError("cannot perform operation: connection is closed"),
                  sqlite3.OperationalError("database is locked"),
                  OSError("Multiple exceptions: [Errno 111] Connect call failed ('::1', 5432, 0, 0)"),
                  ExceptionGroup("run", [ConnectionResetError(), asyncpg.InterfaceError("connection is closed")])):
        assert caused_by_outage(error), error
    for error in (ValueError("bad"), FileNotFoundError(2, "templates/emails"), PermissionError(13, "denied"),
                  asyncpg.exceptions.UniqueViolationError("duplicate"),
                  asyncpg.InterfaceError("the server expects 2 arguments"), sqlite3.OperationalError("no such table"),
                  ExceptionGroup("run", [ConnectionResetError(), ValueError("bad")]), DatabaseUnavailable("gone")):
        assert not caused_by_outage(error), error


async def test_req42_a_call_waits_for_the_database_then_gives_up_past_the_limit(caplog):
    tries = []

    async def back_on_the_third_try() -> str:
        tries.append(1)
        if len(tries) < 3:
            raise ConnectionRefusedError(111, "Connection refused")
        return "done"

    with caplog.at_level(logging.WARNING, logger="contacts.outages"):
        assert await Outage(limit=60).call(back_on_the_third_try) == "done"
    lines = [record.getMessage() for record in caplog.records]
    assert [line.split(" / ")[1].split("…")[0] for line in lines[:2]] == [
        "database unreachable, retrying in 0.5 s", "database unreachable, retrying in 1.0 s"]
    assert "database back after" in lines[2] and len(lines) == 3

    async def never() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(DatabaseUnavailable, match="CONTACTS_DATABASE_OUTAGE_LIMIT=1"):
        await Outage(limit=1).call(never)


async def test_req42_the_daily_retention_run_rides_out_an_outage(database_url, monkeypatch):
    real_run, tries = engine.run, []

    async def run_after_an_outage(**kwargs):
        tries.append(1)
        if len(tries) == 1:
            raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation")
        return await real_run(**kwargs)

    monkeypatch.setattr(engine, "run", run_after_an_outage)
    report = await daily.run_if_due(outage=Outage(limit=60))
    assert report is not None and len(tries) == 2
    last = await daily.last_run()
    assert last is not None and last.finished_at is not None  # not left claimed and unfinished for the day


async def test_req42_a_background_loop_says_an_outage_in_one_line(caplog):
    passes = []

    async def work() -> None:
        passes.append(1)
        raise DatabaseUnavailable("database unreachable for 180 s")

    with caplog.at_level(logging.INFO, logger="contacts.background"):
        async with repeating(work, pause=0.01, what="the background sender"):
            while len(passes) < 2:
                await asyncio.sleep(0.01)
    assert caplog.records and all(record.exc_info is None for record in caplog.records)  # no traceback
    assert "the background sender: database unreachable for 180 s" in caplog.records[0].getMessage()


async def test_req42_a_sqlite_statement_locked_out_too_long_is_tried_again(tmp_path):
    from contacts.db.bulk import SqliteBulkSession

    session = SqliteBulkSession(str(tmp_path / "locked.db"), Outage(limit=60))
    await session.open()
    try:
        real_call, tries = session._call, []

        async def locked_once(function, *args):
            tries.append(1)
            if len(tries) == 1:
                raise sqlite3.OperationalError("database is locked")
            return await real_call(function, *args)

        session._call = locked_once
        assert await session.fetch("SELECT 1 AS one") == [{"one": 1}] and len(tries) == 2
        async with session.transaction():  # inside a transaction, the caller decides: nothing is tried again
            tries.clear()
            with pytest.raises(sqlite3.OperationalError):
                await session.fetch("SELECT 1 AS one")
    finally:
        session._call = real_call
        await session.close()
