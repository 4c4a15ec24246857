"""The delivery ledger as a work queue: one row per (campaign, contact), queued → sending → sent | failed |
skipped(reason).

Rows are claimed in batches: on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several workers on several
machines drain one campaign together; on SQLite with one `UPDATE … RETURNING` statement, atomic under
the database's write lock. A row's state moves to sent only after the SMTP server accepted the message,
so a crash loses nothing; what was in flight is claimed again and repeats with the same Message-ID.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from contacts.db.bulk import BulkSession, PostgresBulkSession
from contacts.db.in_use import process_alive
from contacts.domain import CampaignStatus, DeliveryStatus, SkipReason
from contacts.keyring import Keyring
from contacts.services.campaigns.audience import candidates, exclusion, facts_for
from contacts.services.campaigns.core import CampaignInfo

# Every change to a claimed row holds only while the claim is still the caller's.
_OURS = "AND claimed_by = ? AND status = 'sending'"
# The runs of this process still sending (their worker names): a claim of this process by another run is
# abandoned, as when the run gave up as its database went away and starts again.
RUNS_HERE: set[str] = set()
DELIVERY_COLUMNS = ("campaign", "contact", "mailing_list", "status", "skip_reason", "message_id", "attempts",
                    "next_attempt_at", "updated_at")


def worker_name() -> str:
    """host:pid:run — the host and pid let a worker on the same host tell a dead worker's claims from a live
    one's; the run id makes every claim's owner unique, so a claim taken over is never marked by its old owner."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    contact_id: int
    list_id: int
    message_id: str
    attempts: int
    first_attempt_at: datetime | None
    worker: str  # the claim's owner: every change below applies only while the claim is still theirs
    claimed_at: datetime | None = None  # as the claim wrote it; None when not known here


async def build_audience(session: BulkSession, campaign: CampaignInfo, keyring: Keyring, message_id_for) -> bool:
    """Write the ledger rows, a page at a time, then mark the audience built. Senders may drain the rows as
    they come. Idempotent: a rerun adds only what is missing. False when the campaign was paused or
    cancelled meanwhile: the rest is written when it runs again, or never. A draft's audience is built
    before it starts, as `start_campaign` does when asked to."""
    after, written, described = 0, 0, 0  # rows written, and how many the planner's statistics know of
    now = datetime.now(timezone.utc)
    while page := await candidates(session, campaign, after):
        facts = await facts_for(session, [contact for contact, _ in page], campaign, keyring)
        rows = []
        for contact, list_id in page:
            reason = exclusion(facts.get(contact), campaign, list_id)
            status = DeliveryStatus.SKIPPED if reason else DeliveryStatus.QUEUED
            rows.append((campaign.id, contact, list_id, status.value, reason.value if reason else None,
                         message_id_for(contact), 0, now, now))
        async with session.transaction():
            if not await _takes_rows(session, campaign.id):
                return False
            await session.insert_new("delivery", DELIVERY_COLUMNS, rows, unique=("campaign", "contact"))
        written += len(rows)
        if written >= 2 * described:
            # The senders may be planning their statements already: with statistics from before the
            # campaign's rows, a plan can scan the whole ledger for every message. New statistics, each
            # time the rows have doubled, make them planned again.
            await session.refresh_statistics(("delivery",))
            described = written
        after = page[-1][0]
    async with session.transaction():
        if not await _takes_rows(session, campaign.id):
            return False
        await session.execute("UPDATE campaign SET audience_built_at = ? WHERE id = ?", now, campaign.id)
    if described < written:  # not refreshed after the last page already
        await session.refresh_statistics(("delivery",))
    return True


async def _takes_rows(session: BulkSession, campaign_id: int) -> bool:
    """Whether the campaign still runs, or is a draft about to. On PostgreSQL its row stays locked until the
    page is written, so that a cancel, which skips every queued row, waits for the page and skips its rows too."""
    lock = " FOR SHARE" if isinstance(session, PostgresBulkSession) else ""
    rows = await session.fetch(f"SELECT status FROM campaign WHERE id = ?{lock}", campaign_id)
    return bool(rows) and rows[0]["status"] in (CampaignStatus.DRAFT, CampaignStatus.RUNNING)


async def audience_built(session: BulkSession, campaign_id: int) -> bool:
    rows = await session.fetch("SELECT audience_built_at FROM campaign WHERE id = ?", campaign_id)
    return bool(rows) and rows[0]["audience_built_at"] is not None


