"""The import preview (a dry run): the counts and the row report of the import it announces, with reads only,
so recipients' writes go through while it runs."""

from __future__ import annotations

import csv
import sqlite3

import asyncpg
import pytest

from contacts.db.engine import write_transaction
from contacts.domain import Channel, ContactStatus, SourceType, SubscriptionStatus
from contacts.services.importing import ImportOptions, run_import
from contacts.services.optout import links as optout
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import ConsentEvent, Contact, ImportRun, MailingList, Subscription
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.conftest import ENGINE

pytestmark = pytest.mark.usefixtures("database_url")

EXISTING = "email,first_name\nsame@example.org,Sam\nchanged@example.org,Avant\nrestricted@example.org,R\nleft@example.org,L\n"
MIXED = (
    "email,first_name,address_kind\n"
    "new1@example.org,Un,\n"  # new
    "same@example.org,Sam,\n"  # existing, unchanged
    "changed@example.org,Après,\n"  # existing, updated
    "NEW1@example.org,Again,\n"  # duplicate, in the next batch or the same one
    "gone@example.org,G,\n"  # suppressed
    "not an address,X,\n"  # invalid
    "restricted@example.org,R,\n"  # restricted
    "left@example.org,L,\n"  # unsubscribed earlier: not re-subscribed
    "private@example.org,P,private\n"  # a private individual, no consent: invalid for marketing
    "same@example.org,Sam again,\n"  # duplicate of an existing contact written by this import
    "gone@example.org,G,\n"  # suppressed again
    "new2@example.org,Deux,\n"  # new
)


async def _import(path, **overrides):
    return await run_import(ImportOptions(path=path, list_slug="journalists", source_type=SourceType.THIRD_PARTY,
                                          source_name="Annuaire", actor="test", workers=0, **overrides))


def _report(path) -> list[tuple[str, str, str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [tuple(row.values()) for row in csv.DictReader(handle)]


async def _tables() -> tuple[int, ...]:
    return (await Contact.count(), await Subscription.count(), await ConsentEvent.count(), await ImportRun.count())


async def _existing_contacts(tmp_path) -> None:
    (tmp_path / "before.csv").write_text(EXISTING)
    await _import(tmp_path / "before.csv")
    await suppression.suppress("gone@example.org", "unsubscribe", actor="test", channel=Channel.CLI)
    async with write_transaction():
        await Contact.update({Contact.status: ContactStatus.RESTRICTED}).where(
            Contact.email_canonical == "restricted@example.org")
        left = await Contact.select(Contact.id).where(Contact.email_canonical == "left@example.org").first()
        await Subscription.update({Subscription.status: SubscriptionStatus.UNSUBSCRIBED}).where(
            Subscription.contact == left["id"])


# REQ-42, REQ-43: the preview's counts and row report are those of the import that follows, on a file with
# every kind of row, whatever the batches; and it writes nothing.
@pytest.mark.parametrize("batch_size", [1, 3, 1000])
async def test_the_preview_counts_and_reports_what_the_import_then_does(tmp_path, batch_size):
    await _existing_contacts(tmp_path)
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    before = await _tables()
    preview = await _import(path, dry_run=True, batch_size=batch_size, report_path=tmp_path / "preview.csv")
    assert await _tables() == before
    done = await _import(path, batch_size=batch_size, report_path=tmp_path / "import.csv")
    assert preview.counts == done.counts
    assert _report(tmp_path / "preview.csv") == _report(tmp_path / "import.csv")
    expected = {"rows": 12, "created": 2, "updated": 1, "unchanged": 2, "subscribed": 2, "already_subscribed": 2,
                "not_resubscribed": 1, "skipped_suppressed": 2, "skipped_restricted": 1, "duplicates": 2,
                "invalid": 2}
    assert {key: n for key, n in done.counts.items() if n} == expected


# REQ-29: while a long preview runs, recipients' writes go through at once: a one-click unsubscribe and a
# write from another connection, each allowed to wait 50 ms for a lock. The preview holds no write lock
# (SQLite) and no row lock (PostgreSQL) from one batch to the next.
async def test_req29_one_click_and_other_writes_go_through_while_a_preview_runs(tmp_path, database_url,
                                                                                monkeypatch):
    await _existing_contacts(tmp_path)
    monkeypatch.setattr("contacts.db.bulk.SQLITE_BUSY_TIMEOUT_SECONDS", 0.05)
    contact = await Contact.select(Contact.id).where(Contact.email_canonical == "same@example.org").first()
    journalists = await MailingList.select(MailingList.id).where(MailingList.slug == "journalists").first()
    token = TokenCodec(get_settings().secret_keys).seal(
        LinkToken(TokenAction.UNSUBSCRIBE, contact["id"], journalists["id"], 1))
    looked_up = suppression.suppressed_hashes
    batches: list[int] = []
    during: list[object] = []

    async def looked_up_then_written_beside(session, hashes, scopes):
        found = await looked_up(session, hashes, scopes)
        batches.append(1)
        if len(batches) == 4:  # the preview has been through same@ and changed@, batches 2 and 3
            try:
                await _write_beside(database_url, "changed@example.org")
                during.append(await optout.unsubscribe(token, Channel.ONE_CLICK))
            except Exception as error:  # noqa: BLE001 - the import would swallow it
                during.append(error)
        return found

    monkeypatch.setattr(suppression, "suppressed_hashes", looked_up_then_written_beside)
    path = tmp_path / "mixed.csv"
    path.write_text(MIXED)
    await _import(path, dry_run=True, batch_size=1)
    assert during == [True]
    status = await Subscription.select(Subscription.status).where(Subscription.contact == contact["id"]).first()
    assert status["status"] == SubscriptionStatus.UNSUBSCRIBED
    changed = await Contact.select(Contact.first_name).where(Contact.email_canonical == "changed@example.org").first()
    assert changed["first_name"] == "Beside"


async def _write_beside(database_url: str, email: str) -> None:
    """Update a contact from a connection of its own that waits at most 50 ms for a lock."""
    sql = "UPDATE contact SET first_name = 'Beside' WHERE email_canonical = "
    if ENGINE == "sqlite":
        connection = sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=0.05, isolation_level=None)
        try:
            connection.execute(sql + "?", (email,))
        finally:
            connection.close()
        return
    connection = await asyncpg.connect(database_url)
    try:
        await connection.execute("SET lock_timeout = '50ms'")
        await connection.execute(sql + "$1", email)
    finally:
        await connection.close()
