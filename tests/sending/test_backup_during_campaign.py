"""A backup taken by `contacts backup` while a real `contacts serve` sends a campaign and answers a burst of
one-click unsubscribes, then restored with `contacts restore`: every opt-out answered before the backup began
is there, the audit log holds both, and the campaign resumed from the restored ledger sends nobody twice
(REQ-42, REQ-44, REQ-8). SQLite only: on PostgreSQL, pg_dump and pg_restore do this."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
import sys
import time

import httpx
import pytest

from contacts.db.engine import json_value
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Contact, MailingList, Subscription
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.conftest import ENGINE
from tests.sending.smtp_server import TestSmtpServer
from tests.serving import contacts_serve

pytestmark = [pytest.mark.usefixtures("database_url"),
              pytest.mark.skipif(ENGINE != "sqlite", reason="contacts restore is for the embedded SQLite database")]
AUDIENCE = 400
OPT_OUT_EVERY = 4  # the burst: one POST to every fourth recipient, 15 at a time
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


async def test_req42_req44_req8_backup_during_a_campaign_and_opt_outs_then_restore(contacts_cli, cli_env, tmp_path):
    """REQ-42 and REQ-44: every one-click opt-out answered 200 before the backup began is in the restored
    database, the person unsubscribed and the suppression entry matched by its keyed hash. REQ-8: the backup and
    the restore are in the audit log. The campaign resumed from the restored ledger sends nothing twice."""
    addresses = [f"j{n:03}@presse.example" for n in range(AUDIENCE)]
    (tmp_path / "j.csv").write_text("email\n" + "\n".join(addresses) + "\n")
    contacts_cli("import", "j.csv", "--list", "journalists", "--source-type", "given", "--source", "test")
    contacts_cli("user", "create", "camille", "--role", "communications", input="correct horse battery staple\n")
    api_token = contacts_cli("user", "token", "camille", "--name", "t").stdout.strip().splitlines()[-1]
    campaign_id = int(contacts_cli("campaign", "create", "--list", "journalists", "--template",
                                   "newsletter-communications", "--subject", "Backup").stdout.strip().splitlines()[-1])
    tokens = await unsubscribe_tokens(addresses, campaign_id)
    backup = tmp_path / "during.sqlite3"

    with TestSmtpServer() as smtp:
        smtp.handler.delay = 0.25  # 4 at a time: 16 messages a second until the backup is taken, then faster
        env = {**cli_env, "CONTACTS_SMTP_URL": smtp.url, "CONTACTS_SERVE_SENDS": "true",
               "CONTACTS_PUBLIC_RATE_LIMIT": "0"}
        with contacts_serve(env, tmp_path) as base_url:
            started = httpx.post(f"{base_url}/api/campaigns/{campaign_id}/send",
                                 headers={"Authorization": f"Bearer {api_token}"}, timeout=30)
            assert started.status_code == 202, started.text
            await until(lambda: len(smtp.handler.received) >= 10, "the server sent nothing")
            refused_while_served = contacts_cli("restore", str(backup), "--yes", check=False)
            answered, backup_began, sent_at_backup = await burst_and_backup(base_url, tokens, env, tmp_path, smtp)
            backup_entry = await audit_entry("database.backup")  # REQ-8: in the live database's audit log
        assert sent_at_backup < AUDIENCE, "the campaign finished before the backup: make the SMTP server slower"

    # A missing file is the first refusal, unless the database is in use: that comes first.
    assert refused_while_served.returncode == 2 and "contacts serve (pid" in refused_while_served.stderr
    before_backup = {address for address, moment in answered.items() if moment < backup_began}
    assert len(before_backup) >= 10, "too few opt-outs were answered before the backup began"
    ledger = ledger_of(backup, campaign_id)

    restored = contacts_cli("restore", str(backup), "--yes")
    assert "integrity check: ok" in restored.stdout

    for address in before_backup:  # REQ-42, REQ-44
        person = await Contact.select(Contact.id).where(Contact.email_canonical == address).first()
        status = await Subscription.select(Subscription.status).where(Subscription.contact == person["id"]).first()
        assert status["status"] == "unsubscribed", address
        assert [(e.scope, e.reason) for e in await suppression.entries_for(address)] == [
            ("list:journalists", "unsubscribe")], address
    restore_entry = await audit_entry("database.restore")  # REQ-8: in the restored database's audit log
    assert backup_entry["actor"].startswith("cli") and restore_entry["actor"].startswith("cli")
    assert backup_entry["details"]["file"] == restore_entry["details"]["file"] == str(backup)
    assert backup_entry["details"]["size"] == restore_entry["details"]["size"] == backup.stat().st_size
    assert backup_entry["details"]["counts"]["suppression"] >= len(before_backup)

    resumed = resume(cli_env, tmp_path)
    unsubscribed = await unsubscribed_now()
    assert not set(resumed) & (ledger["sent"] | ledger["sending"]), "a message sent or in flight was sent again"
    assert len(resumed) == len(set(resumed)), "someone got two messages"
    assert not set(resumed) & unsubscribed and not set(resumed) & before_backup
    assert set(resumed) == ledger["queued"] - unsubscribed  # and nothing the ledger still owed was lost
    assert resumed and ledger["sent"] and ledger["sending"], "the backup caught no campaign in its middle"


async def unsubscribe_tokens(addresses: list[str], campaign_id: int) -> dict[str, str]:
    """The one-click links of every OPT_OUT_EVERY-th recipient, as their messages carry them."""
    codec = TokenCodec(get_settings().secret_keys)
    list_id = (await MailingList.select(MailingList.id).where(MailingList.slug == "journalists").first())["id"]
    chosen = addresses[::OPT_OUT_EVERY]
    rows = await Contact.select(Contact.id, Contact.email_canonical).where(Contact.email_canonical.is_in(chosen))
    return {row["email_canonical"]: codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, row["id"], list_id, campaign_id))
            for row in rows}


async def burst_and_backup(base_url: str, tokens: dict[str, str], env: dict[str, str], cwd, smtp):
    """Fires the one-click POSTs, 15 at a time, and runs `contacts backup` once the first 10 are answered.
    Returns when each POST was answered 200, when the backup began, and how many messages were sent then."""
    answered: dict[str, float] = {}
    gate = asyncio.Semaphore(15)
    backup_began, sent_at_backup = float("inf"), 0

    async def opt_out(client: httpx.AsyncClient, address: str, token: str) -> None:
        async with gate:
            response = await client.post(f"/u/{token}", data=ONE_CLICK)
        if response.status_code == 200:
            answered[address] = time.monotonic()

    async def back_up() -> None:
        nonlocal backup_began, sent_at_backup
        await until(lambda: len(answered) >= 10, "no opt-out was answered")
        backup_began, sent_at_backup = time.monotonic(), len(smtp.handler.received)
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "contacts", "backup", "--output", str(cwd / "during.sqlite3"), env=env, cwd=cwd,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode == 0, err.decode()
        assert b"integrity check: ok" in out and b"secret key (CONTACTS_SECRET_KEY) is not in the backup" in out
        smtp.handler.delay = 0.01  # the rest of the campaign need not take long

    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        await asyncio.gather(back_up(), *(opt_out(client, address, token) for address, token in tokens.items()))
    assert len(answered) == len(tokens), "an opt-out was not answered 200"
    return answered, backup_began, sent_at_backup


def ledger_of(backup, campaign_id: int) -> dict[str, set[str]]:
    """The backup's ledger, read from the file itself: the addresses per delivery state."""
    states: dict[str, set[str]] = {"sent": set(), "sending": set(), "queued": set(), "skipped": set(), "failed": set()}
    with contextlib.closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as connection:
        for address, status in connection.execute(
                "SELECT contact.email_canonical, delivery.status FROM delivery JOIN contact ON contact.id = "
                "delivery.contact WHERE delivery.campaign = ?", (campaign_id,)):
            states[status].add(address)
    return states


def resume(cli_env: dict[str, str], cwd) -> list[str]:
    """`contacts worker --once` on the restored database: the recipients of what it sent."""
    with TestSmtpServer() as smtp:
        done = subprocess.run([sys.executable, "-m", "contacts", "worker", "--once"], env={
            **cli_env, "CONTACTS_SMTP_URL": smtp.url}, cwd=cwd, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return [envelope.rcpt_tos[0] for envelope in smtp.handler.received]


async def audit_entry(action: str) -> dict:
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == action)
    assert len(rows) == 1, rows
    return {"actor": rows[0]["actor"], "details": json_value(rows[0]["details"])}


async def unsubscribed_now() -> set[str]:
    rows = await Contact.select(Contact.email_canonical).where(
        Contact.id.is_in(Subscription.select(Subscription.contact).where(Subscription.status == "unsubscribed")))
    return {row["email_canonical"] for row in rows}


async def until(condition, failure: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, failure
        await asyncio.sleep(0.02)