async def requeue_abandoned(session: BulkSession, campaign_id: int, lease: timedelta) -> int:
    """Rows left `sending` by a worker that died: on this host, a worker whose process is gone, or a run of
    this process that ended; anywhere, a claim older than the lease."""
    rows = await session.fetch(
        "SELECT id, claimed_by, claimed_at FROM delivery WHERE campaign = ? AND status = 'sending'", campaign_id
    )
    host = socket.gethostname()
    cutoff = datetime.now(timezone.utc) - lease
    dead = [(row["id"], row["claimed_by"]) for row in rows if _abandoned(row, host, cutoff)]
    # Only the claim that was read: if another worker took the row over meanwhile, its claim stands.
    await session.execute_many(
        "UPDATE delivery SET status = 'queued', claimed_by = NULL WHERE id = ? " + _OURS,
        dead,
    )
    return len(dead)


def _abandoned(row: dict, host: str, cutoff: datetime) -> bool:
    worker_host, _, pid = (row["claimed_by"] or "").rsplit(":", 1)[0].rpartition(":")
    if worker_host == host and pid.isdigit() and not _alive(int(pid)):
        return True
    if worker_host == host and pid == str(os.getpid()) and row["claimed_by"] not in RUNS_HERE:
        return True
    claimed_at = _moment(row["claimed_at"])
    return claimed_at is None or claimed_at < cutoff


def _alive(pid: int) -> bool:
    return pid == os.getpid() or process_alive(pid)


async def claim(session: BulkSession, campaign_id: int, worker: str, limit: int, after: int = 0) -> list[Claim]:
    """Up to `limit` queued rows due now, in id order, past the row `after`. A sender passes the last id it
    claimed: PostgreSQL may well scan the ledger in id order rather than the claim index (its statistics
    say, rightly, that nearly every row of a new campaign is queued), and every claim from the first row
    would step over all the rows sent already."""
    now = datetime.now(timezone.utc)
    lock = "FOR UPDATE SKIP LOCKED" if isinstance(session, PostgresBulkSession) else ""
    rows = await session.fetch(
        "UPDATE delivery SET status = 'sending', claimed_by = ?, claimed_at = ?, updated_at = ? "
        "WHERE id IN (SELECT id FROM delivery WHERE campaign = ? AND status = 'queued' AND next_attempt_at <= ? "
        f"AND id > ? ORDER BY id LIMIT ? {lock}) "
        "RETURNING id, contact, mailing_list, message_id, attempts, first_attempt_at",
        worker, now, now, campaign_id, now, after, limit,
    )
    rows.sort(key=lambda row: row["id"])
    return [
        Claim(r["id"], r["contact"], r["mailing_list"], r["message_id"], r["attempts"], _moment(r["first_attempt_at"]),
              worker, now)
        for r in rows
    ]


async def give_back_unheld(session: BulkSession, campaign_id: int, worker: str) -> int:
    """A run's claims that it holds no message of, when it holds none: claims whose answer an outage lost."""
    rows = await session.fetch(
        "UPDATE delivery SET status = 'queued', claimed_by = NULL, updated_at = ? "
        "WHERE campaign = ? AND claimed_by = ? AND status = 'sending' RETURNING id",
        datetime.now(timezone.utc), campaign_id, worker,
    )
    return len(rows)


