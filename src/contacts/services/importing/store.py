"""Writing one batch of validated rows: contacts, subscriptions and their consent events.

The caller holds a transaction of the bulk session around each batch, so every row is all or nothing. What
each row does is decided by `plan_contacts` and `plan_subscriptions`, which the preview shares.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, NamedTuple

from contacts.db.bulk import BulkSession
from contacts.domain import (
    AddressKind,
    Channel,
    ContactStatus,
    EventAction,
    LegalBasis,
    SourceType,
    SubscriptionStatus,
    SuppressionReason,
)
from contacts.i18n import N_
from contacts.services.catalogue import ListInfo
from contacts.services.importing.rows import ValidRow
from contacts.services.people import suppression
from contacts.words import CONSENT_PROOF_IMPORTED_FROM, IMPORTED_FROM

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
    reason: str  # a catalogue message, with its values
    values: dict[str, object] = {}


@dataclass
class BatchOutcome:
    counts: dict[str, int] = field(default_factory=dict)
    notes: list[Note] = field(default_factory=list)

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def skip(self, row: ValidRow, key: str, reason: str, column: str = "email", **values: object) -> None:
        self.count(key)
        self.notes.append(Note(row.number, column, "skipped", reason, values))

    def refuse(self, row: ValidRow, reason: str, **values: object) -> None:
        self.count("invalid")
        self.notes.append(Note(row.number, "FILE", "invalid", reason, values))

    def merge(self, other: BatchOutcome) -> None:
        for key, n in other.counts.items():
            self.count(key, n)
        self.notes.extend(other.notes)


@dataclass(frozen=True)
class Found:
    """What the database holds for a batch's rows: read before deciding anything."""

    suppressed: dict[str, SuppressionReason]  # hash -> reason, in the list's suppression scopes
    existing: dict[str, dict]  # by canonical address: the EXISTING columns


@dataclass
class ContactPlan:
    """What a batch does to contacts; the rows it skips are noted in `outcome`."""

    outcome: BatchOutcome
    to_create: list[ValidRow] = field(default_factory=list)
    to_update: list[tuple[ValidRow, dict]] = field(default_factory=list)
    to_mark: list[tuple[ValidRow, dict]] = field(default_factory=list)

    @property
    def written(self) -> list[ValidRow]:
        return [*self.to_create, *(row for row, _ in self.to_update), *(row for row, _ in self.to_mark)]


async def look_up(session: BulkSession, rows: list[ValidRow], ctx: ImportContext) -> Found:
    suppressed = await suppression.suppressed_hashes(
        session, (h for r in rows for h in r.hashes), ctx.mailing_list.suppression_scopes
    )
    existing = {
        row["email_canonical"]: row
        for row in await session.select_in("contact", EXISTING, "email_canonical", [r.canonical for r in rows])
    }
    return Found(suppressed=suppressed, existing=existing)


def plan_contacts(rows: list[ValidRow], found: Found, written_before: dict[str, int], ctx: ImportContext) -> ContactPlan:
    """Decide each row. `written_before`: the first row of each address an earlier batch of this import
    wrote. The import and its preview both decide here, so the preview counts what the import does."""
    plan = ContactPlan(outcome=BatchOutcome())
    outcome = plan.outcome
    first_row_of: dict[str, int] = {}
    needs_consent = ctx.mailing_list.purpose.is_direct_marketing and ctx.legal_basis != LegalBasis.CONSENT
    # Suppressed and restricted rows are skipped every time they appear; a duplicate is a second row
    # for a contact this import already wrote, in this batch or an earlier one.
    for row in rows:
        if reason := next((found.suppressed[h] for h in row.hashes if h in found.suppressed), None):
            outcome.skip(row, "skipped_suppressed", N_("on the suppression list (%(code)s); not subscribed"),
                         code=reason)
            continue
        current = found.existing.get(row.canonical)
        if current is not None and current["status"] == ContactStatus.ARCHIVED:
            outcome.skip(row, "skipped_restricted", N_("the contact is archived: kept for its legal period only, "
                                                       "not processed"))
            continue
        if current is not None and current["status"] != ContactStatus.ACTIVE:
            outcome.skip(row, "skipped_restricted", N_("the contact is restricted: stored only, not processed"))
            continue
        if row.canonical in first_row_of:
            outcome.skip(row, "duplicates", N_("duplicate of row %(first)s"), first=first_row_of[row.canonical])
            continue
        if row.canonical in written_before:
            outcome.skip(row, "duplicates", N_("duplicate of row %(first)s"), first=written_before[row.canonical])
            continue
        if current is not None and needs_consent and _merged(row, current)["address_kind"] == AddressKind.PRIVATE:
            outcome.skip(row, "skipped_no_basis",
                         N_("the contact is a private individual: direct marketing needs consent"),
                         column="address_kind")
            continue
        first_row_of[row.canonical] = row.number
        if current is None:
            plan.to_create.append(row)
        elif _changes(row, current):
            plan.to_update.append((row, current))
        else:
            plan.to_mark.append((row, current))
    outcome.count("created", len(plan.to_create))
    outcome.count("updated", len(plan.to_update))
    outcome.count("unchanged", len(plan.to_mark))
    return plan


