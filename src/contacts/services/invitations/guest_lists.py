"""Event invitation lists: guests drawn from lists and filters under the PR-invitations purpose, invited by a
campaign with the invitation template, and their answers (invited, accepted, declined); arrivals at the door
are services/invitations/door.py.

A guest list applies the campaign audience rules (services/campaigns/audience.py) when it is built: whoever objected
to PR invitations, is suppressed, restricted or erased, or has no valid basis, is left out and counted by
reason; a person on several lists is listed once. The invitation campaign checks them all again before
each message, as every campaign does. An export is a disclosure: the audit log records to whom and why
(REQ-8, REQ-18).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts import csv_files
from contacts.db.bulk import bulk_session
from contacts.db.engine import json_value, write_transaction
from contacts.domain import (
    INVITATION_PURPOSE,
    CampaignStatus,
    DeliveryStatus,
    InvitationStatus,
    Permission,
)
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.event_tables import Event, Invitation, InvitationList
from contacts.i18n import N_
from contacts.paging import pages
from contacts.services import audit, catalogue
from contacts.services.campaigns import audience
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.content import CONTENT_LANGUAGES, Content
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.people import suppression
from contacts.services.staff.accounts import Staff
from contacts.tables import Delivery
from contacts.words import code_word

FILTERS = ("organisation", "language")
EXPORT_COLUMNS = ("title", "first_name", "last_name", "organisation", "position", "email", "language", "status")
CSV_SEPARATORS = (",", ";")
EXPORT_HEADERS = {"status": "answer"}  # a column's name in words, where it is not its code's


@dataclass(frozen=True)
class GuestList:
    id: int
    name: str
    lists: list[str]
    filters: dict[str, str]
    excluded: dict[str, int]
    campaign_id: int | None
    created_by: str
    created_at: datetime
    by_status: dict[str, int]
    event_id: int | None = None  # the event it invites to; None for a list made before events


@dataclass(frozen=True)
class Guest:
    contact_id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    organisation: str | None
    language: str
    status: str
    companion_name: str | None = None
    with_companion: bool = False  # a companion's place, kept once their name is deleted (REQ-51)


async def _purpose() -> catalogue.PurposeInfo:
    return next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE)


def _matches(contact: dict, filters: dict[str, str]) -> bool:
    organisation = filters.get("organisation", "").casefold()
    if organisation and organisation not in (contact["organisation"] or "").casefold():
        return False
    return not filters.get("language") or contact["language"] == filters["language"]


def _probe(purpose: catalogue.PurposeInfo, lists, staff: Staff) -> CampaignInfo:
    """The audience rules, as for a PR-invitations campaign to these lists."""
    every_language = {language: Content(subject="") for language in CONTENT_LANGUAGES}  # language rules nobody out
    return CampaignInfo(id=0, contents=every_language, template="invitation", purpose=purpose, lists=tuple(lists),
                        status=CampaignStatus.DRAFT, rate=None, created_by=staff.actor, created_at=datetime.now(UTC),
                        started_at=None, finished_at=None)


async def build(staff: Staff, name: str, list_slugs: list[str], filters: dict[str, str] | None = None,
                event_id: int | None = None) -> GuestList:
    """`event_id`: the event the guest list invites to (it must exist and not be cancelled)."""
    staff.require(Permission.SEND)
    # Under PR invitations the event team may invite from any list (the journalists and VIPs, say): the
    # purpose is what it is empowered for, and the audience rules below keep out whoever objected.
    purpose = await _purpose()
    staff.require_purpose(purpose)
    name = " ".join(name.split())
    if not name:
        raise ValidationError("name", N_("name the event or the guest list"))
    filters = {key: value.strip() for key, value in (filters or {}).items() if value and value.strip()}
    unknown = set(filters) - set(FILTERS)
    if unknown:
        raise ValidationError("filters", N_("unknown filter %(name)s; use %(codes)s"), name=repr(sorted(unknown)[0]),
                              codes=", ".join(FILTERS))
    if filters.get("language") not in (None, "fr", "en"):
        raise ValidationError("filters", N_("language is fr or en"))
    if not list_slugs:
        raise ValidationError("lists", N_("name at least one list"))
    try:
        chosen = [await catalogue.list_by_slug(slug) for slug in dict.fromkeys(list_slugs)]
    except NotFoundError as error:
        raise ValidationError("lists", str(error)) from None
    if event_id is not None:
        event = await Event.select(Event.cancelled_at).where(Event.id == event_id).first()
        if event is None:
            raise ValidationError("event", N_("no event %(event_id)s"), event_id=event_id)
        if event["cancelled_at"] is not None:
            raise ValidationError("event", N_("the event is cancelled"))
    probe = _probe(purpose, chosen, staff)
    guests: list[tuple[int, int]] = []
    excluded: Counter[str] = Counter()
    after = 0
    async with bulk_session() as session:
        while page := await audience.candidates(session, probe, after):
            after = page[-1][0]
            ids = [contact for contact, _ in page]
            facts = await audience.facts_for(session, ids, probe, suppression.keyring())
            contacts = {row["id"]: row for row in await session.select_in(
                "contact", ("id", "organisation", "language"), "id", ids)}
            for contact, list_id in page:
                reason = audience.exclusion(facts.get(contact), probe, list_id)
                if reason is not None:
                    excluded[reason.value] += 1
                elif contact in contacts and _matches(contacts[contact], filters):
                    guests.append((contact, list_id))
    async with write_transaction():
        rows = await InvitationList.insert(InvitationList(
            name=name, event=event_id, purpose=purpose.id, lists=[item.slug for item in chosen], filters=filters,
            excluded=dict(sorted(excluded.items())), created_by=staff.actor)).returning(InvitationList.id)
        list_id = rows[0]["id"]
        for batch in pages(guests, 500):  # a row binds each of its columns
            await Invitation.insert(*[Invitation(invitation_list=list_id, contact=contact, mailing_list=through)
                                      for contact, through in batch])
    await audit.record(staff, "invitation_list.build", "invitation_list", list_id, purpose=purpose.code,
                       details={"lists": [item.slug for item in chosen], "filters": filters, "guests": len(guests)})
    return await get(staff, list_id)


async def _row(staff: Staff, list_id: int) -> dict:
    staff.require(Permission.VIEW)
    row = await InvitationList.select().where(InvitationList.id == list_id).first()
    if row is None:
        raise NotFoundError(N_("no invitation list %(list_id)s"), list_id=list_id)
    staff.require_purpose(await _purpose())
    return row


async def get(staff: Staff, list_id: int) -> GuestList:
    row = await _row(staff, list_id)
    by_status = Counter(guest.status for guest in await _guests(row))
    return GuestList(id=row["id"], name=row["name"], lists=json_value(row["lists"]),
                     filters=json_value(row["filters"]), excluded=json_value(row["excluded"]),
                     campaign_id=row["campaign"], created_by=row["created_by"],
                     created_at=row["created_at"], by_status=dict(sorted(by_status.items())), event_id=row["event"])


async def all_lists(staff: Staff) -> list[GuestList]:
    staff.require(Permission.VIEW)
    if not staff.empowered_for(await _purpose()):
        return []
    rows = await InvitationList.select(InvitationList.id).order_by(InvitationList.id, ascending=False)
    return [await get(staff, row["id"]) for row in rows]


async def _guests(row: dict) -> list[Guest]:
    """Each guest with their answer; a listed guest whose invitation was sent counts as invited."""
    sent = set()
    if row["campaign"] is not None:
        sent = {r["contact"] for r in await Delivery.select(Delivery.contact).where(
            Delivery.campaign == row["campaign"], Delivery.status == DeliveryStatus.SENT)}
    rows = await Invitation.select(
        Invitation.contact, Invitation.status, Invitation.companion_name, Invitation.with_companion,
        Invitation.contact.email.as_alias("email"),
        Invitation.contact.first_name.as_alias("first_name"), Invitation.contact.last_name.as_alias("last_name"),
        Invitation.contact.organisation.as_alias("organisation"), Invitation.contact.language.as_alias("language"),
    ).where(Invitation.invitation_list == row["id"]).order_by(Invitation.contact)
    return [Guest(contact_id=r["contact"], email=r["email"], first_name=r["first_name"], last_name=r["last_name"],
                  organisation=r["organisation"], language=r["language"],
                  status=InvitationStatus.INVITED.value if r["status"] == InvitationStatus.LISTED and r["contact"] in sent
                  else r["status"], companion_name=r["companion_name"], with_companion=r["with_companion"])
            for r in rows]


async def guests(staff: Staff, list_id: int) -> list[Guest]:
    row = await _row(staff, list_id)
    found = await _guests(row)
    await audit.record(staff, "invitation_list.view", "invitation_list", list_id, purpose=INVITATION_PURPOSE,
                       details={"guests": len(found)})
    return found


async def create_campaign(staff: Staff, list_id: int, subject: str, body: str = "") -> CampaignInfo:
    """The invitation campaign of this guest list: the invitation template, under PR invitations."""
    staff.require(Permission.SEND)
    row = await _row(staff, list_id)
    if row["campaign"] is not None:
        raise ConflictError(N_("invitation list %(list_id)s has its campaign already: %(campaign)s"),
                list_id=list_id, campaign=row['campaign'])
    campaign = await campaigns.create(list_slugs=json_value(row["lists"]), template="invitation", subject=subject,
                                      body=body, purpose_code=INVITATION_PURPOSE, actor=staff.actor,
                                      missing_language="other")  # written in French, sent to every guest
    async with write_transaction():
        await InvitationList.update({InvitationList.campaign: campaign.id}).where(InvitationList.id == list_id)
    await audit.record(staff, "campaign.create", "campaign", campaign.id, purpose=INVITATION_PURPOSE,
                       details={"invitation_list": list_id, "template": "invitation"})
    return await campaigns.get(campaign.id)


def disclosure_terms(separator: str, recipient: str, reason: str) -> tuple[str, str]:
    """To whom and why a list is given outside the tool, as the audit log records them; refused, naming the
    field, when either is missing or the separator is not one a spreadsheet reads."""
    if separator not in CSV_SEPARATORS:
        raise ValidationError("separator", N_("is a comma (,) or a semicolon (;)"))
    recipient, reason = " ".join(recipient.split()), " ".join(reason.split())
    if not recipient:
        raise ValidationError("to", N_("say to whom the list is given"))
    if not reason:
        raise ValidationError("why", N_("say why it is given"))
    return recipient, reason


async def export_csv(staff: Staff, list_id: int, recipient: str, reason: str, *, separator: str = ",",
                     words: bool = False) -> str:
    """The guest list as CSV, for someone outside the tool (a caterer, a partner): a disclosure, logged with
    its recipient, its reason and the contacts it names, so that rectifications and erasures can follow it.
    `separator` is `,` or `;` (what a French spreadsheet expects); `words`: headers, languages and answers in
    the staff member's language rather than as codes (the API keeps the codes)."""
    staff.require(Permission.SEND)
    recipient, reason = disclosure_terms(separator, recipient, reason)
    row = await _row(staff, list_id)
    found, left_out = await _still_eligible(staff, row, await _guests(row))
    # Joined through the guest list, not looked up by id: a list of ids would grow with the guests.
    contacts = {r["contact"]: r for r in await Invitation.select(
        Invitation.contact, Invitation.contact.title.as_alias("title"),
        Invitation.contact.position.as_alias("position")).where(Invitation.invitation_list == list_id)}
    out = io.StringIO()
    writer = csv_files.writer(out, delimiter=separator)
    shown = (lambda code: code_word(code, staff.language)) if words else str
    writer.writerow([shown(EXPORT_HEADERS.get(column, column)) if words else column for column in EXPORT_COLUMNS])
    for guest in found:
        extra = contacts.get(guest.contact_id, {})
        writer.writerow([extra.get("title") or "", guest.first_name or "", guest.last_name or "",
                         guest.organisation or "", extra.get("position") or "", guest.email or "",
                         shown(guest.language), shown(guest.status)])
    await audit.record(staff, "export", "invitation_list", list_id, purpose=INVITATION_PURPOSE,
                       details={"to": recipient, "why": reason, "contacts": [g.contact_id for g in found],
                                "left_out": left_out})
    return out.getvalue()


async def _still_eligible(staff: Staff, row: dict, found: list[Guest]) -> tuple[list[Guest], dict[str, int]]:
    """The guests the audience rules still allow, at the moment of the export: whoever has since objected,
    been restricted, archived or erased is left out of it (REQ-10, REQ-20, REQ-21), and counted by reason."""
    probe = _probe(await _purpose(), [await catalogue.list_by_slug(slug) for slug in json_value(row["lists"])], staff)
    through = {r["contact"]: r["mailing_list"] for r in await Invitation.select(
        Invitation.contact, Invitation.mailing_list).where(Invitation.invitation_list == row["id"])}
    ids, facts = [guest.contact_id for guest in found], {}
    async with bulk_session() as session:
        for start in range(0, len(ids), audience.PAGE):
            page = ids[start:start + audience.PAGE]
            facts.update(await audience.facts_for(session, page, probe, suppression.keyring()))
    kept, left_out = [], Counter[str]()
    for guest in found:
        reason = audience.exclusion(facts.get(guest.contact_id), probe, through[guest.contact_id])
        if reason is None:
            kept.append(guest)
        else:
            left_out[reason.value] += 1
    return kept, dict(sorted(left_out.items()))
