"""The retention engine's daily run while serving (REQ-9).

Every server process checks each hour; the first to claim the Paris day's row in `job_run` runs it, so
several processes on several machines still run it once a day. A database that goes away is waited for
(outages.py), and the run starts over once it is back. A run that fails otherwise, or that a shutdown
stops, is logged and not tried again that day: each change is its own transaction, and the next day's run
finds whatever it left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from contacts.background import repeating
from contacts.db.engine import json_value, write_transaction
from contacts.machinery_tables import JobRun
from contacts.outages import Outage
from contacts.services.retention import engine
from contacts.services.rights import requests as rights

JOB = "retention"
CHECK_EVERY_SECONDS = 3600
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LastRun:
    day: date
    started_at: datetime
    finished_at: datetime | None
    summary: dict


async def _claim(day: date, now: datetime) -> int | None:
    async with write_transaction():
        rows = await JobRun.insert(JobRun(job=JOB, day=day, actor=engine.ACTOR, started_at=now)).on_conflict(
            action="DO NOTHING").returning(JobRun.id)
    return rows[0]["id"] if rows else None


async def run_if_due(now: datetime | None = None, outage: Outage | None = None) -> engine.RetentionReport | None:
    """Today's run, if no process has claimed it yet; None otherwise. A database that goes away meanwhile
    is waited for, up to the outage limit; the run then starts over (what it did already is not asked again)."""
    now, outage = now or datetime.now(UTC), outage or Outage.from_settings()
    claimed = await outage.call(_claim, rights.paris_day(now), now)
    if claimed is None:
        return None
    report = await outage.call(engine.run, now=now)
    await outage.call(_finish, claimed, report)
    return report


async def _finish(claimed: int, report: engine.RetentionReport) -> None:
    async with write_transaction():
        await JobRun.update({JobRun.finished_at: datetime.now(UTC), JobRun.summary: report.summary()}).where(
            JobRun.id == claimed)


async def last_run() -> LastRun | None:
    row = await JobRun.select().where(JobRun.job == JOB).order_by(JobRun.day, ascending=False).first()
    if row is None:
        return None
    return LastRun(day=row["day"], started_at=row["started_at"], finished_at=row["finished_at"],
                   summary=json_value(row["summary"]) or {})


def daily_retention(check_every: float = CHECK_EVERY_SECONDS):
    """For the life of `contacts serve`: today's run, if no process has claimed it yet, checked each hour."""

    async def once() -> None:
        report = await run_if_due()
        if report is not None:
            log.info("retention run: %s", report.summary())

    return repeating(once, pause=check_every, what="the daily retention run")
