"""At the door: find a guest by name, mark them and their companion arrived, undo a mistake, count arrivals.

Arriving is not an answer: it is Invitation.arrived_at (companion_arrived_at) beside the status, and a step of
the guest's history naming the steward, so an accepted guest stays accepted. Only accepted guests are let
in. Marking is one conditional update: two stewards scanning one pass at once write one arrival, and the
second is told when the first one was. Undoing a mistake takes the arrival and its step away, and the audit
log keeps what was undone. Who may: the CHECK_IN permission (the events role and admins), for PR invitations.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from piccolo.columns.combination import Where

from contacts.db.engine import write_transaction
from contacts.domain import GuestStep, InvitationStatus, Permission
from contacts.errors import NotFoundError
from contacts.event_tables import Event, Invitation, InvitationList, InvitationStep
from contacts.i18n import N_, PARIS, gettext
from contacts.paging import pages
from contacts.services import audit, catalogue
from contacts.services.invitations.door_pass import open_check_in_token
from contacts.services.staff.accounts import Staff

INVITATION_PURPOSE = "pr-invitations"


class Party(StrEnum):
    """Who arrives: the guest, or the companion they named."""

    GUEST = "guest"
    COMPANION = "companion"


@dataclass(frozen=True)
class DoorGuest:
    list_id: int
    contact_id: int
    first_name: str
    last_name: str
    organisation: str
    status: str
    companion_name: str | None
    arrived_at: datetime | None
    companion_arrived_at: datetime | None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def accepted(self) -> bool:
        return self.status == InvitationStatus.ACCEPTED


@dataclass(frozen=True)
class Answer:
    """What the steward is told once a button is pressed: `done` when something was written."""

    guest: DoorGuest | None
    done: bool
    message: str  # a catalogue message
    values: dict[str, str] = field(default_factory=dict)

    def said_in(self, lang: str) -> str:
        return gettext(lang, self.message, **self.values)


@dataclass(frozen=True)
class Scope:
    """A door: one guest list, or every guest list of an event."""

    title: str
    list_ids: tuple[int, ...]
    event_id: int | None = None  # the event's, or the guest list's event
    of_event: bool = False  # every guest list of the event

    @property
    def path(self) -> str:
        """The door page's address."""
        return f"/staff/door/events/{self.event_id}" if self.of_event else f"/staff/door/lists/{self.list_ids[0]}"


@dataclass(frozen=True)
class Counts:
    accepted: int
    arrived: int
    companions: int  # companions named by accepted guests
    companions_arrived: int


# Why a guest cannot be marked arrived, as the steward is told.
NOT_LET_IN = {
    InvitationStatus.WAITLISTED: N_("Guest on the waitlist: not confirmed"),
    InvitationStatus.DECLINED: N_("Guest declined the invitation"),
    InvitationStatus.LISTED: N_("Guest has not answered the invitation"),
    InvitationStatus.INVITED: N_("Guest has not answered the invitation"),
}
_ARRIVAL = {Party.GUEST: (Invitation.arrived_at, GuestStep.ARRIVED),
            Party.COMPANION: (Invitation.companion_arrived_at, GuestStep.COMPANION_ARRIVED)}


def clock(moment: datetime) -> str:
    """The time of day in Paris, as a steward says it: 19:42."""
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(PARIS).strftime("%H:%M")


def folded(text: str) -> str:
    """Text compared without accents or case: « Hélène » finds Helene, « oe » finds œ."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).casefold()


async def require_door(staff: Staff) -> None:
    staff.require(Permission.CHECK_IN)
    staff.require_purpose(next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE))


async def list_scope(staff: Staff, list_id: int) -> Scope:
    await require_door(staff)
    row = await InvitationList.select(InvitationList.name, InvitationList.event).where(
        InvitationList.id == list_id).first()
    if row is None:
        raise NotFoundError(N_("no invitation list %(list_id)s"), list_id=list_id)
    return Scope(title=row["name"], list_ids=(list_id,), event_id=row["event"])


async def event_scope(staff: Staff, event_id: int) -> Scope:
    """Every guest list of the event, for a door where guests of several lists arrive."""
    await require_door(staff)
    event = await Event.select(Event.title_fr, Event.title_en).where(Event.id == event_id).first()
    if event is None:
        raise NotFoundError(N_("no event %(event_id)s"), event_id=event_id)
    lists = await InvitationList.select(InvitationList.id).where(InvitationList.event == event_id).order_by(
        InvitationList.id)
    title = (event["title_en"] if staff.language == "en" else event["title_fr"]) or event["title_fr"] or event["title_en"]
    return Scope(title=title, list_ids=tuple(row["id"] for row in lists), event_id=event_id, of_event=True)


async def list_names(scope: Scope) -> dict[int, str]:
    """The names of a door's guest lists (a scope is only made for a staff member who may open it)."""
    if not scope.list_ids:
        return {}
    return {row["id"]: row["name"] for row in await InvitationList.select(InvitationList.id, InvitationList.name).where(
        InvitationList.id.is_in(list(scope.list_ids)))}


