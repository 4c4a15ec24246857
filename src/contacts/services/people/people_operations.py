"""Contacts and the suppression list as staff reach them: scoped to the account's purposes (REQ-7), and
every view of a person's data written to the audit log (REQ-8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from contacts.addresses import parse_address
from contacts.db.engine import json_value, write_transaction
from contacts.domain import Channel, ContactStatus, EventAction, Language, Permission
from contacts.errors import NotFoundError, ValidationError
from contacts.i18n import N_
from contacts.services import audit, catalogue
from contacts.services.campaigns import campaign_operations
from contacts.services.importing.rows import PHONE_LIMIT, TEXT_LIMITS
from contacts.services.optout import writer as optout_writer
from contacts.services.people import ledger, suppression
from contacts.services.staff.accounts import Staff
from contacts.settings import get_settings
from contacts.tables import ConsentEvent, Contact, Subscription, Suppression

CONTACT_FIELDS = ("id", "title", "first_name", "last_name", "organisation", "position", "department", "email",
                  "phone", "postal_address", "language", "address_kind", "source_type", "source_name", "collected_at",
                  "notice_version", "status")
SEARCH_LIMIT = 200


@dataclass(frozen=True)
class ContactSummary:
    id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    organisation: str | None
    status: str


@dataclass(frozen=True)
class ContactDetail:
    fields: dict[str, Any]
    subscriptions: list[dict[str, Any]]
    consent_history: list[dict[str, Any]]
    suppressions: list[suppression.SuppressionEntry]


async def _visible_list_ids(staff: Staff) -> list[int]:
    return [item.id for item in await campaign_operations.lists(staff)]


def hidden_statuses(staff: Staff) -> list[str]:
    """Erased contacts are shown to nobody; archived ones only to the rights desk (REQ-10)."""
    if staff.can(Permission.RIGHTS):
        return [ContactStatus.ERASED]
    return [ContactStatus.ERASED, ContactStatus.ARCHIVED]


async def search_contacts(staff: Staff, query: str, page: int = 1, per_page: int = 50) -> tuple[list[ContactSummary], int]:
    """Contacts on the lists this account may see whose address, name or organisation contains `query`.
    Erased contacts are never found; the search itself is audited, since it reveals who is a contact."""
    staff.require(Permission.VIEW)
    if page < 1:
        raise ValidationError("page", N_("must be 1 or more"))
    if not 1 <= per_page <= SEARCH_LIMIT:
        raise ValidationError("per_page", N_("must be between 1 and %(limit)s"), limit=SEARCH_LIMIT)
    lists = await _visible_list_ids(staff)
    if not lists:
        return [], 0
    in_scope = Contact.id.is_in(Subscription.select(Subscription.contact).where(Subscription.mailing_list.is_in(lists)))
    condition = Contact.status.not_in(hidden_statuses(staff)) & in_scope
    query = " ".join(query.split())
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        # SQLite's LIKE ignores ASCII case already, and Piccolo warns at its ILIKE.
        sqlite = get_settings().database_kind == "sqlite"
        columns = (Contact.email, Contact.last_name, Contact.first_name, Contact.organisation)
        matches = [column.like(pattern) if sqlite else column.ilike(pattern) for column in columns]
        condition &= matches[0] | matches[1] | matches[2] | matches[3]
    total = await Contact.count().where(condition)
    rows = await Contact.select(Contact.id, Contact.email, Contact.first_name, Contact.last_name, Contact.organisation,
                                Contact.status).where(condition).order_by(Contact.last_name).order_by(Contact.id) \
        .offset((page - 1) * per_page).limit(per_page)
    await audit.record(staff, "contact.search", "contact", None, details={"query": query, "found": total})
    return [ContactSummary(**row) for row in rows], total


async def _require_visible(staff: Staff, contact_id: int) -> None:
    """A contact of this account's lists, not erased; otherwise the same answer as no contact at all."""
    lists = await _visible_list_ids(staff)
    visible = lists and await Subscription.exists().where(
        Subscription.contact == contact_id, Subscription.mailing_list.is_in(lists),
        Subscription.contact.status.not_in(hidden_statuses(staff)))
    if not visible:
        raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)


