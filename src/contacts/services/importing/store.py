"""Writing one batch of validated rows: contacts, subscriptions and their consent events.

The caller holds a write transaction around each batch, so every row is all or nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from contacts.domain import Channel, ContactStatus, EventAction, LegalBasis, SourceType, SubscriptionStatus
from contacts.services import suppression
from contacts.services.bulk import Column, insert_many, update_many
from contacts.services.catalogue import ListInfo
from contacts.services.importing.rows import RowError, ValidRow
from contacts.tables import ConsentEvent, Contact, Subscription

# Contact fields an import may set; empty cells never erase what we hold.
UPDATABLE = (
    "title", "first_name", "last_name", "organisation", "position", "department",
    "phone", "postal_address", "notice_version",
)
TEXT = "text"
CONTACT_INSERT = [
    Column(name, TEXT) for name in (*UPDATABLE, "email", "email_canonical", "language", "address_kind",
                                    "source_type", "source_name", "status")
] + [
    Column("collected_at", "timestamptz"), Column("created_at", "timestamptz"), Column("updated_at", "timestamptz"),
    Column("import_run", "integer"), Column("import_row", "integer"),
]
CONTACT_UPDATE = [Column(name, TEXT) for name in (*UPDATABLE, "language", "address_kind")] + [
    Column("updated_at", "timestamptz"), Column("import_run", "integer"), Column("import_row", "integer"),
]
CONTACT_MARK = [Column("import_run", "integer"), Column("import_row", "integer")]
SUBSCRIPTION_INSERT = [
    Column("contact", "integer"), Column("mailing_list", "integer"), Column("legal_basis", TEXT),
    Column("status", TEXT), Column("evidence", "json"), Column("started_at", "timestamptz"),
    Column("created_at", "timestamptz"), Column("updated_at", "timestamptz"),
]
EVENT_INSERT = [
    Column("occurred_at", "timestamptz"), Column("action", TEXT), Column("channel", TEXT), Column("actor", TEXT),
    Column("reason", TEXT), Column("contact", "integer"), Column("subscription", "integer"),
    Column("mailing_list", "integer"), Column("purpose", "integer"), Column("details", "json"),
]
KEY = Column("id", "integer")


@dataclass(frozen=True)
class ImportContext:
    run_id: int
    mailing_list: ListInfo
    legal_basis: LegalBasis
    source_type: SourceType
    source_name: str
    file_name: str
    actor: str
    now: datetime


@dataclass
class BatchOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[RowError] = field(default_factory=list)  # skipped rows, for the report

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def skip(self, row: ValidRow, key: str, reason: str) -> None:
        self.count(key)
        self.notes.append(RowError(row.number, "email", reason))


async def apply_batch(rows: list[ValidRow], ctx: ImportContext) -> BatchOutcome:
    outcome = BatchOutcome()
    suppressed = await suppression.suppressed_among((r.canonical for r in rows), ctx.mailing_list.suppression_scopes)
    existing = {
        row["email_canonical"]: row
        for row in await Contact.select().where(Contact.email_canonical.is_in([r.canonical for r in rows]))
    }
    first_row_of: dict[str, int] = {}
    to_create: list[ValidRow] = []
    to_update: list[tuple[ValidRow, dict]] = []
    to_mark: list[tuple[ValidRow, dict]] = []
    for row in rows:
        if row.canonical in first_row_of:
            outcome.skip(row, "duplicates", f"duplicate of row {first_row_of[row.canonical]}")
            continue
        first_row_of[row.canonical] = row.number
        if reason := suppressed.get(row.canonical):
            outcome.skip(row, "skipped_suppressed", f"on the suppression list ({reason}); not subscribed (REQ-42)")
            continue
        current = existing.get(row.canonical)
        if current is None:
            to_create.append(row)
        elif current["import_run"] == ctx.run_id:
            outcome.skip(row, "duplicates", f"duplicate of row {current['import_row']}")
        elif current["status"] != ContactStatus.ACTIVE:
            outcome.skip(row, "skipped_restricted", "the contact is restricted: stored only, not processed (REQ-20)")
        elif _changes(row, current):
            to_update.append((row, current))
        else:
            to_mark.append((row, current))

    created = await insert_many(Contact, CONTACT_INSERT, [_new_contact(r, ctx) for r in to_create], ("id", "email_canonical"))
    contact_ids = {row["email_canonical"]: row["id"] for row in created}
    await update_many(Contact, KEY, CONTACT_UPDATE, [_updated_contact(r, c, ctx) for r, c in to_update])
    await update_many(Contact, KEY, CONTACT_MARK, [(c["id"], ctx.run_id, r.number) for r, c in to_mark])
    outcome.count("created", len(created))
    outcome.count("updated", len(to_update))
    outcome.count("unchanged", len(to_mark))
    touched = {contact_ids[row.canonical]: row for row in to_create}
    touched.update({current["id"]: row for row, current in (*to_update, *to_mark)})
    await _subscribe(touched, new_contacts=set(contact_ids.values()), ctx=ctx, outcome=outcome)
    return outcome


async def _subscribe(rows_by_contact: dict[int, ValidRow], new_contacts: set[int], ctx: ImportContext, outcome: BatchOutcome) -> None:
    """Subscribe who is not yet on the list; never re-subscribe who left it (REQ-43)."""
    known = [contact for contact in rows_by_contact if contact not in new_contacts]
    statuses = {}
    if known:
        statuses = {
            row["contact"]: row["status"]
            for row in await Subscription.select(Subscription.contact, Subscription.status).where(
                Subscription.mailing_list == ctx.mailing_list.id, Subscription.contact.is_in(known)
            )
        }
    new_subscriptions = []
    for contact, row in rows_by_contact.items():
        status = statuses.get(contact)
        if status is None:
            new_subscriptions.append((contact, row))
        elif status in (SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.OBJECTED):
            outcome.skip(row, "not_resubscribed", f"{status} from this list earlier; not re-subscribed (REQ-43)")
        else:
            outcome.count("already_subscribed")
    inserted = await insert_many(
        Subscription,
        SUBSCRIPTION_INSERT,
        [
            (contact, ctx.mailing_list.id, str(ctx.legal_basis), SubscriptionStatus.SUBSCRIBED.value,
             json.dumps(_evidence(row, ctx)), ctx.now, ctx.now, ctx.now)
            for contact, row in new_subscriptions
        ],
        ("id", "contact"),
    )
    subscription_ids = {row["contact"]: row["id"] for row in inserted}
    await insert_many(
        ConsentEvent,
        EVENT_INSERT,
        [
            (ctx.now, EventAction.SUBSCRIBED.value, Channel.IMPORT.value, ctx.actor,
             f"imported from {ctx.source_name}", contact, subscription_ids[contact], ctx.mailing_list.id,
             ctx.mailing_list.purpose.id, json.dumps({"import_run": ctx.run_id, "row": row.number}))
            for contact, row in new_subscriptions
        ],
    )
    outcome.count("subscribed", len(new_subscriptions))


def _evidence(row: ValidRow, ctx: ImportContext) -> dict:
    evidence = {
        "kind": "import",
        "import_run": ctx.run_id,
        "file": ctx.file_name,
        "row": row.number,
        "source_type": str(ctx.source_type),
        "source_name": ctx.source_name,
        "purpose": ctx.mailing_list.purpose.code,
        "legal_basis": str(ctx.legal_basis),
        "recorded_at": ctx.now.isoformat(),
    }
    if row.fields.get("notice_version"):
        evidence["notice_version"] = row.fields["notice_version"]
    if row.consent_proof:
        evidence["consent"] = row.consent_proof
    return evidence


def _new_contact(row: ValidRow, ctx: ImportContext) -> tuple:
    return (
        *(row.fields.get(name) for name in UPDATABLE),
        row.email,
        row.canonical,
        str(row.language or "fr"),
        str(row.address_kind),
        str(ctx.source_type),
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
    merged["language"] = str(row.language) if row.language else current["language"]
    # An inferred kind never overrides what we know; a kind given in the file does.
    merged["address_kind"] = str(row.address_kind) if row.address_kind_given else current["address_kind"]
    return merged


def _changes(row: ValidRow, current: dict) -> bool:
    return any(current[name] != value for name, value in _merged(row, current).items())


def _updated_contact(row: ValidRow, current: dict, ctx: ImportContext) -> tuple:
    merged = _merged(row, current)
    return (
        current["id"],
        *(merged[name] for name in UPDATABLE),
        merged["language"],
        merged["address_kind"],
        ctx.now,
        ctx.run_id,
        row.number,
    )
