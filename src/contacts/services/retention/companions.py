"""Companions' names (REQ-51): kept for the event and its door list, deleted CONTACTS_COMPANION_RETENTION_DAYS
after the event's end. The place each companion took stays counted (Invitation.with_companion); the event
records when its companions' names went (Event.companions_deleted_at), and the audit log how many."""

from __future__ import annotations

from datetime import datetime, timedelta

from contacts.db.engine import write_transaction
from contacts.event_tables import Event, Invitation, InvitationList
from contacts.services import audit
from contacts.settings import get_settings


def _ended_before(now: datetime):
    cutoff = now - timedelta(days=get_settings().companion_retention_days)
    return Event.select(Event.id).where(Event.ends_at < cutoff, Event.companions_deleted_at.is_null())


async def due(now: datetime) -> int:
    """How many companions' names are past their time."""
    return await Invitation.count().where(
        Invitation.companion_name.is_not_null(),
        Invitation.invitation_list.is_in(InvitationList.select(InvitationList.id).where(
            InvitationList.event.is_in(_ended_before(now)))))


async def forget(now: datetime, actor: str) -> int:
    """Delete them, event by event; returns how many names went."""
    deleted = 0
    for event in await _ended_before(now):
        async with write_transaction():
            names = await Invitation.update({Invitation.companion_name: None, Invitation.updated_at: now}).where(
                Invitation.companion_name.is_not_null(),
                Invitation.invitation_list.is_in(InvitationList.select(InvitationList.id).where(
                    InvitationList.event == event["id"]))).returning(Invitation.id)
            await Event.update({Event.companions_deleted_at: now}).where(Event.id == event["id"])
        deleted += len(names)
        await audit.record(actor, "event.companions_deleted", "event", event["id"],
                           details={"names_deleted": len(names),
                                    "days_after_the_event": get_settings().companion_retention_days})
    return deleted