async def doors(staff: Staff) -> tuple[list[dict], list[dict]]:
    """The events that have guest lists, and every guest list, newest first: the doors a steward may open."""
    await require_door(staff)
    lists = await InvitationList.select(InvitationList.id, InvitationList.name, InvitationList.event).order_by(
        InvitationList.id, ascending=False)
    event_ids = sorted({row["event"] for row in lists if row["event"] is not None})
    events = await Event.select(Event.id, Event.title_fr, Event.title_en, Event.starts_at).where(
        Event.id.is_in(event_ids)).order_by(Event.starts_at, ascending=False) if event_ids else []
    return events, lists


async def _guests(list_ids: tuple[int, ...], *where) -> list[DoorGuest]:
    if not list_ids:
        return []
    rows = await Invitation.select(
        Invitation.invitation_list, Invitation.contact, Invitation.status, Invitation.companion_name,
        Invitation.arrived_at, Invitation.companion_arrived_at,
        Invitation.contact.first_name.as_alias("first_name"), Invitation.contact.last_name.as_alias("last_name"),
        Invitation.contact.organisation.as_alias("organisation"),
    ).where(Invitation.invitation_list.is_in(list(list_ids)), *where)
    found = [DoorGuest(list_id=r["invitation_list"], contact_id=r["contact"], first_name=r["first_name"] or "",
                       last_name=r["last_name"] or "", organisation=r["organisation"] or "", status=r["status"],
                       companion_name=r["companion_name"] or None, arrived_at=r["arrived_at"],
                       companion_arrived_at=r["companion_arrived_at"]) for r in rows]
    return sorted(found, key=lambda g: (folded(g.last_name), folded(g.first_name), g.contact_id))


async def find(staff: Staff, scope: Scope, query: str) -> list[DoorGuest]:
    """The guests whose first name, last name or organisation hold every word of the query, accents and
    case aside (« helene dupont », « Le Monde »); nothing for an empty query."""
    await require_door(staff)
    words = folded(query).split()
    if not words:
        return []
    found = [guest for guest in await _guests(scope.list_ids)
             if all(word in folded(f"{guest.first_name} {guest.last_name} {guest.organisation}") for word in words)]
    await audit.record(staff, "invitation_list.door_search", "invitation_list", ",".join(map(str, scope.list_ids)),
                       purpose=INVITATION_PURPOSE, details={"found": len(found)})
    return found


async def accepted_guests(staff: Staff, scope: Scope) -> list[DoorGuest]:
    """The door list: the accepted guests, by last name."""
    await require_door(staff)
    return await _guests(scope.list_ids, Invitation.status == InvitationStatus.ACCEPTED)


async def guest(staff: Staff, list_id: int, contact_id: int) -> DoorGuest | None:
    await require_door(staff)
    found = await _guests((list_id,), Invitation.contact == contact_id)
    return found[0] if found else None


async def pass_holder(staff: Staff, token_text: str) -> DoorGuest | None:
    """The guest a door pass names; None for a tampered or unknown pass."""
    await require_door(staff)
    token = open_check_in_token(token_text)
    return None if token is None else await guest(staff, token.scope_id, token.contact_id)


def _refusal(found: DoorGuest | None, party: Party) -> Answer:
    if found is None:
        return Answer(None, False, N_("Not on this guest list"))
    if not found.accepted:
        return Answer(found, False, NOT_LET_IN.get(InvitationStatus(found.status),
                                                   N_("Guest has not answered the invitation")))
    if party is Party.COMPANION and not found.companion_name:
        return Answer(found, False, N_("No companion is named for this guest"))
    moment = found.arrived_at if party is Party.GUEST else found.companion_arrived_at
    message = N_("Already arrived at %(time)s") if party is Party.GUEST else N_("Companion already arrived at %(time)s")
    return Answer(found, False, message, {"time": clock(moment) if moment else ""})


