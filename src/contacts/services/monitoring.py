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
    oldest_queued_seconds: float  # how long the message of the queue due first has waited; 0 without one
    campaigns: dict[str, int]  # by state (CampaignStatus)
    last_retention: RetentionRun | None
    last_retention_success: datetime | None
    read_at: float = field(default_factory=time.monotonic)


_ACTIONS = ", ".join(f"'{action.value}'" for action in OPT_OUT_ACTIONS)
_SENDING = ", ".join(f"'{state.value}'" for state in SENDING_STATES)
# Fixed text, values from the enums above: nothing a caller gives reaches them. Each is cheap at any size of
# ledger (bench/metrics.py prints their plans) but the first, an index-only scan of the claim index.
STATEMENTS = {
    "deliveries": "SELECT status, COUNT(*) AS n FROM delivery GROUP BY status",
    # Only retried rows have a first attempt's time (delivery_retried_idx holds them alone).
    "retries": "SELECT status, COUNT(*) AS n, SUM(attempts) AS tries FROM delivery WHERE first_attempt_at IS NOT NULL "
               "GROUP BY status",
    "returned": "SELECT bounce_kind, COUNT(*) AS n, COUNT(complained_at) AS complaints FROM delivery "
                "WHERE bounce_kind IS NOT NULL OR complained_at IS NOT NULL GROUP BY bounce_kind",
    # Written as consent_event_opt_out_idx's condition, so that both engines count from that index alone.
    "opt_outs": f"SELECT channel, action, COUNT(*) AS n FROM consent_event WHERE action IN ({_ACTIONS}) "
                "GROUP BY channel, action",
    "queue": "SELECT d.status AS status, COUNT(*) AS n, MIN(d.next_attempt_at) AS due FROM delivery d "
             f"JOIN campaign c ON c.id = d.campaign WHERE c.status IN ({_SENDING}) AND d.status IN ('queued', "
             "'sending') GROUP BY d.status",
    "campaigns": "SELECT status, COUNT(*) AS n FROM campaign GROUP BY status",
    "last_retention": f"SELECT started_at, finished_at FROM job_run WHERE job = '{RETENTION_JOB}' "
                      "ORDER BY day DESC LIMIT 1",
    "last_retention_success": f"SELECT MAX(finished_at) AS at FROM job_run WHERE job = '{RETENTION_JOB}'",
}


async def read_figures(now: datetime | None = None) -> Figures:
    """One read, in one transaction: its figures agree with each other (PostgreSQL), on one connection (SQLite)."""
    async with Campaign._meta.db.transaction():
        rows = {name: await Campaign.raw(sql) for name, sql in STATEMENTS.items()}
    now = now or datetime.now(UTC)
    return Figures(
        deliveries=_by(rows["deliveries"], "status", DeliveryStatus),
        retries=_retries(rows["retries"]),
        bounces={kind.value: sum(row["n"] for row in rows["returned"] if row["bounce_kind"] == kind)
                 for kind in BounceKind},
        complaints=sum(row["complaints"] for row in rows["returned"]),
        opt_outs=_opt_outs(rows["opt_outs"]),
        **_queue(rows["queue"], now),
        campaigns=_by(rows["campaigns"], "status", CampaignStatus),
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


def _queue(rows: list[dict], now: datetime) -> dict:
    depth = {DeliveryStatus.QUEUED.value: 0, DeliveryStatus.SENDING.value: 0}
    oldest = 0.0
    for row in rows:
        depth[row["status"]] = row["n"]
        if (due := _moment(row["due"])) is not None:
            oldest = max(oldest, (now - due).total_seconds())  # a retry due later has not waited yet
    return {"queue_depth": depth, "oldest_queued_seconds": oldest}


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

    def __init__(self, fresh_for: float, read: Callable[[], Awaitable[Figures]] = read_figures) -> None:
        self.fresh_for = fresh_for
        self.read = read
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
