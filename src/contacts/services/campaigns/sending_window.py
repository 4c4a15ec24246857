"""A campaign and its purpose's sending window (REQ-54): whether it may send at a moment, when it resumes,
and an admin's choice to send one campaign outside it. The instance keeps windows only when
CONTACTS_SENDING_WINDOWS is on (production's default)."""

from __future__ import annotations

from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import CampaignStatus, Permission
from contacts.errors import ConflictError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.staff.accounts import Staff
from contacts.services.windows import SendingWindow
from contacts.settings import Settings, get_settings
from contacts.tables import Campaign


def window_of(campaign: CampaignInfo, settings: Settings | None = None) -> SendingWindow | None:
    """The window its messages keep, or None when they may go out at any time."""
    if not (settings or get_settings()).sending_windows or campaign.outside_window:
        return None
    return campaign.purpose.window


def resumes_at(campaign: CampaignInfo, now: datetime | None = None,
               settings: Settings | None = None) -> datetime | None:
    """When a campaign outside its window may send again (Paris time); None when it may send at `now`."""
    window = window_of(campaign, settings)
    if window is None:
        return None
    now = now or datetime.now(UTC)
    opening = window.next_opening(now)
    return None if opening == now else opening


async def send_outside_window(staff: Staff, campaign_id: int) -> CampaignInfo:
    """Let this one campaign ignore its window, for every sender: an admin's decision, in the audit log."""
    staff.require(Permission.SEND_OUTSIDE_WINDOW)
    campaign = await campaigns.get(campaign_id)
    staff.require_purpose(campaign.purpose)
    if campaign.status in (CampaignStatus.CANCELLED, CampaignStatus.FINISHED):
        raise ConflictError(N_("campaign %(campaign_id)s is %(status)s"), campaign_id=campaign_id,
                            status=campaign.status)
    if not campaign.outside_window:
        async with write_transaction():
            await Campaign.update({Campaign.outside_window: True}).where(Campaign.id == campaign_id)
        window = campaign.purpose.window
        await audit.record(staff, "campaign.outside_window", "campaign", campaign_id, purpose=campaign.purpose.code,
                           details={"window": f"{window.days_text} {window.hours_text}" if window else None,
                                    "at": datetime.now(UTC).isoformat()})
    return await campaigns.get(campaign_id)