async def contact_detail(staff: Staff, contact_id: int) -> ContactDetail:
    """Everything about a contact the account may see: only its subscriptions to lists in scope, and the
    consent history of those. Audited as a view (REQ-8)."""
    staff.require(Permission.VIEW)
    lists = set(await _visible_list_ids(staff))
    row = await Contact.select(*[getattr(Contact, name) for name in CONTACT_FIELDS]).where(
        Contact.id == contact_id, Contact.status.not_in(hidden_statuses(staff))).first()
    subscriptions = [s for s in await Subscription.select(
        Subscription.id, Subscription.mailing_list, Subscription.mailing_list.slug.as_alias("list"),
        # Piccolo types a foreign key's columns one level deep only:
        Subscription.mailing_list.purpose.code.as_alias("purpose"),  # type: ignore[union-attr]
        Subscription.legal_basis, Subscription.status,
        Subscription.evidence, Subscription.started_at, Subscription.ended_at,
    ).where(Subscription.contact == contact_id) if s["mailing_list"] in lists] if row else []
    if not subscriptions:  # not a contact of this account's purposes: the same answer as no contact at all
        raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
    assert row is not None  # it has subscriptions
    for item in subscriptions:
        item["evidence"] = json_value(item["evidence"])
    events = await ConsentEvent.select(
        ConsentEvent.occurred_at, ConsentEvent.action, ConsentEvent.channel, ConsentEvent.actor, ConsentEvent.reason,
        ConsentEvent.mailing_list.slug.as_alias("list"), ConsentEvent.mailing_list,
    ).where(ConsentEvent.contact == contact_id).order_by(ConsentEvent.id)
    history = [event for event in events if event["mailing_list"] is None or event["mailing_list"] in lists]
    entries = await suppression.entries_for(row["email"]) if row["email"] else []
    await audit.record(staff, "contact.view", "contact", contact_id,
                       purpose=",".join(sorted({item["purpose"] for item in subscriptions})))
    return ContactDetail(fields=row, subscriptions=subscriptions, consent_history=history, suppressions=entries)


async def check_suppression(staff: Staff, address: str) -> list[suppression.SuppressionEntry]:
    """Whether an address is on the do-not-contact list, in which scopes. Answers without creating a contact."""
    staff.require(Permission.VIEW)
    entries = await suppression.entries_for(address)
    await audit.record(staff, "suppression.check", "suppression", None, details={"found": len(entries)})
    return entries


async def suppress(staff: Staff, address: str, reason: str, scope: str = "global") -> suppression.SuppressResult:
    """Global entries protect everyone and anyone empowered to send may add them; a purpose or list scope
    must be one of the account's own."""
    staff.require(Permission.SUPPRESS)
    scope = scope.strip()
    owner = None
    if scope.startswith("purpose:"):
        owner = next((p for p in await catalogue.purposes() if f"purpose:{p.code}" == scope), None)
    elif scope.startswith("list:"):
        owner = next((item.purpose for item in await catalogue.lists() if f"list:{item.slug}" == scope), None)
    if owner is not None:  # an unknown scope is refused below, naming the field
        staff.require_purpose(owner)
    parse_address(address, field="email")
    result = await suppression.suppress(address, reason, scope=scope, actor=staff.actor, channel=Channel.STAFF)
    await audit.record(staff, "suppression.add", "suppression", None,
                       details={"scope": result.entry.scope, "reason": str(result.entry.reason),
                                "created": result.created})
    return result


async def suppression_counts(staff: Staff) -> dict[str, int]:
    """Active entries by reason: no address is involved."""
    staff.require(Permission.VIEW)
    rows = await Suppression.raw(
        "SELECT reason, COUNT(*) AS n FROM suppression WHERE lifted_at IS NULL GROUP BY reason ORDER BY reason")
    return {row["reason"]: row["n"] for row in rows}


RECTIFIABLE = ("title", "first_name", "last_name", "organisation", "position", "department", "phone",
               "postal_address", "language")