async def mark_arrived(staff: Staff, list_id: int, contact_id: int, party: Party = Party.GUEST) -> Answer:
    """The guest (or their companion) is here; a second scan writes nothing and says when they arrived."""
    await require_door(staff)
    column, step = _ARRIVAL[party]
    now = datetime.now(UTC)
    where = [Invitation.invitation_list == list_id, Invitation.contact == contact_id,
             Invitation.status == InvitationStatus.ACCEPTED, column.is_null()]
    if party is Party.COMPANION:
        where += [Invitation.companion_name.is_not_null(), Invitation.companion_name != ""]
    async with write_transaction():
        marked = await Invitation.update({column: now, Invitation.updated_at: now}).where(*where).returning(
            Invitation.id)
        if marked:
            await InvitationStep.insert(InvitationStep(invitation=marked[0]["id"], step=step, actor=staff.username,
                                                       at=now))
    found = await guest(staff, list_id, contact_id)
    if not marked or found is None:
        return _refusal(found, party)
    if party is Party.GUEST:
        return Answer(found, True, N_("%(name)s: arrival recorded at %(time)s"), {"name": found.name, "time": clock(now)})
    return Answer(found, True, N_("%(name)s, companion of %(guest)s: arrival recorded at %(time)s"),
                  {"name": found.companion_name or "", "guest": found.name, "time": clock(now)})


async def mark_many(staff: Staff, list_id: int, contact_ids: list[int]) -> int:
    """Several accepted guests arrived at once (the guest list's page, the API); returns how many were marked.
    Guests already arrived or not accepted are left as they are."""
    await list_scope(staff, list_id)
    marked, now = 0, datetime.now(UTC)
    async with write_transaction():  # all of them or none, a page of ids per statement
        for page in pages(list(dict.fromkeys(contact_ids))):
            rows = await Invitation.update({Invitation.arrived_at: now, Invitation.updated_at: now}).where(
                Invitation.invitation_list == list_id, Invitation.contact.is_in(list(page)),
                Invitation.status == InvitationStatus.ACCEPTED, Invitation.arrived_at.is_null(),
            ).returning(Invitation.id)
            for steps in pages(rows, 500):  # a row binds each of its columns
                await InvitationStep.insert(*[InvitationStep(invitation=row["id"], step=GuestStep.ARRIVED,
                                                             actor=staff.username, at=now) for row in steps])
            marked += len(rows)
    await audit.record(staff, "invitation_list.arrived", "invitation_list", list_id, purpose=INVITATION_PURPOSE,
                       details={"contacts": contact_ids, "marked": marked})
    return marked


async def undo_arrival(staff: Staff, list_id: int, contact_id: int, party: Party = Party.GUEST) -> Answer:
    """A steward marked the wrong person: the arrival and its step go, and the audit log keeps what was undone."""
    await require_door(staff)
    column, step = _ARRIVAL[party]
    async with write_transaction():
        row = await Invitation.select(Invitation.id, column.as_alias("at")).where(
            Invitation.invitation_list == list_id, Invitation.contact == contact_id, column.is_not_null()).first()
        if row is not None:
            await Invitation.update({column: None, Invitation.updated_at: datetime.now(UTC)}).where(
                Invitation.id == row["id"])
            await InvitationStep.delete().where(InvitationStep.invitation == row["id"], InvitationStep.step == step)
    found = await guest(staff, list_id, contact_id)
    if row is None:
        return Answer(found, False, N_("Nothing to undo: not marked as arrived"))
    at = row["at"] if isinstance(row["at"], datetime) else datetime.fromisoformat(str(row["at"]))
    await audit.record(staff, "invitation.arrival_undone", "invitation", row["id"], purpose=INVITATION_PURPOSE,
                       details={"invitation_list": list_id, "contact": contact_id, "who": party.value,
                                "arrived_at": at.isoformat()})
    return Answer(found, True, N_("Arrival undone"))


async def counts(staff: Staff, scope: Scope) -> Counts:
    """Arrivals against acceptances, guests and companions apart."""
    await require_door(staff)

    async def count(*where: Where) -> int:
        if not scope.list_ids:
            return 0
        return await Invitation.count().where(Invitation.invitation_list.is_in(list(scope.list_ids)),
                                              Invitation.status == InvitationStatus.ACCEPTED, *where)

    named = [Invitation.companion_name.is_not_null(), Invitation.companion_name != ""]
    return Counts(accepted=await count(), arrived=await count(Invitation.arrived_at.is_not_null()),
                  companions=await count(*named),
                  companions_arrived=await count(*named, Invitation.companion_arrived_at.is_not_null()))
