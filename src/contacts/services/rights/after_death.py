"""After-death instructions (Loi Informatique et Libertés, art. 85; REQ-23): keep, erase or communicate,
carried out by a named executor, revocable at any time, and applied on a verified death notice.

Whatever the instructions, a dead person is never mailed again: the notice writes a global do-not-contact
record first. Then "erase" erases, "communicate" sends the executor a link to the person's data, and
"keep" keeps the data, stored only (restricted).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.addresses import parse_address
from contacts.db.engine import write_transaction
from contacts.domain import (
    Channel,
    ContactStatus,
    Permission,
    RightsRequestType,
    SuppressionReason,
)
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.people import suppression
from contacts.services.rights import erasure, restriction
from contacts.services.rights import export as subject_export
from contacts.services.rights import requests as rights
from contacts.services.staff.accounts import Staff
from contacts.tables import AfterDeathInstruction, Contact

INSTRUCTIONS = ("keep", "erase", "communicate")


@dataclass(frozen=True)
class Instruction:
    id: int
    instruction: str
    executor_name: str | None
    executor_email: str | None
    details: str
    recorded_at: datetime
    revoked_at: datetime | None
    applied_at: datetime | None


def _view(row: dict) -> Instruction:
    return Instruction(**{name: row[name] for name in Instruction.__dataclass_fields__})


async def record(staff: Staff, contact_id: int, instruction: str, *, executor_name: str = "",
                 executor_email: str = "", details: str = "") -> Instruction:
    """New instructions replace the ones in force, which are revoked."""
    staff.require(Permission.RIGHTS)
    instruction = instruction.strip().lower()
    if instruction not in INSTRUCTIONS:
        raise ValidationError("instruction", N_("is one of %(codes)s"), codes=", ".join(INSTRUCTIONS))
    executor_email = executor_email.strip()
    if instruction == "communicate" and not executor_email:
        raise ValidationError("executor_email", N_("is needed to communicate the data"))
    address = parse_address(executor_email, field="executor_email").normalized if executor_email else None
    now = datetime.now(UTC)
    async with write_transaction():
        if not await Contact.exists().where(Contact.id == contact_id, Contact.status != ContactStatus.ERASED):
            raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
        await AfterDeathInstruction.update({AfterDeathInstruction.revoked_at: now}).where(
            AfterDeathInstruction.contact == contact_id, AfterDeathInstruction.revoked_at.is_null())
        row = (await AfterDeathInstruction.insert(AfterDeathInstruction(
            contact=contact_id, instruction=instruction, executor_name=" ".join(executor_name.split())[:200] or None,
            executor_email=address, details=details.strip()[:4000], recorded_by=staff.actor,
        )).returning(*AfterDeathInstruction.all_columns()))[0]
    await audit.record(staff, "after_death.record", "contact", contact_id, details={"instruction": instruction})
    return _view(row)


async def in_force(contact_id: int) -> Instruction | None:
    row = await AfterDeathInstruction.select().where(AfterDeathInstruction.contact == contact_id,
                                                     AfterDeathInstruction.revoked_at.is_null()).first()
    return _view(row) if row else None


async def revoke(staff: Staff, contact_id: int) -> bool:
    staff.require(Permission.RIGHTS)
    async with write_transaction():
        rows = await AfterDeathInstruction.update({AfterDeathInstruction.revoked_at: datetime.now(UTC)}).where(
            AfterDeathInstruction.contact == contact_id, AfterDeathInstruction.revoked_at.is_null(),
            AfterDeathInstruction.applied_at.is_null()).returning(AfterDeathInstruction.id)
    await audit.record(staff, "after_death.revoke", "contact", contact_id)
    return bool(rows)


async def apply_death_notice(staff: Staff, contact_id: int, verified_by: str) -> str:
    """A verified death notice: returns what was done ("erased", "communicated", "kept")."""
    staff.require(Permission.RIGHTS)
    verified_by = " ".join(verified_by.split())[:200]
    if not verified_by:
        raise ValidationError("verified_by", N_("say how the death notice was verified"))
    contact = await Contact.select(Contact.email_canonical, Contact.status).where(Contact.id == contact_id).first()
    if contact is None or contact["status"] == ContactStatus.ERASED:
        raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
    if contact["email_canonical"]:
        await suppression.suppress(contact["email_canonical"], SuppressionReason.MANUAL, actor=staff.actor,
                                   channel=Channel.STAFF, note="death notice")
    instruction = await in_force(contact_id)
    done = "kept"
    if instruction and instruction.instruction == "erase":
        await erasure.erase_contact(contact_id, actor=staff, reason="after-death instructions")
        done = "erased"
    elif instruction and instruction.instruction == "communicate":
        created = await rights.record_request(
            contact_id, RightsRequestType.ACCESS, Channel.STAFF, actor=staff.actor,
            identity_method=f"executor named in after-death instructions; death notice: {verified_by}"[:100],
            requester_email=instruction.executor_email, requester_name=instruction.executor_name,
            details={"text": "after-death instructions: communicate to the executor"})
        # The link goes to the executor, not to the person's own address.
        if not await subject_export.send_export_link(created["id"], to=instruction.executor_email,
                                                     name=instruction.executor_name):
            raise ConflictError(N_("the executor's server refused the link: try again later"))
        await restriction.restrict(contact_id, "deceased", actor=staff)
        done = "communicated"
    else:
        await restriction.restrict(contact_id, "deceased", actor=staff)
    if instruction and done != "erased":
        async with write_transaction():
            await AfterDeathInstruction.update({AfterDeathInstruction.applied_at: datetime.now(UTC)}).where(
                AfterDeathInstruction.id == instruction.id)
    await audit.record(staff, "after_death.apply", "contact", contact_id,
                       details={"verified_by": verified_by, "done": done})
    return done
