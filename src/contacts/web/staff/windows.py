"""The purposes' sending windows (REQ-54) on the staff pages: each purpose's days and hours, Paris time, and
for admins a form to change them. Thin: each route calls contacts.services.window_operations."""

from __future__ import annotations

from babel.dates import get_day_names
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from contacts.domain import Permission
from contacts.errors import ValidationError
from contacts.services import window_operations
from contacts.services.staff.accounts import Staff
from contacts.services.windows import DAY_CODES
from contacts.settings import Settings
from contacts.web.staff.pages import render, said


class SendingWindowPagesController(Controller):
    path = "/staff/windows"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff],
                    settings: NamedDependency[Settings]) -> Template:
        return await _page(request, staff, settings)

    @post("/{code:str}")
    async def change(self, request: Request, staff: NamedDependency[Staff], settings: NamedDependency[Settings],
                     code: FromPath[str]) -> Response:
        staff.require(Permission.SET_SENDING_WINDOWS)
        form = await request.form()
        days = [str(day) for day in form.getall("days", [])]
        opens, closes = str(form.get("opens", "")), str(form.get("closes", ""))
        try:
            await window_operations.set_window(staff, code, days, opens, closes,
                                               skips_holidays=form.get("on_holidays") != "yes")
        except ValidationError as error:
            values = {"days": days, "opens": opens, "closes": closes, "skips_holidays": form.get("on_holidays") != "yes"}
            return await _page(request, staff, settings, status_code=400, errors={code: said(error, staff)},
                               values={code: values})
        return Redirect(f"/staff/windows/#purpose-{code}", status_code=303)


async def _page(request: Request, staff: Staff, settings: Settings, status_code: int = 200, **context) -> Template:
    purposes = await window_operations.purposes(staff)
    lang = staff.language
    day_names = get_day_names("wide", locale=lang)
    values = {purpose.code: window_operations.form_values(purpose.window) for purpose in purposes}
    return render(request, "windows.html", staff, status_code=status_code, purposes=purposes,
                  days=[(code, day_names[number]) for number, code in enumerate(DAY_CODES)],
                  windows_on=settings.sending_windows,
                  values={**values, **context.pop("values", {})}, errors=context.pop("errors", {}), **context)
