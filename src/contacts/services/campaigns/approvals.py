"""A second pair of eyes (REQ-53): a campaign that needs approval is scheduled or sent only once another
staff member, holding the approve permission, approved its present content.

It needs approval when CONTACTS_APPROVAL is `required`, or when its purpose says so (set by staff). The
approval is of a fingerprint of the content (CampaignInfo.content_fingerprint): any change to a subject, a
preheader, a body, the template, the greeting, the lists or the purpose withdraws it, whichever path made it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import CampaignStatus
from contacts.errors import ApprovalRequiredError, ConflictError, OwnApprovalError
from contacts.i18n import N_
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.settings import Settings, get_settings
from contacts.tables import Campaign


def needed(campaign: CampaignInfo, settings: Settings | None = None) -> bool:
    """Whether this campaign needs approval: the instance's setting, or its purpose's."""
    return (settings or get_settings()).approval_required or campaign.purpose.approval_required


def refuse_unapproved(campaign: CampaignInfo, settings: Settings | None = None) -> None:
    """Before a draft is scheduled or started: refused while it needs an approval it lacks."""
    if needed(campaign, settings) and not campaign.approved:
        withdrawn = campaign.approved_at is not None
        raise ApprovalRequiredError(
            N_("campaign %(id)s changed after it was approved: it needs approval again, by another staff member "
               "holding the approve permission, before it is scheduled or sent") if withdrawn else
            N_("campaign %(id)s needs approval by another staff member holding the approve permission before it is "
               "scheduled or sent"), id=campaign.id)


def refuse_manual_start(campaign: CampaignInfo, settings: Settings | None = None) -> None:
    """What a start by hand (`send`) checks of a draft or a scheduled campaign; one that runs or is paused
    was checked when it started."""
    if campaign.status == CampaignStatus.SCHEDULED:
        raise ConflictError(N_("campaign %(campaign_id)s is scheduled: it starts by itself at its time; take it "
                               "back to draft (unschedule) to send it now"), campaign_id=campaign.id)
    if campaign.status == CampaignStatus.DRAFT:
        refuse_unapproved(campaign, settings)


async def approve(campaign_id: int, approver: str, now: datetime | None = None) -> CampaignInfo:
    """Records `approver`'s approval of the draft's present content. The author's own is refused."""
    async with write_transaction():
        campaign = await campaigns.get(campaign_id)
        if campaign.created_by == approver:
            raise OwnApprovalError(N_("you wrote campaign %(id)s: another staff member holding the approve permission "
                                      "must approve it"), id=campaign_id)
        if campaign.status != CampaignStatus.DRAFT:
            raise ConflictError(N_("campaign %(id)s is %(status)s: only a draft is approved (take a scheduled one back "
                                   "to draft first)"), id=campaign_id, status=campaign.status)
        await Campaign.update({Campaign.approved_by: approver, Campaign.approved_at: now or datetime.now(UTC),
                               Campaign.approved_content: campaign.content_fingerprint}).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.DRAFT)
    return await campaigns.get(campaign_id)


async def withdraw_if_changed(before: CampaignInfo, after: CampaignInfo) -> bool:
    """After an edit: an approval that no longer matches the content is cleared, so that no page shows it.
    True when one was withdrawn (the fingerprint already stopped it from counting)."""
    if before.approved_at is None or after.approved:
        return False
    async with write_transaction():
        await Campaign.update({Campaign.approved_by: None, Campaign.approved_at: None,
                               Campaign.approved_content: None}).where(Campaign.id == after.id)
    return before.approved
