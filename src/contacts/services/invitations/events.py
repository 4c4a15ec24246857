"""Events: what the guest lists invite to. Create, edit, cancel, list, and count the answers.

Times are entered in Paris time (a form's `datetime-local`, or ISO 8601 with or without an offset) and
stored in UTC. A change of time or place raises the calendar SEQUENCE and mails those who accepted an
updated calendar file; a cancellation mails them a cancelled one (guest_mail.py). Raising the capacity
gives places to the waitlist (answers.promote).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contacts.db.engine import write_transaction
from contacts.domain import InvitationStatus, Permission
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.event_facts import EventFacts
from contacts.event_tables import Event, InvitationList
from contacts.i18n import N_, PARIS
from contacts.services import audit, catalogue
from contacts.services.invitations import answers
from contacts.services.invitations.guest_mail import GuestMail, MailKind
from contacts.services.staff.accounts import Staff
from contacts.settings import get_settings

INVITATION_PURPOSE = "pr-invitations"
TEXT_FIELDS = {"title_fr": 300, "title_en": 300, "description_fr": 10_000, "description_en": 10_000,
               "place_name": 200, "place_address": 1_000}
MOMENT_FIELDS = ("starts_at", "ends_at", "rsvp_deadline")
FIELDS = (*TEXT_FIELDS, *MOMENT_FIELDS, "capacity", "companions_allowed")
CALENDAR_FIELDS = ("starts_at", "ends_at", "place_name", "place_address")  # a change raises the SEQUENCE


@dataclass(frozen=True)
class EventCounts:
    invited: int  # every guest of its lists
    accepted: int
    waitlisted: int
    declined: int
    no_answer: int
    companions: int  # of accepted guests
    places_taken: int  # accepted guests and their companions
    places_left: int | None  # None: no limit


@dataclass(frozen=True)
class GuestListSummary:
    id: int
    name: str
    campaign_id: int | None


@dataclass(frozen=True)
class EventView:
    event: EventFacts
    counts: EventCounts
    guest_lists: list[GuestListSummary]
    created_by: str
    created_at: datetime
    companions_deleted_at: datetime | None


@dataclass(frozen=True)
class Changed:
    """An edit or a cancellation, and the mails it causes (sent after the answer, guest_mail.send_all)."""

    view: EventView
    mails: list[GuestMail]


async def _purpose() -> catalogue.PurposeInfo:
    return next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE)


async def may(staff: Staff, permission: Permission) -> None:
    """Refused unless the account has the permission and is empowered for PR invitations."""
    staff.require(permission)
    staff.require_purpose(await _purpose())


def paris_moment(value: object, field: str) -> datetime | None:
    """A date and time as typed (Paris time unless it names its offset), in UTC; None when empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(" ".join(str(value).split()).replace(" ", "T", 1))
        except ValueError:
            raise ValidationError(field, N_("a date and time, such as 2026-12-12T18:30 (Paris time)")) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=PARIS)).astimezone(UTC)


def _capacity(value: object) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None or number < 1:
        raise ValidationError("capacity", N_("a number of places of at least 1, or empty for no limit"))
    return number


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "on", "yes"}


def checked(values: dict[str, Any]) -> dict[str, Any]:
    """The event's fields, cleaned and checked together; a ValidationError names the first faulty one."""
    unknown = sorted(set(values) - set(FIELDS))
    if unknown:
        raise ValidationError(unknown[0], N_("unknown field %(name)s"), name=repr(unknown[0]))
    clean: dict[str, Any] = {}
    for name, limit in TEXT_FIELDS.items():
        text = str(values.get(name) or "").strip()
        text = text if name.startswith(("description", "place_address")) else " ".join(text.split())
        if len(text) > limit:
            raise ValidationError(name, N_("at most %(limit)s characters"), limit=limit)
        clean[name] = text
    if not clean["title_fr"]:
        raise ValidationError("title_fr", N_("give the event a title in French"))
    if not clean["place_name"]:
        raise ValidationError("place_name", N_("name the place"))
    for name in MOMENT_FIELDS:
        clean[name] = paris_moment(values.get(name), name)
    for name in ("starts_at", "ends_at"):
        if clean[name] is None:
            raise ValidationError(name, N_("a date and time, such as 2026-12-12T18:30 (Paris time)"))
    if clean["ends_at"] <= clean["starts_at"]:
        raise ValidationError("ends_at", N_("the end comes after the start"))
    if clean["rsvp_deadline"] is not None and clean["rsvp_deadline"] > clean["starts_at"]:
        raise ValidationError("rsvp_deadline", N_("the deadline for answers comes before the start"))
    clean["capacity"] = _capacity(values.get("capacity"))
    clean["companions_allowed"] = _flag(values.get("companions_allowed", False))
    return clean


async def create(staff: Staff, values: dict[str, Any]) -> EventView:
    await may(staff, Permission.SEND)
    clean = checked(values)
    now = datetime.now(UTC)
    async with write_transaction():
        rows = await Event.insert(Event(
            **clean, calendar_uid=f"{uuid.uuid4()}@{get_settings().sender_domain}", created_by=staff.actor,
            created_at=now, updated_at=now)).returning(Event.id)
    event_id = rows[0]["id"]
    await audit.record(staff, "event.create", "event", event_id, purpose=INVITATION_PURPOSE,
                       details={"title": clean["title_fr"], "capacity": clean["capacity"]})
    return await get(staff, event_id)


