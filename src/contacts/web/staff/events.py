"""Staff pages for events: the list, the form (create and edit), an event's page with its guest lists and
counts, a guest list built from it, and its cancellation. Thin: services/invitations/events.py holds the rules.
The guests' mails a change or a cancellation causes go after the page has answered."""

from __future__ import annotations

from datetime import datetime

from litestar import Controller, Request, Response, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from contacts.domain import Permission
from contacts.errors import ValidationError
from contacts.i18n import N_, PARIS, gettext
from contacts.services import catalogue
from contacts.services.invitations import events, guest_lists, guest_mail
from contacts.services.staff.accounts import Staff
from contacts.settings import get_settings
from contacts.web.api.schemas import RowId
from contacts.web.staff.pages import render, said

# The form's labels; an error names the field by its label, not its code.
LABELS = {
    "title_fr": N_("Title in French"), "title_en": N_("Title in English"),
    "description_fr": N_("Description in French"), "description_en": N_("Description in English"),
    "starts_at": N_("Starts (Paris time)"), "ends_at": N_("Ends (Paris time)"), "place_name": N_("Place"),
    "place_address": N_("Address"), "capacity": N_("Capacity (guests and companions; empty for no limit)"),
    "rsvp_deadline": N_("Answers accepted until (Paris time, optional)"),
    "companions_allowed": N_("Each guest may bring one companion"),
}


def _error(error: ValidationError, staff: Staff) -> str:
    label = LABELS.get(error.field)
    if label is None:
        return said(error, staff)
    return f"{gettext(staff.language, label)}: {gettext(staff.language, error.template, **error.values)}"


def _typed(form) -> dict[str, object]:
    """The form's fields as the service takes them: an unticked box is absent from a form."""
    values: dict[str, object] = {name: str(form.get(name, "")) for name in events.FIELDS}
    values["companions_allowed"] = form.get("companions_allowed") == "on"
    return values


def _as_typed(values: dict[str, object]) -> dict[str, object]:
    """An event's fields as the form shows them: Paris date-times for `datetime-local` inputs."""
    shown = dict(values)
    for name in events.MOMENT_FIELDS:
        moment = values.get(name)
        shown[name] = moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if isinstance(moment, datetime) else ""
    shown["capacity"] = "" if values.get("capacity") is None else values["capacity"]
    return shown


def _mails_after(response: Response, mails: list[guest_mail.GuestMail]) -> Response:
    if mails:
        response.background = BackgroundTask(guest_mail.send_all, mails)
    return response


class EventPagesController(Controller):
    path = "/staff/events"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return render(request, "events.html", staff, events=await events.all_events(staff))

    @get("/new")
    async def new(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        await events.may(staff, Permission.SEND)
        return self._form(request, staff, {"companions_allowed": False})

    @post("/", status_code=303)
    async def create(self, request: Request, staff: NamedDependency[Staff]) -> Response:
        values = _typed(await request.form())
        try:
            created = await events.create(staff, values)
        except ValidationError as error:
            return self._form(request, staff, values, status_code=400, error=_error(error, staff), field=error.field)
        return Redirect(f"/staff/events/{created.event.id}?notice=event-created", status_code=303)

    @get("/{event_id:int}")
    async def show(self, request: Request, staff: NamedDependency[Staff], event_id: RowId) -> Template:
        return await self._show(request, staff, event_id)

    @get("/{event_id:int}/edit")
    async def edit_form(self, request: Request, staff: NamedDependency[Staff], event_id: RowId) -> Template:
        await events.may(staff, Permission.SEND)
        view = await events.get(staff, event_id)
        row = {name: getattr(view.event, name) for name in events.FIELDS}
        return self._form(request, staff, _as_typed(row), event_id=event_id)

    @post("/{event_id:int}/edit", status_code=303)
    async def edit(self, request: Request, staff: NamedDependency[Staff], event_id: RowId) -> Response:
        values = _typed(await request.form())
        try:
            changed = await events.edit(staff, event_id, values)
        except ValidationError as error:
            return self._form(request, staff, values, status_code=400, error=_error(error, staff),
                              field=error.field, event_id=event_id)
        return _mails_after(Redirect(f"/staff/events/{event_id}?notice=event-edited", status_code=303),
                            changed.mails)

    @post("/{event_id:int}/cancel", status_code=303)
    async def cancel(self, staff: NamedDependency[Staff], event_id: RowId) -> Response:
        changed = await events.cancel(staff, event_id)
        return _mails_after(Redirect(f"/staff/events/{event_id}?notice=event-cancelled", status_code=303),
                            changed.mails)

    @post("/{event_id:int}/guest-lists", status_code=303)
    async def build_list(self, request: Request, staff: NamedDependency[Staff], event_id: RowId) -> Response:
        form = await request.form()
        filters = {name: str(form.get(name, "")) for name in guest_lists.FILTERS}
        try:
            built = await guest_lists.build(staff, str(form.get("name", "")), form.getall("lists", []), filters,
                                            event_id=event_id)
        except ValidationError as error:
            return await self._show(request, staff, event_id, status_code=400, error=said(error, staff))
        return Redirect(f"/staff/invitations/{built.id}", status_code=303)

    def _form(self, request: Request, staff: Staff, values: dict[str, object], status_code: int = 200,
              error: str = "", field: str = "", event_id: int | None = None) -> Template:
        return render(request, "event_form.html", staff, status_code=status_code, error=error, field=field,
                      values=values, event_id=event_id, labels=LABELS)

    async def _show(self, request: Request, staff: Staff, event_id: int, status_code: int = 200,
                    error: str = "") -> Template:
        return render(request, "event.html", staff, status_code=status_code, error=error,
                      view=await events.get(staff, event_id), lists=await catalogue.lists(),
                      retention_days=get_settings().companion_retention_days)
