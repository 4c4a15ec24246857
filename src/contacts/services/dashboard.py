"""What the staff dashboard shows: the lists in the account's scope with their members by status, the
campaigns under way, and the rights requests falling due."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from piccolo.query.functions.aggregate import Count

from contacts.domain import (
    EVERY_PURPOSE_ROLES,
    INVITATION_PURPOSE,
    CampaignStatus,
    Permission,
    RightsRequestStatus,
)
from contacts.event_tables import InvitationList
from contacts.services import catalogue
from contacts.services.campaigns import campaign_operations, scheduling
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.catalogue import ListInfo
from contacts.services.invitations import guest_lists
from contacts.services.people import third_party_notice
from contacts.services.retention import daily
from contacts.services.staff.accounts import Staff
from contacts.tables import (
    Campaign,
    Contact,
    MailingList,
    PurposeDepartment,
    RightsRequest,
    Subscription,
)

OPEN_REQUESTS = (RightsRequestStatus.RECEIVED, RightsRequestStatus.AWAITING_IDENTITY, RightsRequestStatus.IN_PROGRESS,
                 RightsRequestStatus.EXTENDED)


@dataclass(frozen=True)
class ListCounts:
    list: ListInfo
    by_status: dict[str, int]


@dataclass(frozen=True)
class DueRequest:
    id: int
    request_type: str
    status: str
    received_on: date
    due_on: date


@dataclass(frozen=True)
class Overview:
    contacts: int
    lists: list[ListCounts]
    under_way: list[CampaignInfo]
    due_requests: list[DueRequest] = field(default_factory=list)
    unnoticed_third_party: int = 0  # REQ-13: shown to the rights desk
    last_retention: daily.LastRun | None = None  # REQ-9: the retention engine's last run, for the rights desk
    guest_lists: list[guest_lists.GuestList] = field(default_factory=list)  # the ten newest, for whoever may invite
    # The lists a guest list may draw from (any, under PR invitations), with their subscribers: for the event team.
    drawn_from: list[ListCounts] = field(default_factory=list)
    may_invite: bool = False  # PR invitations are among the account's purposes, and it may send
    scheduled: list[CampaignInfo] = field(default_factory=list)  # the soonest first


async def overview(staff: Staff) -> Overview:
    staff.require(Permission.VIEW)
    visible = await campaign_operations.lists(staff)
    counts: dict[int, dict[str, int]] = {}
    if visible:
        rows = await Subscription.select(Subscription.mailing_list, Subscription.status, Count(alias="n")) \
            .where(Subscription.mailing_list.is_in([item.id for item in visible])) \
            .group_by(Subscription.mailing_list, Subscription.status)
        for row in rows:
            counts.setdefault(row["mailing_list"], {})[row["status"]] = row["n"]
    purposes = {item.purpose.id for item in visible} or {0}
    under_way = await Campaign.select(Campaign.id).where(
        Campaign.status.is_in([CampaignStatus.RUNNING, CampaignStatus.PAUSED]), Campaign.purpose.is_in(list(purposes)),
    ).order_by(Campaign.id)
    due = []
    if staff.can(Permission.RIGHTS):
        # An extension moves the date the answer is owed by; the soonest owed come first.
        due = sorted((DueRequest(id=row["id"], request_type=row["request_type"], status=row["status"],
                                 received_on=row["received_at"].date(), due_on=row["extended_to"] or row["due_on"])
                      for row in await RightsRequest.select().where(
                          RightsRequest.status.is_in(list(OPEN_REQUESTS)))), key=lambda item: (item.due_on, item.id))[:20]
    return Overview(
        contacts=await Contact.count().where(Contact.status != "erased"),
        lists=[ListCounts(list=item, by_status=counts.get(item.id, {})) for item in visible],
        under_way=[await campaigns.get(row["id"]) for row in under_way],
        scheduled=await scheduling.upcoming(sorted(purposes)),
        due_requests=due,
        unnoticed_third_party=len(await third_party_notice.unnoticed()) if staff.can(Permission.RIGHTS) else 0,
        last_retention=await daily.last_run() if staff.can(Permission.RIGHTS) else None,
        **await _invitations(staff, own_lists=bool(visible)),
    )


async def _invitations(staff: Staff, own_lists: bool) -> dict:
    """The guest lists, for an account that may invite; and for one with no list of its own (the event
    team), the lists it may draw guests from, with their sizes, rather than an empty table."""
    purpose = next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE)
    if not staff.can(Permission.SEND) or not staff.empowered_for(purpose):
        return {}
    newest = await InvitationList.select(InvitationList.id).order_by(InvitationList.id, ascending=False).limit(10)
    found = [await guest_lists.get(staff, row["id"]) for row in newest]  # each counted by answer
    if own_lists:
        return {"guest_lists": found, "may_invite": True}
    every = await catalogue.lists()
    sizes = {row["mailing_list"]: row["n"] for row in await Subscription.select(
        Subscription.mailing_list, Count(alias="n")).where(Subscription.status == "subscribed").group_by(
        Subscription.mailing_list)}
    return {"guest_lists": found, "may_invite": True,
            "drawn_from": [ListCounts(list=item, by_status={"subscribed": sizes.get(item.id, 0)}) for item in every]}


async def has_lists(staff: Staff) -> bool:
    """Has this account lists of its own (to import into, to send campaigns to)? One query, for every page."""
    if staff.role in EVERY_PURPOSE_ROLES:
        return True
    if not staff.departments:
        return False
    row = await MailingList.select(MailingList.id).where(MailingList.purpose.is_in(
        PurposeDepartment.select(PurposeDepartment.purpose).where(
            PurposeDepartment.department.is_in(sorted(staff.departments))))).first()
    return row is not None
