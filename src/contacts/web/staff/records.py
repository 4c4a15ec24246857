"""Staff pages for contacts, the suppression list and the audit log. Thin: each calls a service."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from contacts.domain import Permission, SubscriptionStatus
from contacts.errors import ValidationError
from contacts.services import audit, catalogue, dashboard, records_of_processing
from contacts.services.people import people_operations
from contacts.services.rights import after_death
from contacts.services.staff.accounts import Staff
from contacts.web.api.schemas import AfterId, PageNumber, RowId
from contacts.web.staff.controllers import Form
from contacts.web.staff.pages import render, said


class ContactPagesController(Controller):
    path = "/staff/contacts"

    @get("/")
    async def search(self, request: Request, staff: NamedDependency[Staff], q: FromQuery[str] = "",
                     page: PageNumber = 1) -> Template:
        found, total = await people_operations.search_contacts(staff, q, page, 50) if q or page > 1 else ([], None)
        return render(request, "contacts.html", staff, q=q, found=found, total=total, page=page)

    @get("/{contact_id:int}")
    async def detail(self, request: Request, staff: NamedDependency[Staff], contact_id: RowId) -> Template:
        return await _contact_page(request, staff, contact_id)

    @post("/{contact_id:int}", status_code=303)
    async def rectify(self, request: Request, staff: NamedDependency[Staff], contact_id: RowId,
                      data: Form) -> Response:
        changes = {name: data.get(name, "") for name in people_operations.RECTIFIABLE if name in data}
        try:
            await people_operations.rectify(staff, contact_id, changes)
        except ValidationError as error:
            return await _contact_page(request, staff, contact_id, status_code=400, error=said(error, staff))
        return Redirect(f"/staff/contacts/{contact_id}?notice=rectified", status_code=303)


async def _contact_page(request: Request, staff: Staff, contact_id: int, status_code: int = 200,
                        error: str = "") -> Template:
    contact = await people_operations.contact_detail(staff, contact_id)
    # The rights desk also sees the after-death instructions in force, and records death notices here.
    instruction = await after_death.in_force(contact_id) if staff.can(Permission.RIGHTS) else None
    lists = {item.slug: item for item in await catalogue.lists()}  # a subscription's list and purpose by name
    return render(request, "contact.html", staff, status_code=status_code, contact=contact, lists=lists,
                  editable=people_operations.RECTIFIABLE, error=error, after_death=instruction)


class ListPagesController(Controller):
    path = "/staff/lists"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return render(request, "lists.html", staff, overview=await dashboard.overview(staff))

    @get("/{slug:str}")
    async def members(self, request: Request, staff: NamedDependency[Staff], slug: FromPath[str],
                      status: FromQuery[str] = "", page: PageNumber = 1) -> Template:
        mailing_list, found, total = await people_operations.members(staff, slug, status or None, page)
        return render(request, "list.html", staff, mailing_list=mailing_list, members=found, total=total,
                      status=status, page=page, statuses=[item.value for item in SubscriptionStatus])


class SuppressionPagesController(Controller):
    path = "/staff/suppression"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return await self._page(request, staff)

    @post("/check")
    async def check(self, request: Request, staff: NamedDependency[Staff], data: Form) -> Template:
        address = data.get("email", "")
        try:
            entries = await people_operations.check_suppression(staff, address)
        except ValidationError as error:
            return await self._page(request, staff, status_code=400, check_error=said(error, staff), checked=address)
        return await self._page(request, staff, checked=address, entries=entries)

    @post("/")
    async def add(self, request: Request, staff: NamedDependency[Staff], data: Form) -> Template:
        try:
            result = await people_operations.suppress(staff, data.get("email", ""), data.get("reason", "manual"),
                                               data.get("scope", "global") or "global")
        except ValidationError as error:
            return await self._page(request, staff, status_code=400, add_error=said(error, staff))
        return await self._page(request, staff, added=result)

    async def _page(self, request: Request, staff: Staff, status_code: int = 200, **context) -> Template:
        return render(request, "suppression.html", staff, status_code=status_code,
                      counts=await people_operations.suppression_counts(staff),
                      **{"checked": "", "entries": None, "check_error": "", "add_error": "", "added": None, **context})


class AuditPagesController(Controller):
    path = "/staff/audit"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff], actor: FromQuery[str] = "",
                    action: FromQuery[str] = "", after_id: AfterId = 0) -> Template:
        entries = await audit.entries(staff, actor=actor or None, action=action or None, after_id=after_id, limit=100)
        return render(request, "audit.html", staff, entries=entries, actor=actor, action=action)


class RegisterPageController(Controller):
    path = "/staff/register"

    @get("/")
    async def show(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return render(request, "register.html", staff, register=await records_of_processing.build(staff.language))
