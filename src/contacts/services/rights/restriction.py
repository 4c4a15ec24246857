"""Restriction of processing (GDPR Art. 18, REQ-20): while a restriction lasts the contact is stored only.

The contact's status says so, and every send, segment, invitation list and export already leaves restricted
contacts out. A restriction is asked for, or set by the desk while the accuracy of the data is disputed or
an objection is pending; the person is told before it is lifted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import Channel, ContactStatus, EventAction
from contacts.errors import ConflictError, NotFoundError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.people import ledger
from contacts.services.staff.accounts import Staff
from contacts.tables import Contact, Restriction

REASONS = ("asked_for", "accuracy_disputed", "objection_pending", "deceased")


@dataclass(frozen=True)
class RestrictionView:
    id: int
    contact_id: int
    rights_request_id: int | None
    reason: str
    started_at: datetime
    lift_notified_at: datetime | None
    lifted_at: datetime | None


def _view(row: dict) -> RestrictionView:
    return RestrictionView(id=row["id"], contact_id=row["contact"], rights_request_id=row["rights_request"],
                           reason=row["reason"], started_at=row["started_at"],
                           lift_notified_at=row["lift_notified_at"], lifted_at=row["lifted_at"])


async def restrict(contact_id: int, reason: str, *, actor: Staff | str,
                   rights_request_id: int | None = None) -> RestrictionView:
    """Restrict at once. A contact already restricted for the same request keeps its restriction."""
    name = actor.actor if isinstance(actor, Staff) else actor
    if reason not in REASONS:
        raise ValueError(reason)
    async with write_transaction():
        contact = await Contact.select(Contact.status).where(Contact.id == contact_id).first()
        if contact is None or contact["status"] == ContactStatus.ERASED:
            raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
        existing = await Restriction.select().where(
            Restriction.contact == contact_id, Restriction.lifted_at.is_null(),
            Restriction.rights_request == rights_request_id if rights_request_id else Restriction.reason == reason,
        ).first()
        if existing:
            return _view(existing)
        row = (await Restriction.insert(Restriction(
            contact=contact_id, rights_request=rights_request_id, reason=reason, started_by=name,
        )).returning(*Restriction.all_columns()))[0]
        await Contact.update({Contact.status: ContactStatus.RESTRICTED, Contact.updated_at: datetime.now(UTC)}).where(
            Contact.id == contact_id)
        await ledger.record(ledger.consent_event(EventAction.RESTRICTED, Channel.STAFF, name, reason=reason,
                                                 contact=contact_id, details={"rights_request": rights_request_id}))
    await audit.record(actor, "contact.restrict", "contact", contact_id,
                       details={"reason": reason, "rights_request": rights_request_id})
    return _view(row)


async def of_request(rights_request_id: int) -> list[RestrictionView]:
    return [_view(row) for row in await Restriction.select().where(Restriction.rights_request == rights_request_id)]


async def mark_lift_notified(restriction_id: int) -> None:
    async with write_transaction():
        await Restriction.update({Restriction.lift_notified_at: datetime.now(UTC)}).where(
            Restriction.id == restriction_id, Restriction.lift_notified_at.is_null())


async def lift(restriction_id: int, *, actor: Staff) -> bool:
    """REQ-20: only once the person has been told (`mark_lift_notified`). The contact is active again when no
    other restriction holds it. Returns whether the contact is active now."""
    async with write_transaction():
        row = await Restriction.select().where(Restriction.id == restriction_id).first()
        if row is None:
            raise NotFoundError(N_("no restriction %(restriction_id)s"), restriction_id=restriction_id)
        if row["lifted_at"] is not None:
            return False
        if row["lift_notified_at"] is None:
            raise ConflictError(N_("the person must be told before the restriction is lifted"))
        now = datetime.now(UTC)
        await Restriction.update({Restriction.lifted_at: now, Restriction.lifted_by: actor.actor}).where(
            Restriction.id == restriction_id)
        others = await Restriction.count().where(Restriction.contact == row["contact"],
                                                 Restriction.lifted_at.is_null())
        active = not others
        if active:
            await Contact.update({Contact.status: ContactStatus.ACTIVE, Contact.updated_at: now}).where(
                Contact.id == row["contact"], Contact.status == ContactStatus.RESTRICTED)
        await ledger.record(ledger.consent_event(EventAction.RESTRICTION_LIFTED, Channel.STAFF, actor.actor,
                                                 reason=row["reason"], contact=row["contact"],
                                                 details={"rights_request": row["rights_request"]}))
    await audit.record(actor, "contact.restriction_lift", "contact", row["contact"],
                       details={"restriction": restriction_id})
    return active
