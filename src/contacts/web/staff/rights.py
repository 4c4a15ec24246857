"""Staff pages of the rights desk (REQ-14/15/19/20/23): requests with their due dates, identity checks,
extensions, answers and refusals, propagation to recipients, restrictions, and death notices. Thin: each
form calls one rights-desk service."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from contacts.domain import Permission, RightsRequestType
from contacts.errors import ConflictError, ValidationError
from contacts.i18n import N_
from contacts.services.rights import after_death, identity_documents, rights_operations
from contacts.services.staff.accounts import Staff
from contacts.text_input import row_id
from contacts.web.api.schemas import RowId
from contacts.web.staff.controllers import Form
from contacts.web.staff.pages import render, said

CHANNELS = {"staff": N_("post, phone or email received by staff"), "web_form": N_("web form"), "api": N_("API")}


def _page(request: Request, staff: Staff, view: rights_operations.RequestView, status_code: int = 200,
          error: str = "") -> Template:
    return render(request, "rights_request.html", staff, status_code=status_code, error=error, item=view,
                  grounds=rights_operations.REFUSAL_GROUNDS, erasure_only=rights_operations.ERASURE_ONLY_GROUNDS,
                  instructions=after_death.INSTRUCTIONS, is_open=view.status in rights_operations.OPEN,
                  types=RightsRequestType)


class RightsPagesController(Controller):
    path = "/staff/rights"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff], show: FromQuery[str] = "") -> Template:
        showing_all = show == "all"
        return render(request, "rights.html", staff, items=await rights_operations.requests(staff, open_only=not showing_all),
                      showing_all=showing_all, types=list(RightsRequestType), channels=CHANNELS, error="", form={})

    @post("/", status_code=303)
    async def create(self, request: Request, staff: NamedDependency[Staff], data: Form) -> Response:
        try:
            received_on = date.fromisoformat(data["received_on"]) if data.get("received_on") else None
        except ValueError:
            received_on, error = None, "received_on: is a date (YYYY-MM-DD)"
        else:
            error = ""
        if not error:
            try:
                created = await rights_operations.create(
                    staff, data.get("request_type", ""), channel=data.get("channel", "staff"),
                    email=data.get("email", ""), name=data.get("name", ""), details=data.get("details", ""),
                    language=data.get("language", "fr"), received_on=received_on,
                    identity_method=data.get("identity_method", ""))
            except ValidationError as problem:
                error = str(problem)
            else:
                return Redirect(f"/staff/rights/{created.id}?notice=rights-created", status_code=303)
        return render(request, "rights.html", staff, status_code=400, error=error, form=data, showing_all=False,
                      items=await rights_operations.requests(staff), types=list(RightsRequestType), channels=CHANNELS)

    @get("/{request_id:int}")
    async def show(self, request: Request, staff: NamedDependency[Staff], request_id: RowId) -> Template:
        return _page(request, staff, await rights_operations.get(staff, request_id))

    async def _act(self, request: Request, staff: Staff, request_id: int, notice: str, action) -> Response:
        """Run one desk action; a refusal of its input shows the request again with the reason."""
        try:
            await action()
        except (ValidationError, ConflictError) as error:
            status = 400 if isinstance(error, ValidationError) else 409
            return _page(request, staff, await rights_operations.get(staff, request_id), status_code=status,
                         error=said(error, staff))
        return Redirect(f"/staff/rights/{request_id}?notice={notice}", status_code=303)

    @post("/{request_id:int}/identity/ask", status_code=303)
    async def ask_for_identity(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                               data: Form) -> Response:
        return await self._act(request, staff, request_id, "rights-identity-asked",
                               lambda: rights_operations.ask_for_identity(staff, request_id, data.get("what", "")))

    # The staff router's 1 MiB form limit would refuse most scans the service accepts.
    @post("/{request_id:int}/identity/documents", status_code=303,
          request_max_body_size=identity_documents.MAX_BYTES + 64 * 1024)
    async def add_document(self, request: Request, staff: NamedDependency[Staff], request_id: RowId) -> Response:
        staff.require(Permission.RIGHTS)
        form = await request.form()
        upload = form.get("document")

        async def store() -> None:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise ValidationError("document", N_("choose the file to attach"))
            # One byte past the limit is enough for the service to refuse the size.
            content = await upload.read(identity_documents.MAX_BYTES + 1)
            await rights_operations.add_identity_document(staff, request_id, upload.filename, upload.content_type,
                                                    content)

        return await self._act(request, staff, request_id, "rights-document-added", store)

    @get("/{request_id:int}/identity/documents/{document_id:int}")
    async def open_document(self, staff: NamedDependency[Staff], request_id: RowId, document_id: RowId) -> Response:
        file_name, media_type, content = await rights_operations.open_identity_document(staff, request_id, document_id)
        safe_name = "".join(char for char in file_name if char.isalnum() or char in "._-")[:100] or "document"
        # Shown, never cached: it is deleted as soon as the identity is verified.
        return Response(content, media_type=media_type, headers={
            "Content-Disposition": f'inline; filename="{safe_name}"', "Cache-Control": "no-store"})

    @post("/{request_id:int}/identity/verify", status_code=303)
    async def verify_identity(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                              data: Form) -> Response:
        return await self._act(request, staff, request_id, "rights-verified",
                               lambda: rights_operations.verify_identity(staff, request_id, data.get("method", "")))

    @post("/{request_id:int}/extend", status_code=303)
    async def extend(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                     data: Form) -> Response:
        months = row_id(data.get("months", "")) or 0
        return await self._act(request, staff, request_id, "rights-extended",
                               lambda: rights_operations.extend(staff, request_id, months, data.get("reason", "")))

    @post("/{request_id:int}/answer", status_code=303)
    async def answer(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                     data: Form) -> Response:
        choices = {name: data.get(name, "") for name in ("instruction", "executor_name", "executor_email")
                   if data.get(name)}
        return await self._act(request, staff, request_id, "rights-answered",
                               lambda: rights_operations.answer(staff, request_id, data.get("note", ""), **choices))

    @post("/{request_id:int}/refuse", status_code=303)
    async def refuse(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                     data: Form) -> Response:
        return await self._act(request, staff, request_id, "rights-refused", lambda: rights_operations.refuse(
            staff, request_id, data.get("ground", ""), data.get("explanation", "")))

    @post("/{request_id:int}/propagations/{propagation_id:int}/told", status_code=303)
    async def propagation_told(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                               propagation_id: RowId) -> Response:
        return await self._act(request, staff, request_id, "rights-recipient-told",
                               lambda: rights_operations.mark_propagation_told(staff, propagation_id))

    @post("/{request_id:int}/restrictions/{restriction_id:int}/lift", status_code=303)
    async def lift_restriction(self, request: Request, staff: NamedDependency[Staff], request_id: RowId,
                               restriction_id: RowId) -> Response:
        return await self._act(request, staff, request_id, "rights-restriction-lifted",
                               lambda: rights_operations.lift_restriction(staff, restriction_id))


class AfterDeathPagesController(Controller):
    """On a contact's page: a verified death notice applies the person's instructions (REQ-23)."""

    path = "/staff/contacts"

    @post("/{contact_id:int}/death-notice", status_code=303)
    async def death_notice(self, staff: NamedDependency[Staff], contact_id: RowId, data: Form) -> Response:
        done = await after_death.apply_death_notice(staff, contact_id, data.get("verified_by", ""))
        return Redirect("/staff/rights/?notice=death-notice-erased" if done == "erased"
                        else f"/staff/contacts/{contact_id}?notice=death-notice-{done}", status_code=303)

    @post("/{contact_id:int}/after-death/revoke", status_code=303)
    async def revoke(self, staff: NamedDependency[Staff], contact_id: RowId) -> Response:
        await after_death.revoke(staff, contact_id)
        return Redirect(f"/staff/contacts/{contact_id}?notice=after-death-revoked", status_code=303)
