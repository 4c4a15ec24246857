"""SQLite: a one-click unsubscribe that finds the write lock held by another process past the busy timeout
waits for its turn instead of failing with "database is locked"."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from contacts.domain import Channel, SubscriptionStatus
from contacts.services.optout import writer as optout_writer
from contacts.tables import Contact, MailingList, Subscription
from tests.conftest import ENGINE
from tests.web.conftest import import_to

pytestmark = [pytest.mark.usefixtures("database_url"),
              pytest.mark.skipif(ENGINE != "sqlite", reason="SQLite's write lock and busy timeout")]


# REQ-29: a one-click is never answered with a server error because the database was locked meanwhile, and
# the writer's session is still usable afterwards.
async def test_req29_a_one_click_waits_out_a_lock_held_past_the_busy_timeout(tmp_path, database_url, monkeypatch):
    await import_to(tmp_path, "journalists", "ada@example.org", "bob@example.org")
    monkeypatch.setattr("contacts.db.bulk.SQLITE_BUSY_TIMEOUT_SECONDS", 0.01)
    contacts = {row["email_canonical"]: row["id"] for row in await Contact.select(Contact.id, Contact.email_canonical)}
    journalists = (await MailingList.select(MailingList.id).where(MailingList.slug == "journalists").first())["id"]

    def leaving(email: str) -> list[optout_writer.Unsubscribe]:
        return [optout_writer.Unsubscribe(contacts[email], journalists, Channel.ONE_CLICK, reason="one-click")]

    other_process = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        async with optout_writer.running_writer():
            other_process.execute("BEGIN IMMEDIATE")
            waiting = asyncio.ensure_future(optout_writer.unsubscribe(leaving("ada@example.org")))
            for _ in range(20):  # several busy timeouts go by
                await asyncio.sleep(0.01)
            assert not waiting.done()
            other_process.execute("COMMIT")
            assert await waiting == [True]
            assert await optout_writer.unsubscribe(leaving("bob@example.org")) == [True]
    finally:
        other_process.close()
    statuses = {row["status"] for row in await Subscription.select(Subscription.status)}
    assert statuses == {SubscriptionStatus.UNSUBSCRIBED}
