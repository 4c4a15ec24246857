"""A guest's answer, the event's capacity and its waitlist.

An acceptance takes a place, and one more for a companion; past the capacity (or while others wait) the
guest goes on the waitlist. A decline, or a companion withdrawn, frees places, and the waitlist is
promoted in the order guests joined it (waitlisted_at), the first who does not fit stopping the rest.
Concurrent answers never overfill: each answer runs in one write transaction that first locks the event's
row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE transaction already holds the one write lock),
so places are counted and taken by one answer at a time. Every step is written to the guest's history
(InvitationStep); none overwrites another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from piccolo.engine.postgres import PostgresEngine

from contacts.db.engine import engine, write_transaction
from contacts.domain import GuestStep, InvitationStatus
from contacts.event_facts import EventFacts
from contacts.event_tables import Event, Invitation, InvitationList, InvitationStep
from contacts.services.invitations.guest_mail import GuestMail, MailKind
from contacts.services.retention.activity import person_initiated
from contacts.settings import get_settings
from contacts.tokens import LinkToken, TokenAction, codec_for

HOLDING = (InvitationStatus.ACCEPTED, InvitationStatus.ATTENDED)  # answers that hold a place
COMPANION_NAME_LENGTH = 200


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    WAITLISTED = "waitlisted"
    DECLINED = "declined"
    UNCHANGED = "unchanged"  # the same answer again, or a guest already at the door
    CLOSED = "closed"  # past the deadline for answers, or the event is over
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"  # no such guest: a forged or stale link


@dataclass(frozen=True)
class AnswerResult:
    outcome: Outcome
    mails: list[GuestMail] = field(default_factory=list)
    companion_refused: bool = False  # no place left for the companion asked for


@dataclass(frozen=True)
class Places:
    taken: int
    waiting: bool


@dataclass(frozen=True)
class GuestView:
    """What the RSVP page shows the guest: the event, and their answer so far."""

    event: EventFacts | None  # None: a guest list made before events
    list_name: str
    status: str
    companion_name: str | None
    language: str


def token_for(token_text: str) -> LinkToken | None:
    """An invitation's accept or decline token, if genuine: either one lets the guest give either answer."""
    codec = codec_for(get_settings().secret_keys)
    for action in (TokenAction.RSVP_ACCEPT, TokenAction.RSVP_DECLINE):
        token = codec.open(token_text, action)
        if token is not None:
            return token
    return None


def token_answer(token_text: str) -> bool | None:
    """The answer the link itself stands for: True (accept), False (decline), None (not an invitation's)."""
    codec = codec_for(get_settings().secret_keys)
    if codec.open(token_text, TokenAction.RSVP_ACCEPT) is not None:
        return True
    return False if codec.open(token_text, TokenAction.RSVP_DECLINE) is not None else None


async def _invitation(token: LinkToken) -> dict | None:
    return await Invitation.select(
        Invitation.id, Invitation.status, Invitation.companion_name, Invitation.with_companion,
        Invitation.arrived_at, Invitation.invitation_list.event.as_alias("event"),
        Invitation.invitation_list.name.as_alias("list_name"), Invitation.contact.language.as_alias("language"),
    ).where(Invitation.invitation_list == token.scope_id, Invitation.contact == token.contact_id).first()


async def guest_view(token_text: str) -> GuestView | None:
    token = token_for(token_text)
    row = await _invitation(token) if token else None
    if row is None:
        return None
    event = await _event(row["event"])
    return GuestView(event, row["list_name"], row["status"], row["companion_name"], row["language"] or "fr")


async def _event(event_id: int | None) -> EventFacts | None:
    row = await Event.select().where(Event.id == event_id).first() if event_id else None
    return EventFacts.of(row) if row else None


def companion_of(text: str | None) -> str | None:
    name = " ".join((text or "").split())[:COMPANION_NAME_LENGTH]
    return name or None


