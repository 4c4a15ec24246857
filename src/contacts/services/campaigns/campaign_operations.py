"""Campaigns as staff handle them through the API and the staff pages: each operation checked against the
account's role and the purposes it is empowered for (REQ-7), and written to the audit log (REQ-8).

The command line works on `services.campaigns` directly: it runs as the operator of the installation.
The operations that drive the sending engine (a preview, a test message, the start) are in `sending.desk`:
the engine uses these services, so they cannot use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from contacts.domain import Permission
from contacts.errors import NotFoundError, ValidationError
from contacts.i18n import N_
from contacts.services import audit, catalogue
from contacts.services.campaigns import approvals, audience_count, drafts
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.audience_count import AudienceSummary
from contacts.services.campaigns.core import CampaignInfo, CampaignProgress
from contacts.services.staff.accounts import Staff
from contacts.tables import Campaign

PER_PAGE_LIMIT = 200


@dataclass(frozen=True)
class CampaignPage:
    items: list[CampaignInfo]
    total: int


async def campaign_for(staff: Staff, campaign_id: int, permission: Permission = Permission.VIEW) -> CampaignInfo:
    """The campaign, if this account may act on it: its purpose in scope, and every list's purpose too,
    except for an invitation campaign, whose guests were chosen under PR invitations from any list."""
    staff.require(permission)
    campaign = await campaigns.get(campaign_id)
    staff.require_purpose(campaign.purpose)
    if campaign.invitation_list_id is None:
        staff.require_lists(campaign.lists)
    return campaign


async def page(staff: Staff, page_number: int, per_page: int) -> CampaignPage:
    """Newest first: the campaigns of the purposes this account is empowered for."""
    staff.require(Permission.VIEW)
    if page_number < 1:
        raise ValidationError("page", N_("must be 1 or more"))
    if not 1 <= per_page <= PER_PAGE_LIMIT:
        raise ValidationError("per_page", N_("must be between 1 and %(limit)s"), limit=PER_PAGE_LIMIT)
    allowed = [purpose.id for purpose in await catalogue.purposes() if staff.empowered_for(purpose)]
    if not allowed:
        return CampaignPage(items=[], total=0)
    query = Campaign.purpose.is_in(allowed)
    total = await Campaign.count().where(query)
    rows = await Campaign.select(Campaign.id).where(query).order_by(Campaign.id, ascending=False) \
        .offset((page_number - 1) * per_page).limit(per_page)
    return CampaignPage(items=await campaigns.get_many([row["id"] for row in rows]), total=total)


async def _require_lists_and_purpose(staff: Staff, list_slugs: list[str], purpose_code: str | None) -> None:
    """The lists a campaign is to go to, and its purpose, are all within the account's scope (REQ-7)."""
    try:
        chosen = [await catalogue.list_by_slug(slug) for slug in dict.fromkeys(list_slugs)]
    except NotFoundError as error:
        raise ValidationError("lists", str(error)) from None
    staff.require_lists(chosen)
    if purpose_code:
        purpose = next((p for p in await catalogue.purposes() if p.code == purpose_code), None)
        if purpose is not None:
            staff.require_purpose(purpose)


async def create(staff: Staff, *, list_slugs: list[str], template: str, subject: str | None = None,
                 body: str = "", content: Mapping[str, str | None] | None = None,
                 missing_language: str | None = None, purpose_code: str | None = None,
                 rate: int | None = None, greeting: str = "none", archive: bool = False) -> CampaignInfo:
    """`content`: subject_fr, preheader_fr, body_fr, subject_en, …; `subject` and `body` are the French ones."""
    staff.require(Permission.SEND)
    await _require_lists_and_purpose(staff, list_slugs, purpose_code)
    campaign = await campaigns.create(list_slugs=list_slugs, template=template, subject=subject, actor=staff.actor,
                                      body=body, content=content, missing_language=missing_language,
                                      purpose_code=purpose_code, rate=rate, greeting=greeting, archive=archive)
    await audit.record(staff, "campaign.create", "campaign", campaign.id, purpose=campaign.purpose.code,
                       details={"lists": [item.slug for item in campaign.lists], "template": template,
                                "archive": archive})
    return campaign


async def progress(staff: Staff, campaign_id: int) -> tuple[CampaignInfo, CampaignProgress]:
    campaign = await campaign_for(staff, campaign_id)
    return campaign, await campaigns.progress(campaign_id)


async def change_status(staff: Staff, campaign_id: int, action: str) -> CampaignInfo:
    """pause or cancel."""
    await campaign_for(staff, campaign_id, Permission.SEND)
    campaign = await campaigns.change_status(campaign_id, action)
    await audit.record(staff, f"campaign.{action}", "campaign", campaign_id, purpose=campaign.purpose.code)
    return campaign


async def lists(staff: Staff) -> list[catalogue.ListInfo]:
    staff.require(Permission.VIEW)
    return [item for item in await catalogue.lists() if staff.empowered_for(item.purpose)]


async def edit(staff: Staff, campaign_id: int, changes: Mapping[str, Any]) -> CampaignInfo:
    """A draft's fields, changed (services.campaigns.drafts.update); new lists and purpose in scope too."""
    campaign = await campaign_for(staff, campaign_id, Permission.SEND)
    if "lists" in changes or "purpose" in changes:
        slugs = changes.get("lists") or [item.slug for item in campaign.lists]
        await _require_lists_and_purpose(staff, list(slugs), changes.get("purpose") or None)
    before = campaign
    campaign, changed = await drafts.update(campaign_id, changes)
    await audit.record(staff, "campaign.edit", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={"fields": changed})
    if await approvals.withdraw_if_changed(before, campaign):  # REQ-53: the content approved is no more
        await audit.record(staff, "campaign.approval_withdrawn", "campaign", campaign_id,
                           purpose=campaign.purpose.code, details={"fields": changed, "approved_by": before.approved_by})
        campaign = await campaigns.get(campaign_id)
    return campaign


async def duplicate(staff: Staff, campaign_id: int) -> CampaignInfo:
    original = await campaign_for(staff, campaign_id, Permission.SEND)
    copy = await drafts.duplicate(campaign_id, staff.actor)
    await audit.record(staff, "campaign.duplicate", "campaign", copy.id, purpose=original.purpose.code,
                       details={"from": campaign_id})
    return copy


async def delete(staff: Staff, campaign_id: int) -> None:
    await campaign_for(staff, campaign_id, Permission.SEND)
    campaign = await drafts.delete(campaign_id)
    await audit.record(staff, "campaign.delete", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={"subject": campaign.subject})


async def audience(staff: Staff, campaign_id: int) -> tuple[CampaignInfo, AudienceSummary]:
    """Who would receive it now, counted without writing anything."""
    campaign = await campaign_for(staff, campaign_id)
    return campaign, await audience_count.of_campaign(campaign)
