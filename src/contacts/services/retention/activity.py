"""REQ-9: a prospect's period runs from the last contact the person initiated."""

from __future__ import annotations

from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import ContactStatus
from contacts.tables import Contact


async def person_initiated(contact_id: int, now: datetime | None = None) -> None:
    """A form the person sent, an invitation they answered. Never a page view: mail scanners open every link,
    and an open does not count."""
    async with write_transaction():
        await Contact.update({Contact.last_initiated_contact_at: now or datetime.now(UTC)}).where(
            Contact.id == contact_id, Contact.status != ContactStatus.ERASED)