async def answer(token_text: str, accept: bool, companion: str | None = None,
                 now: datetime | None = None) -> AnswerResult:
    """Record a guest's answer from their invitation's link. An unknown or forged token changes nothing."""
    now = now or datetime.now(UTC)
    token = token_for(token_text)
    row = await _invitation(token) if token else None
    if token is None or row is None:
        return AnswerResult(Outcome.UNKNOWN)
    event = await _event(row["event"])
    if event is not None and event.cancelled_at is not None:
        return AnswerResult(Outcome.CANCELLED)
    if event is not None and not event.accepts_answers(now):
        return AnswerResult(Outcome.CLOSED)
    companion = companion_of(companion) if accept and event is not None and event.companions_allowed else None
    async with write_transaction():
        if event is not None:
            await lock_event(event.id)
        result = await _decide(row["id"], event, accept, companion, now)
    if result.outcome != Outcome.UNCHANGED:
        await person_initiated(token.contact_id, now)
    return result


async def _decide(invitation_id: int, event: EventFacts | None, accept: bool, companion: str | None,
                  now: datetime) -> AnswerResult:
    current = await Invitation.select().where(Invitation.id == invitation_id).first()
    assert current is not None  # invitations are never deleted
    status = current["status"]
    if current["arrived_at"] is not None or status == InvitationStatus.ATTENDED:
        return AnswerResult(Outcome.UNCHANGED)  # at the door already: the answer is history
    event_id = event.id if event else None
    if not accept:
        if status == InvitationStatus.DECLINED:
            return AnswerResult(Outcome.UNCHANGED)
        await _set(invitation_id, now, status=InvitationStatus.DECLINED, responded_at=now, with_companion=False,
                   companion_name=None)
        await record_step(invitation_id, GuestStep.DECLINED, "guest", now)
        # A place freed, or the head of the waitlist gone: either may let the next waiting guest in.
        freeing = status in HOLDING or status == InvitationStatus.WAITLISTED
        promoted = await promote(event_id, now) if event_id and freeing else []
        return AnswerResult(Outcome.DECLINED, [GuestMail(MailKind.PROMOTED, i) for i in promoted])
    if status in HOLDING:
        return await _companion_change(current, event, companion, now)
    if status == InvitationStatus.WAITLISTED:
        if companion != current["companion_name"]:
            await _set(invitation_id, now, with_companion=companion is not None, companion_name=companion)
            if companion:
                await record_step(invitation_id, GuestStep.COMPANION_NAMED, "guest", now)
        promoted = await promote(event_id, now) if event_id else []  # the place a withdrawn companion held
        if invitation_id in promoted:
            return AnswerResult(Outcome.ACCEPTED, [GuestMail(MailKind.PROMOTED, i) for i in promoted])
        return AnswerResult(Outcome.WAITLISTED)
    need = 1 + (companion is not None)
    room = await places(event_id) if event_id else Places(0, False)
    fits = event is None or event.capacity is None or (not room.waiting and room.taken + need <= event.capacity)
    answered = InvitationStatus.ACCEPTED if fits else InvitationStatus.WAITLISTED
    await _set(invitation_id, now, status=answered, responded_at=now, with_companion=companion is not None,
               companion_name=companion, waitlisted_at=None if fits else now)
    await record_step(invitation_id, GuestStep.ACCEPTED if fits else GuestStep.WAITLISTED, "guest", now)
    if companion:
        await record_step(invitation_id, GuestStep.COMPANION_NAMED, "guest", now)
    if event is None:
        return AnswerResult(Outcome.ACCEPTED)
    kind = MailKind.ACCEPTED if fits else MailKind.WAITLISTED
    return AnswerResult(Outcome(answered.value), [GuestMail(kind, invitation_id)])


