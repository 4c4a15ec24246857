"""Starting the scheduled campaigns whose time has come, from `contacts worker` and `contacts serve` alike.

Each due campaign is claimed with a conditional UPDATE (scheduled and due → running): of several processes
on several machines, the one whose UPDATE changed the row starts it, as a start by hand does (its audience
written into the ledger; each message checked again just before its SMTP transaction, REQ-3), and the others
leave it. One that comes up after its time (no sender ran then) starts it at once, and says it started late.
One that may no longer start (its approval withdrawn by a setting turned on since, its audience holding
recipients with no decided version) goes back to draft, and says why.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from contacts.background import repeating
from contacts.db.bulk import bulk_session
from contacts.errors import ContactsError
from contacts.sending.worker import start_campaign
from contacts.services import audit
from contacts.services.campaigns import approvals, audience_count, scheduling
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.settings import Settings, get_settings

ACTOR = "system:scheduler"
# Seconds between looks: a campaign starts within a minute of its time, well within.
LOOK_EVERY = 15.0
log = logging.getLogger(__name__)


async def start_due(now: datetime | None = None, settings: Settings | None = None) -> list[int]:
    """Starts every due scheduled campaign this process claims; returns their ids."""
    now, settings = now or datetime.now(UTC), settings or get_settings()
    started = []
    for campaign_id in await scheduling.due(now):
        if await _may_start(campaign_id, settings) and await scheduling.claim(campaign_id, now):
            await _start(campaign_id, now, settings)
            started.append(campaign_id)
    return started


async def _may_start(campaign_id: int, settings: Settings) -> bool:
    campaign = await campaigns.get(campaign_id)
    try:
        approvals.refuse_unapproved(campaign, settings)
        async with bulk_session() as session:
            await audience_count.refuse_undecided(session, campaign, suppression.keyring())
    except ContactsError as refusal:
        if await scheduling.back_to_draft(campaign_id):
            log.warning("scheduled campaign %s did not start, back to draft: %s", campaign_id, refusal)
            await audit.record(ACTOR, "campaign.start_refused", "campaign", campaign_id,
                               purpose=campaign.purpose.code,
                               details={"reason": refusal.said_in("en"), "reason_fr": refusal.said_in("fr")})
        return False
    return True


async def _start(campaign_id: int, now: datetime, settings: Settings) -> None:
    campaign = await campaigns.get(campaign_id)
    late = scheduling.lateness(campaign)
    details = {"scheduled_at": campaign.scheduled_at.isoformat() if campaign.scheduled_at else None,
               "late_by_seconds": int(late.total_seconds()) if late else 0}
    await audit.record(ACTOR, "campaign.start", "campaign", campaign_id, purpose=campaign.purpose.code, details=details)
    if late:
        log.warning("scheduled campaign %s started late, %s after its time (no sender was running then)",
                    campaign_id, late)
    else:
        log.info("scheduled campaign %s started", campaign_id)
    await start_campaign(campaign_id, settings)  # as a start by hand: its audience written into the ledger


@contextlib.asynccontextmanager
async def starting_scheduled(every: float = LOOK_EVERY) -> AsyncIterator[None]:
    """For the life of a sender (`contacts worker`, `contacts serve`): the due campaigns started, looked for
    every `every` seconds beside whatever else it does (a long campaign being sent, say)."""
    async with repeating(start_due, pause=every, what="starting the scheduled campaigns"):
        yield
