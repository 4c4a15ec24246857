"""The public archive (issue 23, item 5): the newsletters published at /archive/, and their withdrawal.

A campaign marked `archive` (archive_rule says which may be) is published once it is **finished**, every
message of its audience handled, and dated by that moment: a letter being sent, paused or cancelled is
not shown, so the archive never runs ahead of the mail. It is shown under each of its lists, in each
language it has a version in. A withdrawal takes it out for good (its page then answers 410), and is
audited with who did it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import AudienceKind, CampaignStatus, Permission
from contacts.errors import ConflictError, GoneError, NotFoundError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.campaigns import campaign_operations
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.catalogue import ListInfo
from contacts.services.staff.accounts import Staff
from contacts.tables import Campaign, CampaignList, MailingList

SHOWN_LIMIT = 500  # issues on one page: a monthly letter takes forty years to reach it


@dataclass(frozen=True)
class ArchivedList:
    """A list with at least one published issue."""

    mailing_list: ListInfo
    issues: int
    latest: datetime


def published(campaign: CampaignInfo) -> bool:
    return (campaign.archive and campaign.status == CampaignStatus.FINISHED and campaign.finished_at is not None
            and campaign.archive_withdrawn_at is None)


def public_lists(campaign: CampaignInfo) -> tuple[ListInfo, ...]:
    """The lists it is shown under: those open to the public (all of them, by the rule it was created by)."""
    return tuple(item for item in campaign.lists if item.audience_kind == AudienceKind.PUBLIC)


async def issues(list_slug: str | None = None, limit: int = SHOWN_LIMIT) -> list[CampaignInfo]:
    """The published issues, newest first: every list's, or one list's."""
    query = Campaign.select(Campaign.id).where(
        Campaign.archive.eq(True), Campaign.status == CampaignStatus.FINISHED,
        Campaign.archive_withdrawn_at.is_null(), Campaign.finished_at.is_not_null())
    if list_slug is not None:
        the_list = MailingList.select(MailingList.id).where(MailingList.slug == list_slug)
        on_list = CampaignList.select(CampaignList.campaign).where(CampaignList.mailing_list.is_in(the_list))
        query = query.where(Campaign.id.is_in(on_list))
    rows = await query.order_by(Campaign.finished_at, ascending=False).order_by(Campaign.id, ascending=False) \
        .limit(limit)
    return [item for item in await campaigns.get_many([row["id"] for row in rows]) if public_lists(item)]


async def archived_lists() -> list[ArchivedList]:
    """The lists that have published issues, in the catalogue's order."""
    found: dict[int, ArchivedList] = {}
    for issue in await issues():
        for item in public_lists(issue):
            known = found.get(item.id)
            assert issue.finished_at is not None  # published
            found[item.id] = ArchivedList(item, (known.issues if known else 0) + 1,
                                          max(known.latest, issue.finished_at) if known else issue.finished_at)
    return sorted(found.values(), key=lambda entry: entry.mailing_list.id)


async def archived_list(list_slug: str) -> ListInfo:
    """A list whose archive may be shown (it has published issues); NotFoundError otherwise."""
    for entry in await archived_lists():
        if entry.mailing_list.slug == list_slug:
            return entry.mailing_list
    raise NotFoundError(N_("no archive for the list %(slug)s"), slug=repr(list_slug))


async def issue(list_slug: str, campaign_id: int) -> CampaignInfo:
    """A published issue of this list; GoneError once withdrawn, NotFoundError for anything else."""
    try:
        campaign = await campaigns.get(campaign_id)
    except NotFoundError:
        raise NotFoundError(N_("no issue %(campaign_id)s in the archive"), campaign_id=campaign_id) from None
    if list_slug not in {item.slug for item in public_lists(campaign)} or not campaign.archive:
        raise NotFoundError(N_("no issue %(campaign_id)s in the archive"), campaign_id=campaign_id)
    if campaign.archive_withdrawn_at is not None:
        raise GoneError(N_("issue %(campaign_id)s was withdrawn from the archive"), campaign_id=campaign_id)
    if not published(campaign):
        raise NotFoundError(N_("no issue %(campaign_id)s in the archive"), campaign_id=campaign_id)
    return campaign


async def withdraw(campaign_id: int, actor: Staff | str) -> CampaignInfo:
    """Takes a campaign out of the public archive for good (or keeps one not sent yet from ever entering it),
    and writes the audit log. `actor`: the staff member, or the command line's cli:<login>."""
    name = actor if isinstance(actor, str) else actor.actor
    async with write_transaction():
        campaign = await campaigns.get(campaign_id)
        if not campaign.archive:
            raise ConflictError(N_("campaign %(campaign_id)s is not marked for the public archive"),
                                campaign_id=campaign_id)
        if campaign.archive_withdrawn_at is not None:
            raise ConflictError(N_("campaign %(campaign_id)s was withdrawn from the public archive already"),
                                campaign_id=campaign_id)
        await Campaign.update({Campaign.archive_withdrawn_at: datetime.now(UTC),
                               Campaign.archive_withdrawn_by: name}).where(Campaign.id == campaign_id)
    await audit.record(actor, "campaign.archive_withdraw", "campaign", campaign_id, purpose=campaign.purpose.code,
                       details={"was_published": published(campaign), "subject": campaign.subject})
    return await campaigns.get(campaign_id)


async def withdraw_as(staff: Staff, campaign_id: int) -> CampaignInfo:
    """Staff who may send the campaign's purpose and lists may withdraw it (REQ-7)."""
    await campaign_operations.campaign_for(staff, campaign_id, Permission.SEND)
    return await withdraw(campaign_id, staff)
