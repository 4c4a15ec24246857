"""The rights desk (REQ-14 to REQ-23): the data-protection officer's work on a request, from receipt to answer.

received ─┬─> awaiting_identity ──> in_progress ─┬─> answered
          └──────────────────────> in_progress ─┤   refused (a coded ground, and the right to complain)
                                   extended ─────┘
Each step is audited, and each one the person must hear of (an identity check, an extension, the answer, a
refusal, a restriction about to be lifted) is mailed to them as it happens. Answering carries the request out:
an export link, an erasure, a restriction, an objection, a withdrawal, or after-death instructions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from babel.dates import format_date

from contacts.addresses import parse_address
from contacts.db.engine import json_value, write_transaction
from contacts.domain import (
    Channel,
    ContactStatus,
    Permission,
    RightsRequestStatus,
    RightsRequestType,
    parse_enum,
)
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.i18n import N_
from contacts.mail import notices
from contacts.services import audit
from contacts.services.rights import actions as rights_actions
from contacts.services.rights import identity_documents, propagation, restriction
from contacts.services.rights import notices as rights_notices
from contacts.services.rights import requests as rights
from contacts.services.staff.accounts import Staff
from contacts.tables import Contact, Restriction, RightsRequest

OPEN = (RightsRequestStatus.RECEIVED, RightsRequestStatus.AWAITING_IDENTITY, RightsRequestStatus.IN_PROGRESS,
        RightsRequestStatus.EXTENDED)
# REQ-19 names the grounds for refusing an erasure; Art. 12(5) and an unverifiable identity cover the rest.
REFUSAL_GROUNDS = {
    "legal_obligation": {"en": "a legal obligation requires us to keep the data",
                         "fr": "une obligation légale nous impose de conserver ces données"},
    "legal_claims": {"en": "the data is needed to establish, exercise or defend legal claims",
                     "fr": "ces données sont nécessaires à la constatation, à l'exercice ou à la défense de droits en justice"},
    "archiving_research_statistics": {
        "en": "the data is kept for archiving in the public interest, research or statistics",
        "fr": "ces données sont conservées à des fins archivistiques dans l'intérêt public, de recherche ou statistiques"},
    "manifestly_unfounded": {"en": "the request is manifestly unfounded", "fr": "la demande est manifestement infondée"},
    "excessive": {"en": "the request is excessive, in particular by its repetitive character",
                  "fr": "la demande est excessive, notamment par son caractère répétitif"},
    "identity_not_verified": {"en": "we could not verify your identity", "fr": "nous n'avons pas pu vérifier votre identité"},
}
ERASURE_ONLY_GROUNDS = ("legal_obligation", "legal_claims", "archiving_research_statistics")
MAX_EXTENSION_MONTHS = 2


@dataclass(frozen=True)
class RequestView:
    id: int
    request_type: str
    status: str
    channel: str
    received_at: datetime
    due_on: date
    extended_to: date | None
    contact_id: int | None
    requester: str | None  # the address the answer goes to
    language: str
    details: dict
    identity_verified: bool
    identity_method: str | None
    identity_verified_at: datetime | None
    awaiting_identity_since: datetime | None
    extension_reason: str | None
    outcome: str | None
    refusal_ground: str | None
    closed_at: datetime | None
    documents: list[dict] = field(default_factory=list)
    propagations: list[propagation.PropagationView] = field(default_factory=list)
    restrictions: list[restriction.RestrictionView] = field(default_factory=list)

    @property
    def deadline(self) -> date:
        return self.extended_to or self.due_on

def _details(value) -> dict:
    return json_value(value) or {}


async def _row(request_id: int) -> dict:
    row = await RightsRequest.select().where(RightsRequest.id == request_id).first()
    if row is None:
        raise NotFoundError(N_("no rights request %(request_id)s"), request_id=request_id)
    return row


def _view(row: dict, requester: str | None) -> RequestView:
    return RequestView(**{name: row[name] for name in (
        "request_type", "status", "channel", "received_at", "due_on", "extended_to", "language",
        "identity_verified", "identity_method", "identity_verified_at", "awaiting_identity_since",
        "extension_reason", "outcome", "refusal_ground", "closed_at", "id")},
        contact_id=row["contact"], requester=requester, details=_details(row["details"]))


async def requests(staff: Staff, *, open_only: bool = True, limit: int = 200) -> list[RequestView]:
    """Soonest due first."""
    staff.require(Permission.RIGHTS)
    query = RightsRequest.select()
    if open_only:
        query = query.where(RightsRequest.status.is_in(list(OPEN)))
    rows = await query.order_by(RightsRequest.due_on).order_by(RightsRequest.id).limit(limit)
    return [_view(row, (await rights_notices.address_of(row))[0]) for row in rows]


async def get(staff: Staff, request_id: int) -> RequestView:
    staff.require(Permission.RIGHTS)
    row = await _row(request_id)
    view = _view(row, (await rights_notices.address_of(row))[0])
    view.documents.extend(await identity_documents.listed(request_id))
    view.propagations.extend(await propagation.of_request(request_id))
    view.restrictions.extend(await restriction.of_request(request_id))
    await audit.record(staff, "rights_request.view", "rights_request", request_id)
    return view


async def create(staff: Staff, request_type: str, *, channel: str, email: str, name: str = "", details: str = "",
                 language: str = "fr", received_on: date | None = None, identity_method: str = "") -> RequestView:
    """A request received by post or email, typed in by staff. With `identity_method` (e.g. "letter from the
    postal address on file") the identity is verified at once; otherwise the clock waits for it."""
    staff.require(Permission.RIGHTS)
    kind = parse_enum(RightsRequestType, "request_type", request_type)
    how = parse_enum(Channel, "channel", channel)
    if how not in (Channel.STAFF, Channel.API, Channel.WEB_FORM, Channel.CLI):
        raise ValidationError("channel", N_("is staff (post, phone or email received), api, web_form or cli"))
    address = parse_address(email, field="email")
    if language not in ("fr", "en"):
        raise ValidationError("language", N_("is fr or en"))
    received_at = datetime.now(UTC)
    if received_on is not None:
        if received_on > rights.paris_day(received_at):
            raise ValidationError("received_on", N_("is in the future"))
        received_at = datetime(received_on.year, received_on.month, received_on.day, 12, tzinfo=rights.PARIS)
    contact = await Contact.select(Contact.id).where(Contact.email_canonical == address.canonical,
                                                     Contact.status != ContactStatus.ERASED).first()
    text = details.strip()[:4000]
    created = await rights.record_request(
        contact["id"] if contact else None, kind, how, details={"text": text} if text else {},
        identity_method=identity_method.strip()[:100] or None, received_at=received_at,
        requester_email=address.normalized, requester_name=" ".join(name.split())[:200] or None,
        language=language, actor=staff.actor)
    await audit.record(staff, "rights_request.create", "rights_request", created["id"],
                       details={"type": kind.value, "channel": how.value})
    if contact:
        await restrict_while_pending(contact["id"], kind, created["id"], staff)
    return await get(staff, created["id"])


async def restrict_while_pending(contact_id: int, kind: RightsRequestType, request_id: int, actor: Staff | str) -> None:
    """REQ-20: restricted while the accuracy of the data is disputed or an objection is pending; the answer
    lifts it, after telling the person."""
    reason = {RightsRequestType.RECTIFICATION: "accuracy_disputed",
              RightsRequestType.OBJECTION: "objection_pending"}.get(kind)
    if reason:
        await restriction.restrict(contact_id, reason, actor=actor, rights_request_id=request_id)


async def _set(request_id: int, staff: Staff, action: str, changes: dict, details: dict | None = None) -> None:
    async with write_transaction():
        await RightsRequest.update({**{getattr(RightsRequest, k): v for k, v in changes.items()},
                                    RightsRequest.handled_by: staff.actor}).where(RightsRequest.id == request_id)
    await audit.record(staff, f"rights_request.{action}", "rights_request", request_id, details=details or {})


def _require_open(row: dict) -> None:
    if row["status"] not in OPEN:
        raise ConflictError(N_("rights request %(id)s is %(status)s"), id=row['id'], status=row['status'])


async def ask_for_identity(staff: Staff, request_id: int, what: str) -> bool:
    """REQ-15: only when the known channels could not confirm who asked. The clock pauses from now."""
    staff.require(Permission.RIGHTS)
    row = await _row(request_id)
    _require_open(row)
    what = " ".join(what.split())[:500]
    if not what:
        raise ValidationError("what", N_("say what proof is needed"))
    told = await rights_notices.tell(row, "rights-identity", {"what": what})
    if not told:
        raise ConflictError(N_("the person could not be mailed: ask them by post"))
    await _set(request_id, staff, "identity_asked", {
        "status": RightsRequestStatus.AWAITING_IDENTITY, "identity_verified": False,
        "awaiting_identity_since": row["awaiting_identity_since"] or datetime.now(UTC)}, {"what": what})
    return told


async def add_identity_document(staff: Staff, request_id: int, file_name: str, media_type: str, content: bytes) -> int:
    staff.require(Permission.RIGHTS)
    _require_open(await _row(request_id))
    document_id = await identity_documents.store(request_id, file_name, media_type, content, actor=staff.actor)
    await audit.record(staff, "rights_request.document_added", "rights_request", request_id,
                       details={"document": document_id})
    return document_id


async def open_identity_document(staff: Staff, request_id: int, document_id: int) -> tuple[str, str, bytes]:
    staff.require(Permission.RIGHTS)
    found = await identity_documents.opened(request_id, document_id)
    if found is None:
        raise NotFoundError(N_("no document %(document_id)s for rights request %(request_id)s"),
                document_id=document_id, request_id=request_id)
    await audit.record(staff, "rights_request.document_viewed", "rights_request", request_id,
                       details={"document": document_id})
    return found


async def verify_identity(staff: Staff, request_id: int, method: str, *, now: datetime | None = None) -> RequestView:
    """REQ-15: the identity is confirmed; any document is deleted at once, and the clock starts again with the
    days it stood still added. Only verified, method and date remain."""
    staff.require(Permission.RIGHTS)
    method = " ".join(method.split())[:100]
    if not method:
        raise ValidationError("method", N_("say how the identity was verified"))
    row = await _row(request_id)
    _require_open(row)
    await mark_identity_verified(row, method, actor=staff, now=now)
    return await get(staff, request_id)


async def mark_identity_verified(row: dict, method: str, *, actor: Staff | str, now: datetime | None = None) -> int | None:
    """Record the identity as verified (by staff, or by the person's click on a link mailed to the address)
    and link the request to the contact holding that address. Returns that contact's id."""
    now = now or datetime.now(UTC)
    paused = row["paused_days"]
    if row["awaiting_identity_since"] is not None:
        paused += max(0, (rights.paris_day(now) - rights.paris_day(row["awaiting_identity_since"])).days)
    async with write_transaction():
        deleted = await identity_documents.delete_all(row["id"])
        contact_id = row["contact"]
        if contact_id is None and row["requester_email"]:
            contact = await Contact.select(Contact.id).where(
                Contact.email_canonical == parse_address(row["requester_email"]).canonical,
                Contact.status != ContactStatus.ERASED).first()
            contact_id = contact["id"] if contact else None
        await RightsRequest.update({
            RightsRequest.identity_verified: True, RightsRequest.identity_method: method,
            RightsRequest.identity_verified_at: now, RightsRequest.awaiting_identity_since: None,
            RightsRequest.paused_days: paused, RightsRequest.contact: contact_id,
            RightsRequest.due_on: rights.due_date(row["received_at"], paused),
            RightsRequest.status: RightsRequestStatus.IN_PROGRESS,
            RightsRequest.handled_by: actor.actor if isinstance(actor, Staff) else actor,
        }).where(RightsRequest.id == row["id"])
    await audit.record(actor, "rights_request.identity_verified", "rights_request", row["id"],
                       details={"method": method, "documents_deleted": deleted, "paused_days": paused},
                       role=None if isinstance(actor, Staff) else "recipient")
    return contact_id


async def extend(staff: Staff, request_id: int, months: int, reason: str, *, now: datetime | None = None) -> RequestView:
    """REQ-14: up to two more months, for a recorded reason, told to the person before the first month ends."""
    staff.require(Permission.RIGHTS)
    reason = " ".join(reason.split())[:2000]
    if not reason:
        raise ValidationError("reason", N_("say why more time is needed"))
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise ValidationError("months", N_("is 1 or %(months)s"), months=MAX_EXTENSION_MONTHS)
    row = await _row(request_id)
    _require_open(row)
    today = rights.paris_day(now or datetime.now(UTC))
    if today > row["due_on"]:
        raise ConflictError(N_("the first month ended on %(day)s: too late to extend"), day=row["due_on"])
    extended_to = rights.extended_due(row["received_at"], row["paused_days"], months)
    language = (await rights_notices.address_of(row))[2]
    if not await rights_notices.tell(row, "rights-extension", {"reason": reason, "extended_to": format_date(
            extended_to, format="long", locale=language)}):
        raise ConflictError(N_("the extension notice could not be mailed: send it by post, then record it"))
    await _set(request_id, staff, "extended", {
        "status": RightsRequestStatus.EXTENDED, "extended_to": extended_to, "extension_reason": reason,
        "extension_notified_at": now or datetime.now(UTC)}, {"months": months, "extended_to": str(extended_to)})
    return await get(staff, request_id)


async def refuse(staff: Staff, request_id: int, ground: str, explanation: str = "") -> RequestView:
    """REQ-14/19: a refusal states its coded ground and the right to complain to the CNIL."""
    staff.require(Permission.RIGHTS)
    row = await _row(request_id)
    _require_open(row)
    if ground not in REFUSAL_GROUNDS:
        raise ValidationError("ground", N_("is one of %(codes)s"), codes=", ".join(REFUSAL_GROUNDS))
    if ground in ERASURE_ONLY_GROUNDS and row["request_type"] != RightsRequestType.ERASURE:
        raise ValidationError("ground", N_("%(ground)s is a ground for refusing an erasure only"), ground=ground)
    explanation = explanation.strip()[:4000]
    language = (await rights_notices.address_of(row))[2]
    told = await rights_notices.tell(row, "rights-refusal", {"ground": REFUSAL_GROUNDS[ground][language],
                                               "explanation": explanation})
    await _set(request_id, staff, "refused", {
        "status": RightsRequestStatus.REFUSED, "refusal_ground": ground, "closed_at": datetime.now(UTC),
        "outcome": explanation or REFUSAL_GROUNDS[ground]["en"]}, {"ground": ground, "told": told})
    return await get(staff, request_id)


async def answer(staff: Staff, request_id: int, note: str = "", **choices: str) -> RequestView:
    """Carry the request out and tell the person. `choices` holds what a type needs: for after-death
    instructions `instruction`, `executor_name`, `executor_email`."""
    staff.require(Permission.RIGHTS)
    row = await _row(request_id)
    _require_open(row)
    if not row["identity_verified"]:
        raise ConflictError(N_("verify the person's identity first"))
    outcome = await rights_actions.carry_out(staff, row, note.strip()[:4000], choices)
    await _set(request_id, staff, "answered", {
        "status": RightsRequestStatus.ANSWERED, "closed_at": datetime.now(UTC), "outcome": outcome.summary},
        {"type": row["request_type"], "told": outcome.told, **outcome.counts})
    return await get(staff, request_id)


async def mark_propagation_told(staff: Staff, propagation_id: int) -> None:
    staff.require(Permission.RIGHTS)
    await propagation.mark_told(propagation_id, staff)


async def lift_restriction(staff: Staff, restriction_id: int) -> bool:
    """REQ-20: the person is told first; the restriction is lifted only once their server took the notice."""
    staff.require(Permission.RIGHTS)
    held = await Restriction.select().where(Restriction.id == restriction_id).first()
    if held is None:
        raise NotFoundError(N_("no restriction %(restriction_id)s"), restriction_id=restriction_id)
    if held["lift_notified_at"] is None:
        contact = await Contact.select(Contact.email, Contact.first_name, Contact.last_name, Contact.language).where(
            Contact.id == held["contact"]).first()
        if not contact or not contact["email"]:
            raise ConflictError(N_("the person has no address: tell them by post, then lift"))
        name = " ".join(part for part in (contact["first_name"], contact["last_name"]) if part) or None
        outcome = await notices.send_notice("restriction-lifting", to=contact["email"], name=name,
                                            language=contact["language"], context={})
        if not outcome.delivered:
            raise ConflictError(N_("the notice was not accepted: the restriction stays"))
        await restriction.mark_lift_notified(restriction_id)
    return await restriction.lift(restriction_id, actor=staff)


