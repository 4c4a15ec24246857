"""Writing one batch of validated rows: contacts, subscriptions and their consent events.

The caller holds a transaction of the bulk session around each batch, so every row is all or nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from contacts.domain import (
    AddressKind,
    Channel,
    ContactStatus,
    EventAction,
    LegalBasis,
    SourceType,
    SubscriptionStatus,
)
from contacts.services import suppression
from contacts.services.bulk import BulkSession
from contacts.services.catalogue import ListInfo
from contacts.services.importing.rows import ValidRow

# Contact fields an import may set; empty cells never erase what we hold.
UPDATABLE = (
    "title", "first_name", "last_name", "organisation", "position", "department",
    "phone", "postal_address", "notice_version",
)
CONTACT_COLUMNS = (
    "id", *UPDATABLE, "email", "email_canonical", "language", "address_kind", "source_type", "source_name",
    "status", "collected_at", "created_at", "updated_at", "import_run", "import_row",
)
CONTACT_UPDATE = (*UPDATABLE, "language", "address_kind", "updated_at", "import_run", "import_row")
CONTACT_MARK = ("import_run", "import_row")
EXISTING = ("id", "email_canonical", "status", "language", "address_kind", "import_run", "import_row", *UPDATABLE)
SUBSCRIPTION_COLUMNS = (
    "id", "contact", "mailing_list", "legal_basis", "status", "evidence", "started_at", "created_at", "updated_at",
)
EVENT_COLUMNS = (
    "id", "occurred_at", "action", "channel", "actor", "reason", "contact", "subscription", "mailing_list",
    "purpose", "details",
)


@dataclass(frozen=True)
class ImportContext:
    run_id: int
    mailing_list: ListInfo
    legal_basis: LegalBasis
    source_type: SourceType
    source_name: str
    actor: str
    now: datetime


class Note(NamedTuple):
    """A line of the row report for a row that was read but not (wholly) imported."""

    number: int
    column: str
    outcome: str  # skipped or invalid
    reason: str


@dataclass
class BatchOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def skip(self, row: ValidRow, key: str, reason: str, column: str = "email") -> None:
        self.count(key)
        self.notes.append(Note(row.number, column, "skipped", reason))

    def refuse(self, row: ValidRow, reason: str) -> None:
        self.count("invalid")
        self.notes.append(Note(row.number, "FILE", "invalid", reason))

    def merge(self, other: BatchOutcome) -> None:
        for key, n in other.counts.items():
            self.count(key, n)
        self.notes.extend(other.notes)


async def apply_batch(session: BulkSession, rows: list[ValidRow], ctx: ImportContext) -> BatchOutcome:
    outcome = BatchOutcome()
    suppressed = await suppression.suppressed_hashes(
        session, (h for r in rows for h in r.hashes), ctx.mailing_list.suppression_scopes
    )
    existing = {
        row["email_canonical"]: row
        for row in await session.select_in("contact", EXISTING, "email_canonical", [r.canonical for r in rows])
    }
    first_row_of: dict[str, int] = {}
    to_create: list[ValidRow] = []
    to_update: list[tuple[ValidRow, dict]] = []
    to_mark: list[tuple[ValidRow, dict]] = []
    needs_consent = ctx.mailing_list.purpose.is_direct_marketing and ctx.legal_basis != LegalBasis.CONSENT
    # Suppressed and restricted rows are skipped every time they appear; a duplicate is a second row
    # for a contact this import already wrote, in this batch or an earlier one.
    for row in rows:
        if reason := next((suppressed[h] for h in row.hashes if h in suppressed), None):
            outcome.skip(row, "skipped_suppressed", f"on the suppression list ({reason}); not subscribed (REQ-42)")
            continue
        current = existing.get(row.canonical)
        if current is not None and current["status"] == ContactStatus.ARCHIVED:
            outcome.skip(row, "skipped_restricted", "the contact is archived: kept for its legal period only, "
                                                    "not processed (REQ-10)")
            continue
        if current is not None and current["status"] != ContactStatus.ACTIVE:
            outcome.skip(row, "skipped_restricted", "the contact is restricted: stored only, not processed (REQ-20)")
            continue
        if row.canonical in first_row_of:
            outcome.skip(row, "duplicates", f"duplicate of row {first_row_of[row.canonical]}")
            continue
        if current is not None and current["import_run"] == ctx.run_id:
            outcome.skip(row, "duplicates", f"duplicate of row {current['import_row']}")
            continue
        if current is not None and needs_consent and _merged(row, current)["address_kind"] == AddressKind.PRIVATE:
            outcome.skip(row, "skipped_no_basis", "the contact is a private individual: direct marketing needs consent (REQ-4)",
                         column="address_kind")
            continue
        first_row_of[row.canonical] = row.number
        if current is None:
            to_create.append(row)
        elif _changes(row, current):
            to_update.append((row, current))
        else:
            to_mark.append((row, current))

    new_ids = await session.allocate_ids("contact", len(to_create))
    await session.insert("contact", CONTACT_COLUMNS, [_new_contact(i, r, ctx) for i, r in zip(new_ids, to_create)])
    await session.update("contact", "id", CONTACT_UPDATE, [_updated_contact(r, c, ctx) for r, c in to_update])
    await session.update("contact", "id", CONTACT_MARK, [(c["id"], ctx.run_id, r.number) for r, c in to_mark])
    outcome.count("created", len(to_create))
    outcome.count("updated", len(to_update))
    outcome.count("unchanged", len(to_mark))

    touched = dict(zip(new_ids, to_create))
    touched.update({current["id"]: row for row, current in (*to_update, *to_mark)})
    await _subscribe(session, touched, new_contacts=set(new_ids), ctx=ctx, outcome=outcome)
    return outcome


async def _subscribe(
    session: BulkSession, rows_by_contact: dict[int, ValidRow], new_contacts: set[int], ctx: ImportContext,
    outcome: BatchOutcome,
) -> None:
    """Subscribe who is not yet on the list; never re-subscribe who left it (REQ-43)."""
    known = [contact for contact in rows_by_contact if contact not in new_contacts]
    statuses = {
        row["contact"]: row["status"]
        for row in await session.select_in(
            "subscription", ("contact", "status"), "contact", known, mailing_list=ctx.mailing_list.id
        )
    } if known else {}
    to_subscribe = []
    to_confirm = []
    for contact, row in rows_by_contact.items():
        status = statuses.get(contact)
        if status is None:
            to_subscribe.append((contact, row))
        elif status in (SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.OBJECTED):
            outcome.skip(row, "not_resubscribed", f"{status} from this list earlier; not re-subscribed (REQ-43)")
        elif status == SubscriptionStatus.PENDING and ctx.legal_basis == LegalBasis.CONSENT:
            to_confirm.append((contact, row))  # the file brings the proof of a confirmed consent
        elif status == SubscriptionStatus.PENDING:
            outcome.skip(row, "awaiting_confirmation", "awaits the person's double opt-in confirmation (REQ-43)")
        else:
            outcome.count("already_subscribed")
    await _confirm(session, to_confirm, ctx, outcome)
    subscription_ids = await session.allocate_ids("subscription", len(to_subscribe))
    await session.insert(
        "subscription",
        SUBSCRIPTION_COLUMNS,
        [
            (sid, contact, ctx.mailing_list.id, ctx.legal_basis.value, SubscriptionStatus.SUBSCRIBED.value,
             row.evidence_json, ctx.now, ctx.now, ctx.now)
            for sid, (contact, row) in zip(subscription_ids, to_subscribe)
        ],
    )
    event_ids = await session.allocate_ids("consent_event", len(to_subscribe))
    reason = f"imported from {ctx.source_name}"
    await session.insert(
        "consent_event",
        EVENT_COLUMNS,
        [
            (eid, ctx.now, EventAction.SUBSCRIBED.value, Channel.IMPORT.value, ctx.actor, reason, contact, sid,
             ctx.mailing_list.id, ctx.mailing_list.purpose.id, json.dumps({"import_run": ctx.run_id, "row": row.number}))
            for eid, sid, (contact, row) in zip(event_ids, subscription_ids, to_subscribe)
        ],
    )
    outcome.count("subscribed", len(to_subscribe))


async def _confirm(session: BulkSession, rows: list[tuple[int, ValidRow]], ctx: ImportContext,
                   outcome: BatchOutcome) -> None:
    """Pending subscriptions whose confirmed consent the file proves become subscribed, with that proof."""
    if not rows:
        return
    found = await session.select_in("subscription", ("id", "contact"), "contact", [c for c, _ in rows],
                                    mailing_list=ctx.mailing_list.id)
    ids = {row["contact"]: row["id"] for row in found}
    await session.update("subscription", "id", ("status", "legal_basis", "evidence", "started_at", "updated_at"), [
        (ids[contact], SubscriptionStatus.SUBSCRIBED.value, ctx.legal_basis.value, row.evidence_json, ctx.now, ctx.now)
        for contact, row in rows
    ])
    event_ids = await session.allocate_ids("consent_event", len(rows))
    await session.insert("consent_event", EVENT_COLUMNS, [
        (eid, ctx.now, EventAction.CONFIRMED.value, Channel.IMPORT.value, ctx.actor,
         f"consent proof imported from {ctx.source_name}", contact, ids[contact], ctx.mailing_list.id,
         ctx.mailing_list.purpose.id, json.dumps({"import_run": ctx.run_id, "row": row.number}))
        for eid, (contact, row) in zip(event_ids, rows)
    ])
    outcome.count("confirmed", len(rows))


def _new_contact(contact_id: int, row: ValidRow, ctx: ImportContext) -> tuple:
    fields = row.fields
    return (
        contact_id,
        *(fields.get(name) for name in UPDATABLE),
        row.email,
        row.canonical,
        row.language or "fr",
        row.address_kind,
        ctx.source_type.value,
        ctx.source_name,
        ContactStatus.ACTIVE.value,
        row.collected_at or ctx.now,
        ctx.now,
        ctx.now,
        ctx.run_id,
        row.number,
    )


def _merged(row: ValidRow, current: dict) -> dict:
    merged = {name: row.fields.get(name) or current[name] for name in UPDATABLE}
    merged["language"] = row.language or current["language"]
    # An inferred kind never overrides what we know; a kind given in the file does.
    merged["address_kind"] = row.address_kind if row.address_kind_given else current["address_kind"]
    return merged


def _changes(row: ValidRow, current: dict) -> bool:
    return any(current[name] != value for name, value in _merged(row, current).items())


def _updated_contact(row: ValidRow, current: dict, ctx: ImportContext) -> tuple:
    merged = _merged(row, current)
    return (current["id"], *(merged[name] for name in CONTACT_UPDATE[:-3]), ctx.now, ctx.run_id, row.number)
