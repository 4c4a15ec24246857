"""REQ-13: a contact obtained from a third party must be told within one month where we got their address
and that they may object. The first message we send them carries that block (Art. 14), so a third-party
contact with no message sent a month after collection is flagged for the DPO."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from contacts.domain import ContactStatus, DeliveryStatus, SourceType
from contacts.services.rights import requests as rights
from contacts.tables import Contact, Delivery

CHUNK = 500  # ids per IN (...) query, well under SQLite's parameter limit


@dataclass(frozen=True)
class Unnoticed:
    contact_id: int
    source_name: str
    collected_on: date
    notice_due_on: date


async def unnoticed(now: datetime | None = None) -> list[Unnoticed]:
    """Third-party contacts whose month to be told has passed (counted in Paris days) with no message sent."""
    today = rights.paris_day(now or datetime.now(UTC))
    rows = await Contact.select(Contact.id, Contact.source_name, Contact.collected_at).where(
        Contact.source_type == SourceType.THIRD_PARTY, Contact.status != ContactStatus.ERASED).order_by(Contact.id)
    overdue = {}
    for row in rows:
        collected = rights.paris_day(row["collected_at"])
        due = rights.months_later(collected, 1)
        if today > due:
            overdue[row["id"]] = Unnoticed(row["id"], row["source_name"], collected, due)
    ids = list(overdue)
    for start in range(0, len(ids), CHUNK):
        told = await Delivery.select(Delivery.contact).where(
            Delivery.contact.is_in(ids[start:start + CHUNK]), Delivery.status == DeliveryStatus.SENT)
        for item in told:
            overdue.pop(item["contact"], None)
    return list(overdue.values())