async def subscription_statuses(session: BulkSession, contacts: list[int], ctx: ImportContext) -> dict[int, str]:
    """The status of each of these contacts' subscriptions to the import's list, where they have one."""
    rows = await session.select_in("subscription", ("contact", "status"), "contact", contacts,
                                   mailing_list=ctx.mailing_list.id) if contacts else []
    return {row["contact"]: row["status"] for row in rows}


def plan_subscriptions(rows_by_contact: dict, statuses: dict, ctx: ImportContext, outcome: BatchOutcome,
                       ) -> tuple[list[tuple[Any, ValidRow]], list[tuple[Any, ValidRow]]]:
    """(to subscribe, to confirm): who is not yet on the list; never re-subscribe who left it (REQ-43)."""
    to_subscribe = []
    to_confirm = []
    for contact, row in rows_by_contact.items():
        status = statuses.get(contact)
        if status is None:
            to_subscribe.append((contact, row))
        elif status in (SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.OBJECTED):
            outcome.skip(row, "not_resubscribed", N_("%(status)s from this list earlier; not re-subscribed"),
                         status=status)
        elif status == SubscriptionStatus.PENDING and ctx.legal_basis == LegalBasis.CONSENT:
            to_confirm.append((contact, row))  # the file brings the proof of a confirmed consent
        elif status == SubscriptionStatus.PENDING:
            outcome.skip(row, "awaiting_confirmation", N_("awaits the person's double opt-in confirmation"))
        else:
            outcome.count("already_subscribed")
    outcome.count("confirmed", len(to_confirm))
    outcome.count("subscribed", len(to_subscribe))
    return to_subscribe, to_confirm


async def apply_batch(session: BulkSession, rows: list[ValidRow], ctx: ImportContext) -> BatchOutcome:
    """Call inside a write transaction of `session`."""
    found = await look_up(session, rows, ctx)
    written_before = {canonical: current["import_row"] for canonical, current in found.existing.items()
                      if current["import_run"] == ctx.run_id}
    plan = plan_contacts(rows, found, written_before, ctx)
    new_ids = await session.allocate_ids("contact", len(plan.to_create))
    await session.insert("contact", CONTACT_COLUMNS, [_new_contact(i, r, ctx) for i, r in zip(new_ids, plan.to_create)])
    await session.update("contact", "id", CONTACT_UPDATE, [_updated_contact(r, c, ctx) for r, c in plan.to_update])
    await session.update("contact", "id", CONTACT_MARK, [(c["id"], ctx.run_id, r.number) for r, c in plan.to_mark])

    known = {current["id"]: row for row, current in (*plan.to_update, *plan.to_mark)}
    statuses = await subscription_statuses(session, list(known), ctx)
    to_subscribe, to_confirm = plan_subscriptions({**dict(zip(new_ids, plan.to_create)), **known}, statuses, ctx,
                                                  plan.outcome)
    await _confirm(session, to_confirm, ctx)
    await _subscribe(session, to_subscribe, ctx)
    return plan.outcome


async def _subscribe(session: BulkSession, to_subscribe: list[tuple[int, ValidRow]], ctx: ImportContext) -> None:
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
    reason = IMPORTED_FROM % {"source": ctx.source_name}
    await session.insert(
        "consent_event",
        EVENT_COLUMNS,
        [
            (eid, ctx.now, EventAction.SUBSCRIBED.value, Channel.IMPORT.value, ctx.actor, reason, contact, sid,
             ctx.mailing_list.id, ctx.mailing_list.purpose.id, json.dumps({"import_run": ctx.run_id, "row": row.number}))
            for eid, sid, (contact, row) in zip(event_ids, subscription_ids, to_subscribe)
        ],
    )


async def _confirm(session: BulkSession, rows: list[tuple[int, ValidRow]], ctx: ImportContext) -> None:
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
         CONSENT_PROOF_IMPORTED_FROM % {"source": ctx.source_name}, contact, ids[contact], ctx.mailing_list.id,
         ctx.mailing_list.purpose.id, json.dumps({"import_run": ctx.run_id, "row": row.number}))
        for eid, (contact, row) in zip(event_ids, rows)
    ])


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
