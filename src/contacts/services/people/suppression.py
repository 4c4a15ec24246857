"""The suppression list: do-not-contact records that hold a keyed hash, never an address (REQ-42..46)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from contacts import csv_files
from contacts.addresses import CANONICALISER_VERSION, parse_address
from contacts.db.bulk import BulkSession
from contacts.db.engine import write_transaction
from contacts.domain import (
    ALWAYS_GLOBAL_REASONS,
    Channel,
    EventAction,
    SuppressionReason,
    parse_enum,
)
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.keyring import Keyring
from contacts.services import catalogue
from contacts.services.people import ledger, suppression_rule
from contacts.settings import get_settings
from contacts.tables import Contact, MailingList, Purpose, Suppression

EXPORT_COLUMNS = ("address_hash", "key_id", "canonicaliser_version", "scope", "reason", "created_at")
_HEX_64 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class SuppressionEntry:
    scope: str
    reason: SuppressionReason
    created_at: datetime


@dataclass(frozen=True)
class SuppressResult:
    created: bool
    entry: SuppressionEntry


def keyring() -> Keyring:
    return Keyring.from_settings(get_settings())


async def validate_scope(scope: str, reason: SuppressionReason) -> str:
    return check_scope(scope.strip(), reason, await catalogue.valid_scopes())


def check_scope(scope: str, reason: SuppressionReason, valid_scopes: set[str]) -> str:
    if reason in ALWAYS_GLOBAL_REASONS and scope != "global":
        raise ValidationError("scope", N_("%(reason)s suppressions are always global"), reason=reason)
    if scope not in valid_scopes:
        raise ValidationError("scope", N_("%(scope)r is not global, purpose:<code> or list:<slug> of a known purpose or list"),
                              scope=scope)
    return scope


async def suppress(
    address: str,
    reason: SuppressionReason | str,
    *,
    scope: str = "global",
    actor: str,
    channel: Channel,
    note: str | None = None,
) -> SuppressResult:
    """Add a do-not-contact record. Repeating it keeps the first record and is harmless."""
    reason = parse_enum(SuppressionReason, "reason", reason) if isinstance(reason, str) else reason
    scope = await validate_scope(scope, reason)
    canonical = parse_address(address).canonical
    async with write_transaction():
        contact = await Contact.select(Contact.id).where(Contact.email_canonical == canonical).first()
        return await record_suppression(
            canonical, reason, scope, actor=actor, channel=channel, note=note,
            contact_id=contact["id"] if contact else None,
            purpose_id=await _scope_purpose_id(scope), list_id=await _scope_list_id(scope),
        )


async def record_suppression(
    canonical: str,
    reason: SuppressionReason,
    scope: str,
    *,
    actor: str,
    channel: Channel,
    contact_id: int | None,
    purpose_id: int | None = None,
    list_id: int | None = None,
    note: str | None = None,
) -> SuppressResult:
    """The record itself, for callers that know the scope is valid and whose contact, purpose and list it
    names (an opt-out link does): no catalogue lookups on that hot path. The rule is
    contacts.services.people.suppression_rule's; this runs it in the caller's write transaction, or in its own."""
    wanted = suppression_rule.Wanted(canonical, scope, reason, actor, channel, contact_id, purpose_id, list_id, note)
    now = datetime.now(UTC)
    async with write_transaction():
        (outcome,) = await suppression_rule.write(suppression_rule.PiccoloTransaction(), [wanted], keyring(), now)
    if outcome.active is not None:
        return SuppressResult(created=False, entry=SuppressionEntry(
            scope, SuppressionReason(outcome.active["reason"]), outcome.active["created_at"]))
    return SuppressResult(created=True, entry=SuppressionEntry(scope, reason, now))


async def _scope_purpose_id(scope: str) -> int | None:
    if not scope.startswith("purpose:"):
        return None
    row = await Purpose.select(Purpose.id).where(Purpose.code == scope.split(":", 1)[1]).first()
    return row["id"] if row else None


async def _scope_list_id(scope: str) -> int | None:
    if not scope.startswith("list:"):
        return None
    row = await MailingList.select(MailingList.id).where(MailingList.slug == scope.split(":", 1)[1]).first()
    return row["id"] if row else None


async def entries_for(address: str) -> list[SuppressionEntry]:
    """Every suppression record of an address, in every scope."""
    canonical = parse_address(address).canonical
    rows = await Suppression.select().where(
        Suppression.address_hash.is_in(keyring().hashes(canonical)), Suppression.lifted_at.is_null()
    )
    return [SuppressionEntry(r["scope"], SuppressionReason(r["reason"]), r["created_at"]) for r in rows]


async def suppressed_hashes(session: BulkSession, hashes: Iterable[str], scopes: Iterable[str]) -> dict[str, SuppressionReason]:
    """Which of these hashes (every key's hash of each address) are suppressed in any of these scopes."""
    scopes = set(scopes)
    found: dict[str, SuppressionReason] = {}
    for digest, entries in (await entries_by_hash(session, hashes)).items():
        for scope, reason in entries:
            if scope in scopes:
                found.setdefault(digest, reason)
    return found


async def entries_by_hash(session: BulkSession, hashes: Iterable[str]) -> dict[str, list[tuple[str, SuppressionReason]]]:
    """Every (scope, reason) recorded for each of these hashes."""
    found: dict[str, list[tuple[str, SuppressionReason]]] = {}
    rows = await session.select_in("suppression", ("address_hash", "scope", "reason", "lifted_at"), "address_hash",
                                   list(hashes))
    for row in rows:
        if row["lifted_at"] is not None:
            continue  # REQ-43: lifted by the person's confirmed fresh consent
        found.setdefault(row["address_hash"], []).append((row["scope"], SuppressionReason(row["reason"])))
    return found


async def export_rows() -> list[dict[str, str]]:
    """Hashes with scope, reason and date: never an address."""
    rows = await Suppression.select(*[getattr(Suppression, c) for c in EXPORT_COLUMNS]).where(
        Suppression.lifted_at.is_null()
    ).order_by(Suppression.id)
    for row in rows:
        row["created_at"] = row["created_at"].astimezone(UTC).isoformat()
    return rows


def write_export(rows: Iterable[dict[str, str]], out: TextIO) -> int:
    # Hashes, key ids, scopes, reasons and dates never start as a formula does: the file reads back as written.
    writer = csv_files.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([row[column] for column in EXPORT_COLUMNS])
        count += 1
    return count


@dataclass
class SuppressionImportReport:
    created: int = 0
    already_present: int = 0
    errors: list[tuple[int, str, ValidationError]] = field(default_factory=list)  # (row, column, what is wrong)


async def import_entries(source: TextIO, *, actor: str) -> SuppressionImportReport:
    """Import an export of another instance holding the same keys. Rows with errors are reported and skipped."""
    ring = keyring()
    valid_scopes = await catalogue.valid_scopes()
    report = SuppressionImportReport(errors=[])
    reader = csv.DictReader(source)
    missing = [c for c in ("address_hash", "key_id", "scope", "reason") if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(missing[0], N_("column is missing from the suppression file"))
    accepted: list[tuple[int, dict]] = []
    for row_number, row in enumerate(reader, start=2):
        try:
            row = {name: csv_files.plain_cell(value) for name, value in row.items() if isinstance(value, str)}
            accepted.append((row_number, _parse_export_row(row, ring, valid_scopes)))
        except ValidationError as error:
            report.errors.append((row_number, error.field, error))
    async with write_transaction():
        for row_number, entry in accepted:
            exists = await Suppression.exists().where(
                Suppression.address_hash == entry["address_hash"], Suppression.scope == entry["scope"],
                Suppression.lifted_at.is_null(),
            )
            if exists:
                report.already_present += 1
                continue
            rows = await Suppression.insert(Suppression(**entry, created_by=actor)).returning(Suppression.id)
            await ledger.record(
                ledger.consent_event(
                    EventAction.SUPPRESSION_IMPORTED,
                    Channel.CLI,
                    actor,
                    reason=str(entry["reason"]),
                    suppression=rows[0]["id"],
                    details={"scope": entry["scope"], "row": row_number},
                )
            )
            report.created += 1
    return report


def _parse_export_row(row: dict[str, str], ring: Keyring, valid_scopes: set[str]) -> dict:
    digest = (row.get("address_hash") or "").strip().lower()
    if not _HEX_64.fullmatch(digest):
        raise ValidationError("address_hash", N_("is not a 64-character hex HMAC-SHA256"))
    key_id = (row.get("key_id") or "").strip()
    if not ring.knows(key_id):
        raise ValidationError("key_id", N_("was made with a secret key this instance does not hold"))
    reason = parse_enum(SuppressionReason, "reason", row.get("reason") or "")
    scope = check_scope((row.get("scope") or "").strip(), reason, valid_scopes)
    version = (row.get("canonicaliser_version") or str(CANONICALISER_VERSION)).strip()
    if version != str(CANONICALISER_VERSION):
        raise ValidationError("canonicaliser_version",
                              N_("%(version)s is not the version this instance uses (%(expected)s)"),
                              version=repr(version), expected=CANONICALISER_VERSION)
    entry = {
        "address_hash": digest,
        "key_id": key_id,
        "canonicaliser_version": CANONICALISER_VERSION,
        "scope": scope,
        "reason": reason,
    }
    created_at = (row.get("created_at") or "").strip()
    if created_at:
        try:
            entry["created_at"] = datetime.fromisoformat(created_at)
        except ValueError:
            raise ValidationError("created_at", N_("%(created_at)s is not an ISO 8601 date"),
                    created_at=repr(created_at)) from None
    return entry


async def lift_for_fresh_consent(address: str, scopes: Iterable[str], *, channel: Channel, contact_id: int | None,
                                 evidence: dict) -> int:
    """REQ-43: the person confirmed a fresh consent (double opt-in), which lifts their own opt-outs in these
    scopes. A `manual` entry, which staff set for reasons of their own, stays. Call inside a transaction."""
    canonical = parse_address(address).canonical
    rows = await Suppression.select(Suppression.id, Suppression.scope, Suppression.reason).where(
        Suppression.address_hash.is_in(keyring().hashes(canonical)), Suppression.scope.is_in(list(scopes)),
        Suppression.lifted_at.is_null(), Suppression.reason != SuppressionReason.MANUAL,
    )
    if not rows:
        return 0
    await Suppression.update({Suppression.lifted_at: datetime.now(UTC)}).where(
        Suppression.id.is_in([row["id"] for row in rows])
    )
    await ledger.record(*(
        ledger.consent_event(EventAction.SUPPRESSION_LIFTED, channel, "recipient", reason="confirmed fresh consent",
                             contact=contact_id, suppression=row["id"],
                             details={"scope": row["scope"], "reason": row["reason"], **evidence})
        for row in rows
    ))
    return len(rows)