async def rectify(staff: Staff, contact_id: int, changes: dict[str, str]) -> list[str]:
    """Correct a contact's data (Art. 16): each changed field, old and new, is recorded in the consent
    ledger and the change in the audit log. The address itself is not edited here: a new address is a
    new canonical identity, with its own suppressions. Returns the fields changed."""
    staff.require(Permission.RECTIFY)
    await _require_visible(staff, contact_id)
    unknown = set(changes) - set(RECTIFIABLE)
    if unknown:
        raise ValidationError(sorted(unknown)[0], N_("cannot be edited here"))
    cleaned: dict[str, str | None] = {}
    for name, value in changes.items():
        value = value.strip() if name == "postal_address" else " ".join(value.split())
        if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
            raise ValidationError(name, N_("holds control characters"))
        limit = PHONE_LIMIT if name == "phone" else TEXT_LIMITS.get(name, 2)
        if len(value) > limit:
            raise ValidationError(name, N_("is %(length)s characters long; at most %(limit)s"),
                    length=len(value), limit=limit)
        if name == "language" and value not in {item.value for item in Language}:
            raise ValidationError("language", N_("is fr or en"))
        cleaned[name] = value or None
    if cleaned.get("language") is None:
        cleaned.pop("language", None)
    async with write_transaction():
        row = await Contact.select(*[getattr(Contact, name) for name in RECTIFIABLE]).where(
            Contact.id == contact_id).first()
        assert row is not None  # visible above, and contacts are never deleted
        changed = {name: value for name, value in cleaned.items() if row[name] != value}
        if not changed:
            return []
        await Contact.update({**{getattr(Contact, n): v for n, v in changed.items()},
                              Contact.updated_at: datetime.now(UTC)}).where(Contact.id == contact_id)
        await ledger.record(ledger.consent_event(
            EventAction.RECTIFIED, Channel.STAFF, staff.actor, contact=contact_id,
            details={"fields": {name: {"from": row[name], "to": value} for name, value in changed.items()}}))
    await audit.record(staff, "contact.rectify", "contact", contact_id, details={"fields": sorted(changed)})
    return sorted(changed)


@dataclass(frozen=True)
class Member:
    contact_id: int
    email: str | None
    first_name: str | None
    last_name: str | None
    organisation: str | None
    status: str  # the subscription's
    legal_basis: str


async def members(staff: Staff, slug: str, status: str | None, page: int, per_page: int = 50
                  ) -> tuple[catalogue.ListInfo, list[Member], int]:
    """A list's members, by subscription status; erased contacts are never shown. Audited as a view."""
    staff.require(Permission.VIEW)
    mailing_list = await catalogue.list_by_slug(slug)
    staff.require_lists([mailing_list])
    if page < 1:
        raise ValidationError("page", N_("must be 1 or more"))
    condition = (Subscription.mailing_list == mailing_list.id) & Subscription.contact.status.not_in(
        hidden_statuses(staff))
    if status:
        condition &= Subscription.status == status
    total = await Subscription.count().where(condition)
    rows = await Subscription.select(
        Subscription.contact, Subscription.contact.email.as_alias("email"),
        Subscription.contact.first_name.as_alias("first_name"), Subscription.contact.last_name.as_alias("last_name"),
        Subscription.contact.organisation.as_alias("organisation"), Subscription.status, Subscription.legal_basis,
    ).where(condition).order_by(Subscription.contact).offset((page - 1) * per_page).limit(per_page)
    await audit.record(staff, "list.view", "mailing_list", mailing_list.slug, purpose=mailing_list.purpose.code,
                       details={"status": status, "page": page})
    return mailing_list, [Member(contact_id=row["contact"], **{k: row[k] for k in (
        "email", "first_name", "last_name", "organisation", "status", "legal_basis")}) for row in rows], total


async def record_unsubscribe(staff: Staff, contact_id: int, list_slug: str, reason: str) -> bool:
    """An opt-out the person sent by post, phone or mail to a member of staff: recorded as theirs, through
    the same path as a link's (the subscription ends, a do-not-contact entry for the list, a ConsentEvent
    naming the staff member and the channel). Returns whether a subscription changed."""
    staff.require(Permission.RECTIFY)
    mailing_list = await catalogue.list_by_slug(list_slug)
    staff.require_lists([mailing_list])
    await _require_visible(staff, contact_id)
    reason = " ".join(reason.split()) or "asked staff"
    changed = await optout_writer.unsubscribe([optout_writer.Unsubscribe(
        contact_id=contact_id, list_id=mailing_list.id, channel=Channel.STAFF, reason=reason, actor=staff.actor)])
    await audit.record(staff, "subscription.unsubscribe", "contact", contact_id, purpose=mailing_list.purpose.code,
                       details={"list": list_slug, "reason": reason})
    return changed[0]
