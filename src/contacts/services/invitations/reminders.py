"""A guest list's reminders: to the guests who were invited and have not answered, and a practical one (the day
before, say) to those who accepted, naming the event's time and place.

Each reminder is a campaign under the PR-invitations purpose with the invitation template, whose audience is
drawn from the guest list when it is sent (services/campaigns/audience.reminded_guests), through the list each
guest was invited from: the campaign audience rules apply to it as to any other (objections, suppression,
restriction; REQ-21, REQ-42), again before each message. The ledger's one row per (campaign, contact) sends
nobody the same reminder twice; each guest's history gets a "reminded" step per reminder they were sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from contacts.db.engine import json_value, write_transaction
from contacts.domain import (
    INVITATION_PURPOSE,
    CampaignStatus,
    Permission,
    ReminderKind,
)
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.event_tables import (
    Event,
    InvitationList,
    InvitationReminder,
)
from contacts.i18n import N_, gettext, when
from contacts.services import audit
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.invitations import guest_lists
from contacts.services.staff.accounts import Staff
from contacts.tables import Delivery

REMINDER_LANGUAGE = "fr"  # a reminder is written in French, as the invitation, and goes to every guest
WHEN, WHERE = N_("When: %(start)s"), N_("Where: %(place)s")


@dataclass(frozen=True)
class Reminder:
    campaign_id: int
    kind: str
    subject: str
    status: str
    sent: int  # messages sent so far
    created_by: str
    created_at: datetime


async def create(staff: Staff, list_id: int, kind: str, subject: str, body: str = "") -> CampaignInfo:
    """A reminder campaign of this guest list, a draft to check and start as any campaign. Its guests are
    chosen when it starts: whoever answered meanwhile is not reminded."""
    staff.require(Permission.SEND)
    if kind not in set(ReminderKind):
        raise ValidationError("kind", N_("no reminder %(name)s; one of %(codes)s"), name=repr(kind),
                              codes=", ".join(ReminderKind))
    guest_list = await guest_lists.get(staff, list_id)  # the account may act on the guest list
    row = await InvitationList.select(InvitationList.lists, InvitationList.event).where(
        InvitationList.id == list_id).first()
    if row is None:  # deleted since
        raise NotFoundError(N_("no invitation list %(list_id)s"), list_id=list_id)
    if guest_list.campaign_id is None or (await campaigns.get(guest_list.campaign_id)).status == CampaignStatus.DRAFT:
        raise ConflictError(N_("the guests of invitation list %(list_id)s have not been invited yet"), list_id=list_id)
    if kind == ReminderKind.ACCEPTED and row["event"] is not None:
        body = await _with_time_and_place(row["event"], body)
    async with write_transaction():  # the campaign and what makes it a reminder, or neither
        campaign = await campaigns.create(list_slugs=json_value(row["lists"]), template="invitation", subject=subject,
                                          body=body, purpose_code=INVITATION_PURPOSE, actor=staff.actor,
                                          missing_language="other")  # written in French, as the invitation
        await InvitationReminder.insert(InvitationReminder(invitation_list=list_id, campaign=campaign.id,
                                                           kind=ReminderKind(kind), created_by=staff.actor))
    await audit.record(staff, "campaign.create", "campaign", campaign.id, purpose=INVITATION_PURPOSE,
                       details={"invitation_list": list_id, "template": "invitation", "reminder": kind})
    return await campaigns.get(campaign.id)


async def _with_time_and_place(event_id: int, body: str) -> str:
    """Staff's text, then the event's time and place, in French as the reminder is written."""
    event = await Event.select().where(Event.id == event_id).first()
    if event is None:
        return body
    place = ", ".join(part for part in (event["place_name"], " ".join(event["place_address"].split())) if part)
    lines = [gettext(REMINDER_LANGUAGE, WHEN, start=when(event["starts_at"], REMINDER_LANGUAGE))]
    if place:
        lines.append(gettext(REMINDER_LANGUAGE, WHERE, place=place))
    # Two spaces end a Markdown line without ending the paragraph: the two lines stay together.
    return "\n\n".join(part for part in (body.strip(), "  \n".join(lines)) if part)


async def of_list(staff: Staff, list_id: int) -> list[Reminder]:
    """The guest list's reminders, newest first, with how many were sent."""
    await guest_lists.get(staff, list_id)
    rows = await InvitationReminder.select(
        InvitationReminder.campaign, InvitationReminder.kind, InvitationReminder.created_by,
        InvitationReminder.created_at).where(InvitationReminder.invitation_list == list_id).order_by(
        InvitationReminder.id, ascending=False)
    found = {campaign.id: campaign for campaign in await campaigns.get_many([row["campaign"] for row in rows])}
    sent = {row["campaign"]: row["n"] for row in await Delivery.raw(
        "SELECT d.campaign AS campaign, COUNT(*) AS n FROM delivery d JOIN invitation_reminder m ON m.campaign = "
        "d.campaign WHERE m.invitation_list = {} AND d.status = 'sent' GROUP BY d.campaign", list_id)}
    return [Reminder(campaign_id=row["campaign"], kind=row["kind"], subject=found[row["campaign"]].subject,
                     status=found[row["campaign"]].status, sent=int(sent.get(row["campaign"], 0)),
                     created_by=row["created_by"], created_at=row["created_at"]) for row in rows]

