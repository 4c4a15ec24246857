"""The CSV import page: upload and preview (a dry run with its row report), then import."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from contacts.domain import LegalBasis, SourceType
from contacts.errors import ValidationError
from contacts.services.importing import import_operations
from contacts.services.staff.accounts import Staff
from contacts.web.staff.pages import render, said

MAX_UPLOAD = 50 * 1024 * 1024
FIELDS = ("list_slug", "source_type", "source_name", "legal_basis")


class ImportPagesController(Controller):
    path = "/staff/import"

    @get("/")
    async def form(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return await self._page(request, staff)

    @post("/preview", request_max_body_size=MAX_UPLOAD)
    async def preview(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        form = await request.form()
        upload = form.get("file")
        values = {name: str(form.get(name, "")) for name in FIELDS}
        try:
            file = None if upload is None or isinstance(upload, str) else upload
            upload_id = await import_operations.stage(staff, await file.read() if file is not None else None)
            assert file is not None  # staging refuses a form without one
            outcome = await import_operations.preview(staff, import_operations.ImportRequest(
                upload_id=upload_id, file_name=file.filename or "upload.csv", **values))
        except ValidationError as error:
            return await self._page(request, staff, status_code=400, error=said(error, staff), values=values)
        return render(request, "import_result.html", staff, outcome=outcome)

    @post("/run")
    async def run(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        form = await request.form()
        values = {name: str(form.get(name, "")) for name in (*FIELDS, "upload_id", "file_name")}
        try:
            outcome = await import_operations.run(staff, import_operations.ImportRequest(**values))
        except ValidationError as error:
            return await self._page(request, staff, status_code=400, error=said(error, staff), values=values)
        return render(request, "import_result.html", staff, outcome=outcome)

    async def _page(self, request: Request, staff: Staff, status_code: int = 200, error: str = "",
                    values: dict | None = None) -> Template:
        return render(request, "import.html", staff, status_code=status_code, error=error, values=values or {},
                      lists=await import_operations.lists_for_import(staff), source_types=[item.value for item in SourceType],
                      legal_bases=[item.value for item in LegalBasis])