async def _companion_change(current: dict, event: EventFacts | None, companion: str | None,
                            now: datetime) -> AnswerResult:
    """An accepted guest answers again: only their companion may change. A companion needs a free place."""
    invitation_id = current["id"]
    if companion == current["companion_name"]:
        return AnswerResult(Outcome.UNCHANGED)
    refused = False
    if companion is not None and not current["with_companion"] and event is not None and event.capacity is not None:
        room = await places(event.id)
        refused = room.waiting or room.taken + 1 > event.capacity
    if refused:
        return AnswerResult(Outcome.ACCEPTED, companion_refused=True)
    await _set(invitation_id, now, with_companion=companion is not None, companion_name=companion)
    if companion:
        await record_step(invitation_id, GuestStep.COMPANION_NAMED, "guest", now)
    promoted = await promote(event.id, now) if event is not None and companion is None else []
    mails = [GuestMail(MailKind.ACCEPTED, invitation_id)] if event is not None else []
    return AnswerResult(Outcome.ACCEPTED, mails + [GuestMail(MailKind.PROMOTED, i) for i in promoted])


async def _set(invitation_id: int, now: datetime, **values: object) -> None:
    await Invitation.update({**{getattr(Invitation, name): value for name, value in values.items()},
                             Invitation.updated_at: now}).where(Invitation.id == invitation_id)


async def record_step(invitation_id: int, step: GuestStep, actor: str, now: datetime | None = None) -> None:
    await InvitationStep.insert(InvitationStep(invitation=invitation_id, step=step, actor=actor,
                                               at=now or datetime.now(UTC)))


async def lock_event(event_id: int) -> None:
    """Inside a write transaction: nobody else counts or takes the event's places until it ends. SQLite's
    IMMEDIATE transaction holds the database's one write lock already."""
    if isinstance(engine(), PostgresEngine):
        await Event.raw("SELECT id FROM event WHERE id = {} FOR UPDATE", event_id)


async def places(event_id: int) -> Places:
    """Inside the event's locked transaction: the places taken, and whether anyone waits."""
    rows = await Event.raw(
        "SELECT COALESCE(SUM(CASE WHEN i.status IN ('accepted', 'attended') THEN 1 + "
        "CASE WHEN i.with_companion THEN 1 ELSE 0 END ELSE 0 END), 0) AS taken, "
        "COALESCE(SUM(CASE WHEN i.status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waiting "
        "FROM invitation i JOIN invitation_list l ON l.id = i.invitation_list WHERE l.event = {}", event_id)
    return Places(taken=int(rows[0]["taken"]), waiting=int(rows[0]["waiting"]) > 0)



async def promote(event_id: int | None, now: datetime) -> list[int]:
    """Inside the event's locked transaction: the waitlist, in its order, into the places free. The invitations
    promoted, to be told."""
    if event_id is None:
        return []
    event = await Event.select(Event.capacity).where(Event.id == event_id).first()
    capacity = event["capacity"] if event else None
    promoted: list[int] = []
    while True:
        first = await Invitation.select(Invitation.id, Invitation.with_companion).where(
            Invitation.invitation_list.event == event_id, Invitation.status == InvitationStatus.WAITLISTED,
        ).order_by(Invitation.waitlisted_at).order_by(Invitation.id).first()
        if first is None:
            return promoted
        if capacity is not None and (await places(event_id)).taken + 1 + first["with_companion"] > capacity:
            return promoted
        await _set(first["id"], now, status=InvitationStatus.ACCEPTED)
        await record_step(first["id"], GuestStep.PROMOTED, "system", now)
        promoted.append(first["id"])


async def _of_event(event_id: int, statuses: tuple[str, ...]) -> list[int]:
    return [row["id"] for row in await Invitation.select(Invitation.id).where(
        Invitation.invitation_list.is_in(InvitationList.select(InvitationList.id).where(
            InvitationList.event == event_id)),
        Invitation.status.is_in(list(statuses))).order_by(Invitation.id)]


async def holding_places(event_id: int) -> list[int]:
    return await _of_event(event_id, tuple(HOLDING))


async def waiting(event_id: int) -> list[int]:
    return await _of_event(event_id, (InvitationStatus.WAITLISTED,))
