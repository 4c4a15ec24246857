"""Erasure (GDPR Art. 17, REQ-19): the person is deleted or anonymised everywhere, in one transaction.

What stays: the contact's row with its id and every personal column blanked, so that deliveries, list
members and invitations still count (aggregate statistics are unchanged); a do-not-contact record holding
only the keyed hash of the address (REQ-44), so the person is never mailed again; and the ledgers' entries,
whose free text is redacted in the one way their triggers allow. The retention engine anonymises through
here too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from piccolo.columns.combination import Or, Where

from contacts.db.engine import engine, write_transaction
from contacts.domain import Channel, ContactStatus, EventAction, SuppressionReason
from contacts.errors import NotFoundError
from contacts.event_tables import Invitation
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.people import ledger, suppression
from contacts.services.staff.accounts import Staff
from contacts.tables import (
    AfterDeathInstruction,
    AuditEvent,
    ConsentEvent,
    Contact,
    Delivery,
    IdentityDocument,
    PendingConsent,
    RightsRequest,
    Subscription,
)

PERSONAL_COLUMNS = ("title", "first_name", "last_name", "organisation", "position", "department", "email",
                    "email_canonical", "phone", "postal_address", "last_initiated_contact_at", "notice_version")
REDACTED = '{"redacted": true}'  # the only details a redaction may write (see the redaction guards migration)
# Shorter values would match unrelated text ("Li", "Al"); a name that short is looked up with the others.
SHORTEST_SEARCHED = 3


@dataclass
class ErasureReport:
    contact_id: int
    already_erased: bool = False
    changed: dict[str, int] = field(default_factory=dict)  # table: rows anonymised, redacted or deleted


def personal_values(contact: dict) -> list[str]:
    """What identifies the person in free text elsewhere: the address, the names and the phone number."""
    full_name = " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)
    values = [contact.get(name) for name in ("email", "email_canonical", "phone", "first_name", "last_name")]
    return sorted({value.strip() for value in [*values, full_name] if value and len(value.strip()) >= SHORTEST_SEARCHED})


def _patterns(values: list[str]) -> list[str]:
    """LIKE patterns for each value as written and as JSON escapes it (non-ASCII as \\uXXXX)."""
    found: set[str] = set()
    for value in values:
        for form in (value, json.dumps(value)[1:-1]):
            escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.update({f"%{escaped}%", f"%{escaped.lower()}%"})
    return sorted(found)


def _json_parameter() -> str:
    """A placeholder for JSON text: PostgreSQL's json column takes it cast, SQLite's text column as it is.
    (Passed as a parameter: Piccolo would read the braces of a literal as placeholders.)"""
    return "{}" if engine().engine_type == "sqlite" else "CAST({} AS json)"


def _text_matches(column: str, count: int) -> str:
    """`count` patterns, each given twice: matched lowercased, and as written (SQLite lowercases ASCII only)."""
    text = f"CAST({column} AS TEXT)"
    one = f"(lower({text}) LIKE lower({{}}) ESCAPE '\\' OR {text} LIKE {{}} ESCAPE '\\')"
    return "(" + " OR ".join([one] * count) + ")"


async def erase_contact(contact_id: int, *, actor: Staff | str, reason: str, rights_request_id: int | None = None,
                        now: datetime | None = None, suppress: bool = True) -> ErasureReport:
    """Erase one person. Repeating it is harmless. `reason` says why, without personal data (e.g. "rights
    request 12" or "retention: prospect, no contact for 3 years"). `suppress`: also write a global
    do-not-contact record. The retention engine passes False: the person's own opt-outs stay (REQ-9), and
    nobody is banned from every list for having gone quiet."""
    now = now or datetime.now(UTC)
    name = actor.actor if isinstance(actor, Staff) else actor
    report = ErasureReport(contact_id)
    async with write_transaction():
        contact = await Contact.select().where(Contact.id == contact_id).first()
        if contact is None:
            raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
        if contact["status"] == ContactStatus.ERASED:
            report.already_erased = True
            return report
        canonical = contact["email_canonical"]
        if canonical and suppress:
            # Written first: its ledger entry is the one that must stay readable.
            await suppression.record_suppression(canonical, SuppressionReason.ERASURE, "global", actor=name,
                                                 channel=Channel.SYSTEM, contact_id=contact_id, note="erasure")
        patterns = _patterns(personal_values(contact))
        report.changed["consent_event"] = await _redact_consent_events(contact_id, patterns, now)
        report.changed["audit_event"] = await _redact_audit_events(patterns, now)
        report.changed["subscription"] = len(await Subscription.update(
            {Subscription.evidence: {}, Subscription.updated_at: now}).where(
            Subscription.contact == contact_id).returning(Subscription.id))
        report.changed["delivery"] = len(await Delivery.update({Delivery.last_error: None}).where(
            Delivery.contact == contact_id, Delivery.last_error.is_not_null()).returning(Delivery.id))
        pending = PendingConsent.contact == contact_id
        if canonical:
            pending = pending | (PendingConsent.email_canonical == canonical)
        report.changed["pending_consent"] = len(await PendingConsent.delete().where(pending).returning(PendingConsent.id))
        report.changed.update(await _forget_in_requests(contact_id, contact["email"]))
        # REQ-51: the companion the person named goes with them; the place it took stays counted.
        report.changed["companion_name"] = len(await Invitation.update({Invitation.companion_name: None}).where(
            Invitation.contact == contact_id, Invitation.companion_name.is_not_null()).returning(Invitation.id))
        report.changed["after_death_instruction"] = len(await AfterDeathInstruction.delete().where(
            AfterDeathInstruction.contact == contact_id).returning(AfterDeathInstruction.id))
        await Contact.update({
            **{getattr(Contact, name): None for name in PERSONAL_COLUMNS},
            Contact.source_name: "", Contact.status: ContactStatus.ERASED, Contact.updated_at: now,
            Contact.import_row: None,
        }).where(Contact.id == contact_id)
        report.changed["contact"] = 1
        await ledger.record(ledger.consent_event(EventAction.ERASED, Channel.SYSTEM, name, reason=reason,
                                                 contact=contact_id,
                                                 details={"rights_request": rights_request_id} if rights_request_id else {}))
    await audit.record(actor, "contact.erase", "contact", contact_id,
                       details={"reason": reason, "rights_request": rights_request_id, "changed": report.changed})
    return report


async def _redact_consent_events(contact_id: int, patterns: list[str], now: datetime) -> int:
    """Every entry about the person, and any other whose text names them."""
    if not patterns:
        rows = await ConsentEvent.raw(
            f"UPDATE consent_event SET reason = NULL, details = {_json_parameter()}, redacted_at = {{}} "
            "WHERE redacted_at IS NULL AND contact = {} RETURNING id", REDACTED, now, contact_id)
        return len(rows)
    matches = " OR ".join([_text_matches("reason", len(patterns)), _text_matches("details", len(patterns))])
    arguments = [pattern for pattern in patterns for _ in range(2)]
    rows = await ConsentEvent.raw(
        f"UPDATE consent_event SET reason = NULL, details = {_json_parameter()}, redacted_at = {{}} "
        f"WHERE redacted_at IS NULL AND (contact = {{}} OR {matches}) RETURNING id",
        REDACTED, now, contact_id, *arguments, *arguments)
    return len(rows)


async def _redact_audit_events(patterns: list[str], now: datetime) -> int:
    """Entries whose details name the person (a search for them, a test send to them). Entries that hold only
    the contact's id stay: REQ-18 follows disclosures by id."""
    if not patterns:
        return 0
    arguments = [pattern for pattern in patterns for _ in range(2)]
    rows = await AuditEvent.raw(
        f"UPDATE audit_event SET details = {_json_parameter()}, redacted_at = {{}} "
        f"WHERE redacted_at IS NULL AND {_text_matches('details', len(patterns))} RETURNING id",
        REDACTED, now, *arguments)
    return len(rows)


async def _forget_in_requests(contact_id: int, email: str | None) -> dict[str, int]:
    """The requests themselves stay, as proof they were answered; what the person wrote in them goes, and so
    does any identity document still waiting."""
    which: Where | Or = RightsRequest.contact == contact_id
    if email:
        which = which | (RightsRequest.requester_email == email)
    ids = [row["id"] for row in await RightsRequest.select(RightsRequest.id).where(which)]
    if not ids:
        return {"rights_request": 0, "identity_document": 0}
    documents = await IdentityDocument.delete().where(IdentityDocument.rights_request.is_in(ids)).returning(
        IdentityDocument.id)
    await RightsRequest.update({RightsRequest.details: {}, RightsRequest.requester_email: None,
                                RightsRequest.requester_name: None}).where(RightsRequest.id.is_in(ids))
    return {"rights_request": len(ids), "identity_document": len(documents)}