async def _row(event_id: int) -> dict:
    row = await Event.select().where(Event.id == event_id).first()
    if row is None:
        raise NotFoundError(N_("no event %(event_id)s"), event_id=event_id)
    return row


def editable(row: dict) -> dict[str, object]:
    """The event's fields as `edit` takes them."""
    return {name: row[name] for name in FIELDS}


async def edit(staff: Staff, event_id: int, changes: dict[str, object]) -> Changed:
    """Change some fields (the others stay). A change of time or place tells those who accepted."""
    await may(staff, Permission.SEND)
    before = await _row(event_id)
    if before["cancelled_at"] is not None:
        raise ConflictError(N_("the event is cancelled: it can no longer be changed"))
    clean = checked({**editable(before), **changes})
    moved = [name for name in CALENDAR_FIELDS if clean[name] != before[name]]
    now = datetime.now(UTC)
    async with write_transaction():
        await answers.lock_event(event_id)
        taken = (await answers.places(event_id)).taken
        capacity = clean["capacity"]
        if isinstance(capacity, int) and capacity < taken:
            raise ValidationError("capacity", N_("%(taken)s places are already taken"), taken=taken)
        await Event.update({**{getattr(Event, name): value for name, value in clean.items()},
                            Event.calendar_sequence: before["calendar_sequence"] + (1 if moved else 0),
                            Event.updated_at: now}).where(Event.id == event_id)
        promoted = await answers.promote(event_id, now)
    mails = [GuestMail(MailKind.PROMOTED, invitation) for invitation in promoted]
    if moved:
        mails += [GuestMail(MailKind.CHANGED, invitation) for invitation in await answers.holding_places(event_id)
                  if invitation not in promoted]  # their promotion mail gives the new time and place already
    changed = {name: str(clean[name]) for name in FIELDS if clean[name] != before[name]}
    await audit.record(staff, "event.edit", "event", event_id, purpose=INVITATION_PURPOSE,
                       details={"changed": sorted(changed), "guests_told": len(mails)})
    return Changed(await get(staff, event_id), mails)


async def cancel(staff: Staff, event_id: int) -> Changed:
    """Cancelled for good: answers are refused from now on; the guests who accepted or wait are told."""
    await may(staff, Permission.SEND)
    row = await _row(event_id)
    if row["cancelled_at"] is not None:
        raise ConflictError(N_("the event is cancelled already"))
    now = datetime.now(UTC)
    async with write_transaction():
        await Event.update({Event.cancelled_at: now, Event.calendar_sequence: row["calendar_sequence"] + 1,
                            Event.updated_at: now}).where(Event.id == event_id, Event.cancelled_at.is_null())
    told = await answers.holding_places(event_id) + await answers.waiting(event_id)
    await audit.record(staff, "event.cancel", "event", event_id, purpose=INVITATION_PURPOSE,
                       details={"guests_told": len(told)})
    return Changed(await get(staff, event_id), [GuestMail(MailKind.CANCELLED, invitation) for invitation in told])


async def counts(event_id: int, capacity: int | None) -> EventCounts:
    by_status: dict[str, int] = {}
    companions = 0
    for row in await Event.raw(
            "SELECT i.status AS status, COUNT(*) AS n, "
            "SUM(CASE WHEN i.with_companion THEN 1 ELSE 0 END) AS companions "
            "FROM invitation i JOIN invitation_list l ON l.id = i.invitation_list "
            "WHERE l.event = {} GROUP BY i.status", event_id):
        by_status[row["status"]] = int(row["n"])
        if row["status"] in answers.HOLDING:
            companions += int(row["companions"] or 0)
    accepted = sum(by_status.get(status, 0) for status in answers.HOLDING)
    taken = accepted + companions
    return EventCounts(
        invited=sum(by_status.values()), accepted=accepted,
        waitlisted=by_status.get(InvitationStatus.WAITLISTED, 0), declined=by_status.get(InvitationStatus.DECLINED, 0),
        no_answer=by_status.get(InvitationStatus.LISTED, 0) + by_status.get(InvitationStatus.INVITED, 0),
        companions=companions, places_taken=taken,
        places_left=None if capacity is None else max(capacity - taken, 0))


async def get(staff: Staff, event_id: int) -> EventView:
    await may(staff, Permission.VIEW)
    row = await _row(event_id)
    lists = await InvitationList.select(InvitationList.id, InvitationList.name, InvitationList.campaign).where(
        InvitationList.event == event_id).order_by(InvitationList.id)
    return EventView(
        event=EventFacts.of(row), counts=await counts(event_id, row["capacity"]),
        guest_lists=[GuestListSummary(r["id"], r["name"], r["campaign"]) for r in lists],
        created_by=row["created_by"], created_at=row["created_at"], companions_deleted_at=row["companions_deleted_at"])


async def all_events(staff: Staff) -> list[EventView]:
    """Every event, the next to come first, then those past (most recent first)."""
    staff.require(Permission.VIEW)
    if not staff.empowered_for(await _purpose()):
        return []
    now = datetime.now(UTC)
    rows = await Event.select(Event.id, Event.starts_at).order_by(Event.starts_at)
    coming = [row["id"] for row in rows if row["starts_at"] >= now]
    past = [row["id"] for row in reversed(rows) if row["starts_at"] < now]
    return [await get(staff, event_id) for event_id in coming + past]


async def facts(event_id: int) -> EventFacts:
    return EventFacts.of(await _row(event_id))