def _moment(value) -> datetime | None:
    """SQLite hands timestamps back as the strings Piccolo's adapter wrote."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


async def recipients(session: BulkSession, claims: list[Claim], columns: tuple[str, ...]) -> dict[int, dict]:
    """The claimed rows' contacts by id, with the legal basis of the subscription each message goes through
    as it stands now (`legal_basis`, None if unsubscribed): a message can be composed before its last check,
    which still decides whether it goes, and with which basis."""
    among, ids = session.among([claim.delivery_id for claim in claims])
    rows = await session.fetch(
        f"SELECT {', '.join(f'c.{name} AS {name}' for name in columns)}, s.legal_basis AS legal_basis "
        "FROM delivery d JOIN contact c ON c.id = d.contact LEFT JOIN subscription s ON s.contact = d.contact "
        f"AND s.mailing_list = d.mailing_list AND s.status = 'subscribed' WHERE d.id {among}",
        *ids,
    )
    return {row["id"]: row for row in rows}


async def next_retry_at(session: BulkSession, campaign_id: int) -> datetime | None:
    rows = await session.fetch(
        "SELECT MIN(next_attempt_at) AS at FROM delivery WHERE campaign = ? AND status = 'queued'", campaign_id
    )
    return _moment(rows[0]["at"]) if rows else None


def hold_statements(session: BulkSession, claims: list[Claim], lease: timedelta) -> list[tuple[str, list]]:
    """For claims of one owner, immediately before their SMTP transactions: statements that together return
    the ids whose campaign still runs and whose claim is still theirs. A claim that outlived its lease may
    have been taken over by another worker, which then sends it instead. A claim past half its lease is
    renewed (an UPDATE); a younger one is only read, which writes nothing: a sent message then costs its
    ledger row two writes (claimed, sent) instead of three. A claim with half a lease left cannot be taken
    over before its transaction ends: no other worker deems it abandoned until the lease is out.
    The UPDATE is left out when every claim is known to be young: even matching no row, it would take
    SQLite's write lock, which the sending processes share."""
    now = datetime.now(timezone.utc)
    among, ids = session.among([claim.delivery_id for claim in claims])
    renew_before, owner = now - lease / 2, _owner(claims)
    running = " AND (SELECT status FROM campaign WHERE id = delivery.campaign) = 'running'"
    statements = [(f"SELECT id FROM delivery WHERE id {among} " + _OURS + " AND claimed_at >= ?" + running,
                   [*ids, owner, renew_before])]
    if any(claim.claimed_at is None or claim.claimed_at < renew_before for claim in claims):
        statements.append(
            (f"UPDATE delivery SET claimed_at = ? WHERE id {among} " + _OURS + " AND claimed_at < ?" + running +
             " RETURNING id",
             [now, *ids, owner, renew_before]))
    return statements


def mark_sent_statement(session: BulkSession, claims: list[Claim]) -> tuple[str, list]:
    """One statement for claims of one owner; `attempts` moves on in SQL, since an owned row's count cannot
    change meanwhile."""
    now = datetime.now(timezone.utc)
    among, ids = session.among([claim.delivery_id for claim in claims])
    return (
        "UPDATE delivery SET status = 'sent', sent_at = ?, attempts = attempts + 1, last_error = NULL, "
        f"updated_at = ? WHERE id {among} " + _OURS + " RETURNING id",
        [now, now, *ids, _owner(claims)],
    )


def _owner(claims: list[Claim]) -> str:
    (owner,) = {claim.worker for claim in claims}
    return owner


async def mark_skipped(session: BulkSession, claim: Claim, reason: SkipReason) -> None:
    await session.execute(
        "UPDATE delivery SET status = 'skipped', skip_reason = ?, updated_at = ? WHERE id = ? " + _OURS,
        reason.value, datetime.now(timezone.utc), claim.delivery_id, claim.worker,
    )


async def mark_failed(session: BulkSession, claim: Claim, error: str) -> None:
    await session.execute(
        "UPDATE delivery SET status = 'failed', attempts = ?, last_error = ?, updated_at = ? WHERE id = ? " + _OURS,
        claim.attempts + 1, error[:2000], datetime.now(timezone.utc), claim.delivery_id, claim.worker,
    )


async def mark_retry(session: BulkSession, claim: Claim, error: str, at: datetime) -> None:
    await session.execute(
        "UPDATE delivery SET status = 'queued', attempts = ?, last_error = ?, next_attempt_at = ?, claimed_by = NULL, "
        "first_attempt_at = ?, updated_at = ? WHERE id = ? " + _OURS,
        claim.attempts + 1, error[:2000], at, claim.first_attempt_at or datetime.now(timezone.utc),
        datetime.now(timezone.utc), claim.delivery_id, claim.worker,
    )


async def release(session: BulkSession, claim: Claim) -> None:
    """Give a claimed row back, untried (the campaign was paused or cancelled meanwhile)."""
    await session.execute(
        "UPDATE delivery SET status = 'queued', claimed_by = NULL, updated_at = ? WHERE id = ? " + _OURS,
        datetime.now(timezone.utc), claim.delivery_id, claim.worker,
    )


async def campaign_state(session: BulkSession, campaign_id: int) -> tuple[str, int | None]:
    """Its status, and its rate (messages per second; None: unpaced), which staff may change as it runs."""
    rows = await session.fetch("SELECT status, rate FROM campaign WHERE id = ?", campaign_id)
    return rows[0]["status"], rows[0]["rate"]


async def campaign_status(session: BulkSession, campaign_id: int) -> str:
    rows = await session.fetch("SELECT status FROM campaign WHERE id = ?", campaign_id)
    return rows[0]["status"]


async def claimed_elsewhere(session: BulkSession, campaign_id: int) -> int:
    rows = await session.fetch("SELECT COUNT(*) AS n FROM delivery WHERE campaign = ? AND status = 'sending'", campaign_id)
    return rows[0]["n"]
