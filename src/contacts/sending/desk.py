"""The staff's campaign operations that drive the sending engine, checked and audited like the others in
`services.campaigns.campaign_operations`: a preview, a test message, the start. They live above the services, as the engine
does, since the engine uses the services."""

from __future__ import annotations

from collections.abc import Mapping

from contacts.domain import Permission
from contacts.errors import ConflictError
from contacts.i18n import N_
from contacts.sending import preview as previews
from contacts.sending.worker import start_campaign
from contacts.services import audit
from contacts.services.campaigns import approvals, audience_count, drafts
from contacts.services.campaigns.campaign_operations import campaign_for
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.staff.accounts import Staff


async def preview(staff: Staff, campaign_id: int, to: str | None) -> bytes:
    """As a contact gets it: that shows the contact's data, so it is a view in the audit log."""
    message, _ = await preview_draft(staff, campaign_id, to)
    return message


async def preview_draft(staff: Staff, campaign_id: int, to: str | None, language: str = "fr",
                        edits: Mapping[str, str] | None = None) -> tuple[bytes, bool]:
    """The campaign, with a draft's unsaved `edits` to its content (drafts.with_edits: checked, not saved),
    as the contact with address `to` in its audience gets it, or as a sample recipient speaking `language`.
    And whether `to` was found in the audience."""
    campaign = await campaign_for(staff, campaign_id)
    shown = drafts.with_edits(campaign, edits) if edits else campaign
    message, found = await previews.preview_of(shown, to, language)
    if to is not None:
        await audit.record(staff, "campaign.preview", "campaign", campaign_id, purpose=campaign.purpose.code,
                           details={"as": to, "found": found})
    return message, found


async def send_test(staff: Staff, campaign_id: int, to: str) -> list[str]:
    """To one or several addresses (comma or newline separated): returns them."""
    campaign = await campaign_for(staff, campaign_id, Permission.SEND)
    addresses = await previews.send_test(campaign_id, to)
    await audit.record(staff, "campaign.test", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={"to": addresses})
    return addresses


async def start(staff: Staff, campaign_id: int, expected_count: int | None = None) -> CampaignInfo:
    """Builds the audience the first time and makes the campaign running; the senders (`contacts worker`,
    or the one inside `contacts serve`) then drain it. `expected_count`: the audience count staff confirmed;
    a draft whose audience is no longer that many is not started (ConflictError with the new count)."""
    campaign = await campaign_for(staff, campaign_id, Permission.SEND)
    approvals.refuse_manual_start(campaign)  # before the count: what is refused first is what to fix first
    if expected_count is not None and campaign.audience_built_at is None:
        now = (await audience_count.of_campaign(campaign)).receiving
        if now != expected_count:
            raise ConflictError(N_("the audience changed: %(now)s recipients now, not the %(confirmed)s confirmed; "
                                   "look at the count again and confirm it"), now=now, confirmed=expected_count)
    campaign, _, _ = await start_campaign(campaign_id)
    await audit.record(staff, "campaign.send", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={} if expected_count is None else {"confirmed_count": expected_count})
    return campaign
