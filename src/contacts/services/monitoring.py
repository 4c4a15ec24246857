"""What an operator watches, read from the database so that it is true across every process and machine: the
senders (`contacts worker`) have no HTTP server to scrape, but their ledger rows say what they did.

A few aggregate queries, no personal data: counts by status, channel and state, and times. Read at most once
every few seconds per server process (FiguresCache), however many scrapers ask at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from contacts.domain import (
    BounceKind,
    CampaignStatus,
    Channel,
    DeliveryStatus,
    EventAction,
)
from contacts.tables import Campaign

# The consent ledger's actions that take someone off a list or out of the mail altogether.
OPT_OUT_ACTIONS = (EventAction.UNSUBSCRIBED, EventAction.OBJECTED, EventAction.SUPPRESSED)  # as indexed
# Campaigns whose queued messages are waiting to go (a paused one's wait for staff, not for a sender).
SENDING_STATES = (CampaignStatus.RUNNING, CampaignStatus.SCHEDULED)
RETENTION_JOB = "retention"
OTHER = "other"  # a stored value outside the fixed sets below: counted, never shown as it is


@dataclass(frozen=True)
class RetentionRun:
    started_at: datetime
    finished_at: datetime | None  # None: failed, stopped, or still running


@dataclass(frozen=True)
class Figures:
    deliveries: dict[str, int]  # every ledger row by status (DeliveryStatus)
    retries: int  # temporary failures that put a message back in the queue
    bounces: dict[str, int]  # messages bounced, by kind (BounceKind)
    complaints: int
    opt_outs: dict[tuple[str, str], int]  # by (channel, action)
    queue_depth: dict[str, int]  # messages of running and scheduled campaigns not yet handed over: queued, sending
    oldest_queued_seconds: float  # how long the queued message due first has waited to be claimed; 0 without one
    campaigns: dict[str, int]  # by state (CampaignStatus)
    last_retention: RetentionRun | None
    last_retention_success: datetime | None
    read_at: float = field(default_factory=time.monotonic)


_ACTIONS = ", ".join(f"'{action.value}'" for action in OPT_OUT_ACTIONS)
ENDED = (CampaignStatus.FINISHED, CampaignStatus.CANCELLED)
IN_CHUNK = 500  # campaign ids per statement
# Fixed text, values from the enums above: nothing a caller gives reaches them. Each reads an index, or a few
# rows (bench/metrics.py prints their plans).
STATEMENTS = {
    "campaigns": "SELECT id, status FROM campaign",
    # Only retried rows have a first attempt's time (delivery_retried_idx holds them alone).
    "retries": "SELECT status, COUNT(*) AS n, SUM(attempts) AS tries FROM delivery WHERE first_attempt_at IS NOT NULL "
               "GROUP BY status",
    "returned": "SELECT bounce_kind, COUNT(*) AS n, COUNT(complained_at) AS complaints FROM delivery "
                "WHERE bounce_kind IS NOT NULL OR complained_at IS NOT NULL GROUP BY bounce_kind",
    # Written as consent_event_opt_out_idx's condition, so that both engines count from that index alone.
    "opt_outs": f"SELECT channel, action, COUNT(*) AS n FROM consent_event WHERE action IN ({_ACTIONS}) "
                "GROUP BY channel, action",
    "last_retention": f"SELECT started_at, finished_at FROM job_run WHERE job = '{RETENTION_JOB}' "
                      "ORDER BY day DESC LIMIT 1",
    "last_retention_success": f"SELECT MAX(finished_at) AS at FROM job_run WHERE job = '{RETENTION_JOB}'",
}
# Per campaign: its rows by status (delivery_claim_idx), and when its first queued message came due
# (delivery_waiting_idx: one index entry).
BY_CAMPAIGN = "SELECT campaign, status, COUNT(*) AS n FROM delivery WHERE campaign IN ({ids}) GROUP BY campaign, status"
FIRST_DUE = "SELECT MIN(next_attempt_at) AS due FROM delivery WHERE campaign = {id} AND status = 'queued'"


class LedgerTally:
    """The ledger's rows by status, without reading the whole ledger at every scrape: an ended campaign's rows
    never change status again (a finished one's are all sent, failed or skipped; a cancelled one's once none is
    in flight), so its counts are kept, and each read counts only the other campaigns' rows. The first read of
    a process counts them all."""

    def __init__(self) -> None:
        self.ended: dict[int, dict[str, int]] = {}

    async def count(self, campaigns: dict[int, str]) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
        """Every row by status, and the rows of each campaign not ended, by status."""
        for gone in self.ended.keys() - campaigns.keys():  # a deleted draft's
            del self.ended[gone]
        pending = sorted(campaign for campaign in campaigns if campaign not in self.ended)
        live: dict[int, dict[str, int]] = {campaign: {} for campaign in pending}
        for start in range(0, len(pending), IN_CHUNK):
            ids = ", ".join(str(campaign) for campaign in pending[start:start + IN_CHUNK])
            for row in await Campaign.raw(BY_CAMPAIGN.format(ids=ids)):
                live[row["campaign"]][row["status"]] = row["n"]
        for campaign, counts in list(live.items()):
            if campaigns[campaign] in ENDED and not counts.get(DeliveryStatus.SENDING):
                self.ended[campaign] = live.pop(campaign)
        totals = {status.value: 0 for status in DeliveryStatus}
        for counts in (*self.ended.values(), *live.values()):
            for status, n in counts.items():
                key = _known(status, DeliveryStatus)
                totals[key] = totals.get(key, 0) + n
        return totals, live


async def read_figures(tally: LedgerTally | None = None, now: datetime | None = None) -> Figures:
    """One read, in one transaction, on one connection."""
    async with Campaign._meta.db.transaction():
        rows = {name: await Campaign.raw(sql) for name, sql in STATEMENTS.items()}
        campaigns = {row["id"]: row["status"] for row in rows["campaigns"]}
        deliveries, live = await (tally or LedgerTally()).count(campaigns)
        going = [campaign for campaign in live if campaigns[campaign] in SENDING_STATES]
        first_due = [await Campaign.raw(FIRST_DUE.format(id=campaign)) for campaign in going
                     if live[campaign].get(DeliveryStatus.QUEUED)]
    now = now or datetime.now(UTC)
    waiting = [due for result in first_due if (due := _moment(result[0]["due"])) is not None]
    return Figures(
        deliveries=deliveries,
        retries=_retries(rows["retries"]),
        bounces={kind.value: sum(row["n"] for row in rows["returned"] if row["bounce_kind"] == kind)
                 for kind in BounceKind},
        complaints=sum(row["complaints"] for row in rows["returned"]),
        opt_outs=_opt_outs(rows["opt_outs"]),
        queue_depth={status.value: sum(live[campaign].get(status, 0) for campaign in going)
                     for status in (DeliveryStatus.QUEUED, DeliveryStatus.SENDING)},
        # A retry due later has not waited yet.
        oldest_queued_seconds=max([0.0, *((now - due).total_seconds() for due in waiting)]),
        campaigns=_by([{"status": status, "n": 1} for status in campaigns.values()], "status", CampaignStatus),
        last_retention=RetentionRun(_moment(last["started_at"]), _moment(last["finished_at"]))  # type: ignore[arg-type]
        if (last := next(iter(rows["last_retention"]), None)) else None,
        last_retention_success=_moment(rows["last_retention_success"][0]["at"]),
    )


def _retries(rows: list[dict]) -> int:
    """A retried row's attempts were all temporary failures but its last, when that one ended it (sent or
    failed); a row still waiting (queued, sending) or skipped since had only failures."""
    ended = (DeliveryStatus.SENT, DeliveryStatus.FAILED)
    return sum(row["tries"] - (row["n"] if row["status"] in ended else 0) for row in rows)


def _opt_outs(rows: list[dict]) -> dict[tuple[str, str], int]:
    counts = {(channel.value, action.value): 0 for channel in Channel for action in OPT_OUT_ACTIONS}
    for row in rows:
        key = (_known(row["channel"], Channel), row["action"])
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _by(rows: list[dict], column: str, kinds) -> dict[str, int]:
    counts = {kind.value: 0 for kind in kinds}
    for row in rows:
        key = _known(row[column], kinds)
        counts[key] = counts.get(key, 0) + row["n"]
    return counts


def _known(value: str | None, kinds) -> str:
    return value if value is not None and value in {kind.value for kind in kinds} else OTHER


def _moment(value) -> datetime | None:
    """SQLite hands timestamps back as the strings Piccolo's adapter wrote."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


class FiguresCache:
    """One read at a time, and none again for `fresh_for` seconds: scrapes that arrive together (several
    Prometheus servers, a dashboard) share one read."""

    def __init__(self, fresh_for: float, read: Callable[[], Awaitable[Figures]] | None = None) -> None:
        self.fresh_for = fresh_for
        tally = LedgerTally()  # this process's, for as long as it serves
        self.read = read or (lambda: read_figures(tally))
        self.figures: Figures | None = None
        self._lock: asyncio.Lock | None = None

    async def get(self) -> Figures:
        if self._fresh():
            return self.figures  # type: ignore[return-value]
        self._lock = self._lock or asyncio.Lock()
        async with self._lock:
            if not self._fresh():  # another scrape may have read them while this one waited
                self.figures = await self.read()
            return self.figures  # type: ignore[return-value]

    def _fresh(self) -> bool:
        return self.figures is not None and time.monotonic() - self.figures.read_at < self.fresh_for
