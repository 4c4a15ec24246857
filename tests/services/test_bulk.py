"""Bulk sessions: several statements in one round trip, and statements planned once."""

from __future__ import annotations

import pytest

from contacts.db.bulk import PostgresBulkSession, bulk_session
from contacts.domain import Channel
from contacts.services.people import suppression

pytestmark = pytest.mark.usefixtures("database_url")


async def test_statements_run_together_each_give_their_rows_by_column_name():
    await suppression.suppress("a@example.org", "manual", actor="test", channel=Channel.CLI)
    async with bulk_session() as session:
        among, hashes = session.among(["nothing-like-it"])
        results = await session.fetch_together([
            ("UPDATE suppression SET created_by = ? RETURNING id, created_by AS who", ["bulk"]),
            ("SELECT scope, reason FROM suppression", []),
            (f"SELECT id FROM suppression WHERE address_hash {among}", hashes),
        ])
        assert results == [[{"id": 1, "who": "bulk"}], [{"scope": "global", "reason": "manual"}], []]
        # Written: a later statement sees it.
        assert await session.fetch("SELECT created_by FROM suppression") == [{"created_by": "bulk"}]


async def test_on_postgresql_statements_run_together_apply_all_or_nothing():
    async with bulk_session() as session:
        if not isinstance(session, PostgresBulkSession):
            pytest.skip("SQLite runs them in turn")
        await suppression.suppress("a@example.org", "manual", actor="test", channel=Channel.CLI)
        with pytest.raises(session.database_errors):
            await session.fetch_together([
                ("UPDATE suppression SET created_by = ? RETURNING id", ["bulk"]),
                ("SELECT 1 / 0 AS nothing", []),
            ])
        assert await session.fetch("SELECT created_by FROM suppression") == [{"created_by": "test"}]


async def test_a_session_that_plans_once_still_sees_the_rows_of_today():
    digest = suppression.keyring().current.digest("a@example.org")
    async with bulk_session() as session:
        await session.plan_once()
        among, params = session.among([digest])
        sql = f"SELECT scope FROM suppression WHERE address_hash {among}"
        for _ in range(7):  # past the runs after which PostgreSQL may settle on a plan of its own
            assert await session.fetch(sql, *params) == []
        await suppression.suppress("a@example.org", "manual", actor="test", channel=Channel.CLI)
        assert await session.fetch(sql, *params) == [{"scope": "global"}]
