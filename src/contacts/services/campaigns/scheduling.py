"""Scheduled sends: a draft given a date and time in Europe/Paris starts by itself then, started by
whichever sender runs (`contacts worker`, or `contacts serve`), once however many run on however many
machines: each claims it with a conditional UPDATE, and only the one whose UPDATE changed the row starts it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from contacts.db.engine import write_transaction
from contacts.domain import CampaignStatus
from contacts.errors import ConflictError, ValidationError
from contacts.i18n import N_, PARIS
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.tables import Campaign

# A start later than this past its time says it started late (the senders look every few seconds).
LATE_AFTER = timedelta(minutes=1)
_MOMENT = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:\d{2})?")


def parse_at(text: str, field: str, now: datetime | None = None) -> datetime:
    """"2026-12-10 09:30" (or with a T, seconds, an offset such as +01:00 or Z): a moment to come. Without an
    offset it is Paris time. Refused, naming `field`, when badly written or not in the future."""
    found = _MOMENT.fullmatch(text.strip())
    try:
        if found is None:
            raise ValueError
        moment = datetime.fromisoformat(f"{found[1]}T{found[2]}{found[3] or ''}{found[4] or ''}")
    except ValueError:
        raise ValidationError(field, N_("%(value)s is not a date and time such as 2026-12-10 09:30 (Paris time)"),
                              value=repr(text)) from None
    moment = moment.replace(tzinfo=PARIS) if moment.tzinfo is None else moment
    if moment <= (now or datetime.now(UTC)):
        raise ValidationError(field, N_("%(value)s is past: give a date and time to come"), value=repr(text))
    return moment.astimezone(UTC)


async def schedule(campaign_id: int, at: datetime, actor: str) -> CampaignInfo:
    """A draft (or a scheduled campaign, to move it) set to start at `at`. The caller checked the approval
    and the audience (a campaign that cannot start is not scheduled)."""
    async with write_transaction():
        changed = await Campaign.update({Campaign.status: CampaignStatus.SCHEDULED, Campaign.scheduled_at: at,
                                         Campaign.scheduled_by: actor}).where(
            Campaign.id == campaign_id, Campaign.status.is_in([CampaignStatus.DRAFT, CampaignStatus.SCHEDULED]),
        ).returning(Campaign.id)
    if not changed:
        current = await campaigns.get(campaign_id)
        raise ConflictError(N_("campaign %(id)s is %(status)s: only a draft is scheduled"), id=campaign_id,
                            status=current.status)
    return await campaigns.get(campaign_id)


async def unschedule(campaign_id: int) -> CampaignInfo:
    """A scheduled campaign back to draft: it starts only when sent or scheduled again."""
    async with write_transaction():
        changed = await Campaign.update({Campaign.status: CampaignStatus.DRAFT, Campaign.scheduled_at: None,
                                         Campaign.scheduled_by: None}).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED).returning(Campaign.id)
    if not changed:
        current = await campaigns.get(campaign_id)
        raise ConflictError(N_("campaign %(id)s is %(status)s, not scheduled"), id=campaign_id, status=current.status)
    return await campaigns.get(campaign_id)


async def due(now: datetime) -> list[int]:
    """The scheduled campaigns whose time has come, the earliest first."""
    rows = await Campaign.select(Campaign.id).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.scheduled_at <= now).order_by(Campaign.scheduled_at)
    return [row["id"] for row in rows]


async def upcoming(purpose_ids: list[int]) -> list[CampaignInfo]:
    """The scheduled campaigns of these purposes, the soonest first: what the dashboard lists."""
    if not purpose_ids:
        return []
    rows = await Campaign.select(Campaign.id).where(
        Campaign.status == CampaignStatus.SCHEDULED, Campaign.purpose.is_in(purpose_ids)).order_by(Campaign.scheduled_at)
    return await campaigns.get_many([row["id"] for row in rows])


async def claim(campaign_id: int, now: datetime) -> bool:
    """Makes a due scheduled campaign running. True for the one process whose UPDATE changed the row: it
    starts the campaign; every other finds the row changed already, and leaves it."""
    values: dict[Any, Any] = {Campaign.status: CampaignStatus.RUNNING, Campaign.started_at: now}
    async with write_transaction():
        changed = await Campaign.update(values).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED, Campaign.scheduled_at <= now,
        ).returning(Campaign.id)
    return len(changed) == 1


async def back_to_draft(campaign_id: int) -> bool:
    """A due campaign that may not start (its approval is missing, its audience undecided): back to draft, by
    the one process whose UPDATE changed it."""
    async with write_transaction():
        changed = await Campaign.update({Campaign.status: CampaignStatus.DRAFT, Campaign.scheduled_at: None,
                                         Campaign.scheduled_by: None}).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.SCHEDULED).returning(Campaign.id)
    return len(changed) == 1


def lateness(campaign: CampaignInfo) -> timedelta | None:
    """How late a scheduled campaign started, when that is more than a minute; None otherwise."""
    if campaign.scheduled_at is None or campaign.started_at is None:
        return None
    late = campaign.started_at - campaign.scheduled_at
    return late if late > LATE_AFTER else None
