"""The media library's staff page: the images with their Markdown snippets, an upload form, alt texts to edit,
and deletion of an image no campaign uses. Thin: each route calls contacts.services.media.library."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from contacts.domain import Permission
from contacts.errors import ConflictError, ValidationError
from contacts.i18n import N_
from contacts.services.media import images, library
from contacts.services.staff.accounts import Staff
from contacts.settings import Settings
from contacts.web.api.schemas import PageNumber, RowId
from contacts.web.staff.controllers import Form
from contacts.web.staff.pages import render, said

PER_PAGE = 50
# The file and the form's few fields: the service refuses a file over images.MAX_BYTES by name.
UPLOAD_MAX_BODY = images.MAX_BYTES + 64 * 1024


class MediaPagesController(Controller):
    path = "/staff/media"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                    page: PageNumber = 1) -> Template:
        return await _page(request, staff, settings, page)

    @post("/", request_max_body_size=UPLOAD_MAX_BODY)
    async def upload(self, request: Request, staff: NamedDependency[Staff],
                     settings: NamedDependency[Settings]) -> Response:
        staff.require(Permission.SEND)  # before the upload is read
        form = await request.form()
        upload, alt, alt_en = form.get("file"), str(form.get("alt", "")), str(form.get("alt_en", ""))
        try:
            if upload is None or isinstance(upload, str) or not upload.filename:
                raise ValidationError("file", N_("choose an image file (JPEG, PNG, GIF or WebP)"))
            added = await library.add(staff, await upload.read(), alt, alt_en)
        except ValidationError as error:
            return await _page(request, staff, settings, status_code=400, upload_error=said(error, staff),
                               values={"alt": alt, "alt_en": alt_en})
        notice = "media-added" if added.created else "media-exists"
        return Redirect(f"/staff/media/?notice={notice}#image-{added.image.id}", status_code=303)

    @post("/{image_id:int}/alt")
    async def describe(self, request: Request, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                       image_id: RowId, data: Form) -> Response:
        try:
            await library.describe(staff, image_id, data.get("alt", ""), data.get("alt_en", ""))
        except ValidationError as error:
            return await _page(request, staff, settings, status_code=400, errors={image_id: said(error, staff)})
        return Redirect(f"/staff/media/?notice=media-described#image-{image_id}", status_code=303)

    @post("/{image_id:int}/delete")
    async def delete(self, request: Request, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                     image_id: RowId) -> Response:
        try:
            await library.delete(staff, image_id)
        except ConflictError as error:
            return await _page(request, staff, settings, status_code=409, errors={image_id: said(error, staff)})
        return Redirect("/staff/media/?notice=media-deleted", status_code=303)


async def _page(request: Request, staff: Staff, settings: Settings, page: int = 1, status_code: int = 200,
                **context) -> Template:
    found = await library.page(staff, page, PER_PAGE)
    return render(request, "media.html", staff, status_code=status_code, images=found.items, total=found.total,
                  page=page, per_page=PER_PAGE, base_url=settings.base_url, max_width=images.MAX_WIDTH,
                  **{"upload_error": "", "values": {}, "errors": {}, **context})
