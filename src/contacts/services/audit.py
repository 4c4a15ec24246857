"""The audit log (REQ-8): who viewed, exported or changed personal data, when, and for which purpose.

Append-only: the database refuses UPDATE and DELETE on it, and nothing here offers either. Reading it is
for the DPO and admin roles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contacts.db.engine import json_value, write_transaction
from contacts.domain import Permission
from contacts.tables import AuditEvent

if TYPE_CHECKING:  # staff accounts record their changes here: the audit log needs their type only
    from contacts.services.staff.accounts import Staff

PAGE_LIMIT = 500


@dataclass(frozen=True)
class Entry:
    id: int
    occurred_at: datetime
    actor: str
    role: str
    action: str
    object_type: str
    object_id: str | None
    purpose: str | None
    details: dict[str, Any]


async def record(actor: Staff | str, action: str, object_type: str, object_id: object = None, *,
                 purpose: str | None = None, details: dict[str, Any] | None = None,
                 role: str | None = None) -> None:
    """`actor`: the staff member, a command-line actor such as cli:<login>, a system actor such as
    system:retention, or `recipient` (with `role`) for what a person does through their own links."""
    if isinstance(actor, str):
        name, role = actor, role or ("system" if actor.startswith("system:") else "cli")
    else:
        name, role = actor.actor, actor.role.value
    async with write_transaction():
        await AuditEvent.insert(AuditEvent(
            actor=name, role=role, action=action, object_type=object_type,
            object_id=None if object_id is None else str(object_id), purpose=purpose, details=details or {}))


async def entries(reader: Staff, *, actor: str | None = None, action: str | None = None,
                  object_type: str | None = None, object_id: str | None = None, after_id: int = 0,
                  limit: int = 100) -> list[Entry]:
    """Newest last, from after `after_id`; filtered by what is given."""
    reader.require(Permission.AUDIT)
    query = AuditEvent.select().where(AuditEvent.id > after_id)
    for column, value in ((AuditEvent.actor, actor), (AuditEvent.action, action),
                          (AuditEvent.object_type, object_type), (AuditEvent.object_id, object_id)):
        if value is not None:
            query = query.where(column == value)
    rows = await query.order_by(AuditEvent.id).limit(max(1, min(limit, PAGE_LIMIT)))
    for row in rows:  # Piccolo reads JSON back as text
        row["details"] = json_value(row["details"])
    return [Entry(**{key: row[key] for key in Entry.__dataclass_fields__}) for row in rows]
