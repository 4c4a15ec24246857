"""The staff's campaign operations that drive the sending engine, checked and audited like the others in
`services.campaigns.campaign_operations`: a preview, a test message, the start. They live above the services, as the engine
does, since the engine uses the services."""

from __future__ import annotations

from contacts.domain import Permission
from contacts.sending import preview as previews
from contacts.sending.worker import start_campaign
from contacts.services import audit
from contacts.services.campaigns.campaign_operations import campaign_for
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.staff.accounts import Staff


async def preview(staff: Staff, campaign_id: int, to: str | None) -> bytes:
    """As a contact gets it: that shows the contact's data, so it is a view in the audit log."""
    campaign = await campaign_for(staff, campaign_id)
    message = await previews.preview(campaign_id, to)
    if to is not None:
        await audit.record(staff, "campaign.preview", "campaign", campaign_id, purpose=campaign.purpose.code,
                           details={"as": to})
    return message


async def send_test(staff: Staff, campaign_id: int, to: str) -> None:
    campaign = await campaign_for(staff, campaign_id, Permission.SEND)
    await previews.send_test(campaign_id, to)
    await audit.record(staff, "campaign.test", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={"to": to})


async def start(staff: Staff, campaign_id: int) -> CampaignInfo:
    """Builds the audience the first time and makes the campaign running; the senders (`contacts worker`,
    or the one inside `contacts serve`) then drain it."""
    await campaign_for(staff, campaign_id, Permission.SEND)
    campaign, _, _ = await start_campaign(campaign_id)
    await audit.record(staff, "campaign.send", "campaign", campaign_id, purpose=campaign.purpose.code)
    return campaign
