"""REQ-18: a rectification, erasure or restriction is passed on to everyone the data was disclosed to.

Disclosures are found in the audit log: an export records its recipient, its reason and the ids of the
contacts it held (services/invitations.export_csv). Each one that held the person becomes a propagation
to carry out; staff record when the recipient was told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.engine import json_value, write_transaction
from contacts.errors import NotFoundError
from contacts.i18n import N_
from contacts.paging import pages
from contacts.services import audit
from contacts.services.staff.accounts import Staff
from contacts.tables import AuditEvent, Propagation

DISCLOSING_ACTIONS = ("export",)


@dataclass(frozen=True)
class PropagationView:
    id: int
    recipient: str
    disclosed_at: datetime
    action: str
    told_at: datetime | None
    told_by: str | None


async def disclosures_of(contact_id: int) -> list[dict]:
    """The audit entries of exports that held this contact, oldest first."""
    found = []
    for row in await AuditEvent.select(AuditEvent.id, AuditEvent.occurred_at, AuditEvent.details).where(
            AuditEvent.action.is_in(list(DISCLOSING_ACTIONS))).order_by(AuditEvent.id):
        details = json_value(row["details"])
        if contact_id in (details.get("contacts") or []):
            found.append({"id": row["id"], "occurred_at": row["occurred_at"], "to": details.get("to") or "?"})
    return found


async def record_for(rights_request_id: int, contact_id: int, action: str) -> int:
    """One propagation per disclosure of the person; call before erasure, while the ids still lead there."""
    disclosures = await disclosures_of(contact_id)
    if disclosures:
        async with write_transaction():  # all or none, a page of rows per statement
            for page in pages(disclosures, 500):
                await Propagation.insert(*[Propagation(
                    rights_request=rights_request_id, disclosure_audit_id=item["id"], recipient=item["to"][:300],
                    disclosed_at=item["occurred_at"], action=action) for item in page])
    return len(disclosures)


async def of_request(rights_request_id: int) -> list[PropagationView]:
    rows = await Propagation.select().where(Propagation.rights_request == rights_request_id).order_by(Propagation.id)
    return [PropagationView(id=row["id"], recipient=row["recipient"], disclosed_at=row["disclosed_at"],
                            action=row["action"], told_at=row["told_at"], told_by=row["told_by"]) for row in rows]


async def mark_told(propagation_id: int, staff: Staff) -> None:
    async with write_transaction():
        rows = await Propagation.update({Propagation.told_at: datetime.now(UTC), Propagation.told_by: staff.actor}
                                        ).where(Propagation.id == propagation_id, Propagation.told_at.is_null()
                                                ).returning(Propagation.rights_request)
    if not rows and not await Propagation.exists().where(Propagation.id == propagation_id):
        raise NotFoundError(N_("no propagation %(propagation_id)s"), propagation_id=propagation_id)
    await audit.record(staff, "propagation.told", "propagation", propagation_id)
