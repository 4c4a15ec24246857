"""The JSON API for contacts, the suppression list and the audit log."""

from __future__ import annotations

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency

from contacts.services import audit
from contacts.services.people import people_operations
from contacts.services.staff.accounts import Staff
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import (
    AfterId,
    AuditLimit,
    ContactDetailOut,
    ContactsPerPage,
    Corrections,
    OptionalQueryText,
    Page,
    PageNumber,
    QueryEmail,
    QueryText,
    RowId,
    StrictJSONBody,
    SuppressIn,
    SuppressionCheckOut,
    SuppressionEntryOut,
    SuppressOut,
    UnsubscribeIn,
)


def _entry(entry) -> SuppressionEntryOut:
    return SuppressionEntryOut(scope=entry.scope, reason=str(entry.reason), created_at=entry.created_at)


class ContactsController(Controller):
    path = "/api/contacts"
    tags = ["contacts"]

    @get("/", summary="Contacts of the caller's lists, by address, name or organisation",
         responses=refusals(400))
    async def search(self, staff: NamedDependency[Staff], q: QueryText = "", page: PageNumber = 1,
                     per_page: ContactsPerPage = 50) -> Page[people_operations.ContactSummary]:
        found, total = await people_operations.search_contacts(staff, q, page, per_page)
        return Page(items=found, page=page, per_page=per_page, total=total)

    @get("/{contact_id:int}", summary="A contact with subscriptions, consent history and suppression status",
         responses=refusals(400, 404))
    async def detail(self, staff: NamedDependency[Staff], contact_id: RowId) -> ContactDetailOut:
        found = await people_operations.contact_detail(staff, contact_id)
        return ContactDetailOut(contact=found.fields, subscriptions=found.subscriptions,
                                consent_history=found.consent_history,
                                suppressions=[_entry(entry) for entry in found.suppressions])


    @patch("/{contact_id:int}", summary="Correct a contact's data (Art. 16), recorded with old and new values",
           responses=refusals(400, 403, 404))
    async def rectify(self, staff: NamedDependency[Staff], contact_id: RowId,
                      data: Corrections) -> dict[str, list[str]]:
        return {"changed": await people_operations.rectify(staff, contact_id, data)}


    @post("/{contact_id:int}/unsubscribe", summary="Record an opt-out the person sent by post, phone or mail",
          status_code=200, responses=refusals(400, 403, 404))
    async def unsubscribe(self, staff: NamedDependency[Staff], contact_id: RowId,
                          data: StrictJSONBody[UnsubscribeIn]) -> dict[str, bool]:
        return {"changed": await people_operations.record_unsubscribe(staff, contact_id, data.list, data.reason)}


class SuppressionController(Controller):
    path = "/api/suppression"
    tags = ["suppression"]

    @get("/check", summary="Whether an address is suppressed, and in which scopes", responses=refusals(400))
    async def check(self, staff: NamedDependency[Staff], email: QueryEmail) -> SuppressionCheckOut:
        entries = await people_operations.check_suppression(staff, email)
        return SuppressionCheckOut(suppressed=bool(entries), entries=[_entry(entry) for entry in entries])

    @post("/", summary="Add a do-not-contact entry (kept as a keyed hash, never the address)",
          responses=refusals(400, 403))
    async def add(self, staff: NamedDependency[Staff], data: StrictJSONBody[SuppressIn]) -> SuppressOut:
        result = await people_operations.suppress(staff, data.email, data.reason, data.scope)
        return SuppressOut(created=result.created, entry=_entry(result.entry))

    @get("/counts", summary="Active entries by reason", responses=refusals())
    async def counts(self, staff: NamedDependency[Staff]) -> dict[str, int]:
        return await people_operations.suppression_counts(staff)


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/", summary="The audit log, oldest first from after_id (dpo and admin); it cannot be changed",
         responses=refusals(400, 403))
    async def entries(self, staff: NamedDependency[Staff], actor: OptionalQueryText = None,
                      action: OptionalQueryText = None, object_type: OptionalQueryText = None,
                      object_id: OptionalQueryText = None, after_id: AfterId = 0,
                      limit: AuditLimit = 100) -> list[audit.Entry]:
        return await audit.entries(staff, actor=actor, action=action, object_type=object_type, object_id=object_id,
                                   after_id=after_id, limit=limit)
