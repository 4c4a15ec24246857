"""Staff pages for event invitation lists: build, invite, follow the answers and each guest's history, mark
arrivals, export."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from contacts.errors import ConflictError, ValidationError
from contacts.services import catalogue
from contacts.services.campaigns import campaign_operations
from contacts.services.invitations import door, history, reminders
from contacts.services.invitations import guest_lists as invitations
from contacts.services.staff.accounts import Staff
from contacts.text_input import row_id
from contacts.web.api.schemas import RowId
from contacts.web.downloads import csv_download
from contacts.web.staff.pages import render, said


class InvitationPagesController(Controller):
    path = "/staff/invitations"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        return await self._index(request, staff)

    @post("/", status_code=303)
    async def build(self, request: Request, staff: NamedDependency[Staff]) -> Response:
        form = await request.form()
        filters = {name: str(form.get(name, "")) for name in invitations.FILTERS}
        try:
            built = await invitations.build(staff, str(form.get("name", "")), form.getall("lists", []), filters)
        except ValidationError as error:
            return await self._index(request, staff, status_code=400, error=said(error, staff))
        return Redirect(f"/staff/invitations/{built.id}", status_code=303)

    @get("/{list_id:int}")
    async def show(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Template:
        return await self._show(request, staff, list_id)

    @post("/{list_id:int}/campaign", status_code=303)
    async def campaign(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Response:
        form = await request.form()
        try:
            campaign = await invitations.create_campaign(staff, list_id, str(form.get("subject", "")),
                                                         str(form.get("body", "")))
        except ValidationError as error:
            return await self._show(request, staff, list_id, status_code=400, error=said(error, staff))
        return Redirect(f"/staff/campaigns/{campaign.id}?notice=created", status_code=303)

    @post("/{list_id:int}/reminders", status_code=303)
    async def remind(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Response:
        form = await request.form()
        try:
            campaign = await reminders.create(staff, list_id, str(form.get("kind", "")), str(form.get("subject", "")),
                                              str(form.get("body", "")))
        except (ValidationError, ConflictError) as error:
            return await self._show(request, staff, list_id, status_code=400, error=said(error, staff))
        return Redirect(f"/staff/campaigns/{campaign.id}?notice=created", status_code=303)

    @post("/{list_id:int}/attended", status_code=303)
    async def attended(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Redirect:
        form = await request.form()
        chosen = [number for value in form.getall("contacts", []) if (number := row_id(str(value))) is not None]
        await door.mark_many(staff, list_id, chosen)  # arrivals: the answers stay as they are
        return Redirect(f"/staff/invitations/{list_id}?notice=attended", status_code=303)

    @post("/{list_id:int}/export", status_code=200)
    async def export(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Response:
        form = await request.form()
        try:
            # A French spreadsheet splits columns at semicolons: French staff get them unless they choose commas.
            separator = str(form.get("separator") or (";" if staff.language == "fr" else ","))
            content = await invitations.export_csv(staff, list_id, str(form.get("to", "")), str(form.get("why", "")),
                                                   separator=separator, words=True)
        except ValidationError as error:
            return await self._show(request, staff, list_id, status_code=400, error=said(error, staff))
        return csv_download(content, f"invitation-list-{list_id}.csv")

    async def _index(self, request: Request, staff: Staff, status_code: int = 200, error: str = "") -> Template:
        return render(request, "invitations.html", staff, status_code=status_code, error=error,
                      guest_lists=await invitations.all_lists(staff), lists=await catalogue.lists())

    async def _show(self, request: Request, staff: Staff, list_id: int, status_code: int = 200,
                    error: str = "") -> Template:
        guest_list = await invitations.get(staff, list_id)
        campaign = await campaign_operations.campaign_for(staff, guest_list.campaign_id) if guest_list.campaign_id else None
        return render(request, "invitation_list.html", staff, status_code=status_code, error=error,
                      guest_list=guest_list, guests=await invitations.guests(staff, list_id), campaign=campaign,
                      histories=await history.histories(staff, list_id),
                      reminders=await reminders.of_list(staff, list_id))
