"""The door pages, for a steward signed in on a phone: a guest's pass (the QR code of their confirmation),
a guest list's or an event's door with a search by name and arrivals against acceptances, and the door list,
printable or as CSV. No script: each button is a form, and its answer is the page shown again with what was
done. Thin: the rules are contacts.services.invitations.door and door_list."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from contacts.errors import ValidationError
from contacts.services.invitations import door, door_list
from contacts.services.invitations.door import Answer, Party, Scope
from contacts.services.staff.accounts import Staff
from contacts.text_input import row_id
from contacts.web.api.schemas import PathText, QueryText, RowId
from contacts.web.downloads import csv_download
from contacts.web.staff.controllers import Form
from contacts.web.staff.pages import render, said

SHOWN = 30  # search results on one page: a steward types more of the name rather than scrolls
DOOR_WORDS: dict[str, Any] = {"clock": door.clock, "not_let_in": door.NOT_LET_IN, "shown": SHOWN}


def _party(form: dict[str, str]) -> Party:
    return Party.COMPANION if form.get("who") == Party.COMPANION else Party.GUEST


class DoorPagesController(Controller):
    path = "/staff/door"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        events, lists = await door.doors(staff)
        return render(request, "door_index.html", staff, events=events, guest_lists=lists)

    @get("/lists/{list_id:int}")
    async def guest_list(self, request: Request, staff: NamedDependency[Staff], list_id: RowId,
                         q: QueryText = "") -> Template:
        return await _door(request, staff, await door.list_scope(staff, list_id), q)

    @get("/events/{event_id:int}")
    async def event(self, request: Request, staff: NamedDependency[Staff], event_id: RowId,
                    q: QueryText = "") -> Template:
        return await _door(request, staff, await door.event_scope(staff, event_id), q)

    @post("/lists/{list_id:int}/arrivals", status_code=200)
    async def arrive(self, request: Request, staff: NamedDependency[Staff], list_id: RowId, data: Form) -> Template:
        answer = await door.mark_arrived(staff, list_id, row_id(data.get("contact", "")) or 0, _party(data))
        return await _door(request, staff, await _scope_of(staff, list_id, data), data.get("q", ""), answer)

    @post("/lists/{list_id:int}/arrivals/undo", status_code=200)
    async def undo(self, request: Request, staff: NamedDependency[Staff], list_id: RowId, data: Form) -> Template:
        answer = await door.undo_arrival(staff, list_id, row_id(data.get("contact", "")) or 0, _party(data))
        return await _door(request, staff, await _scope_of(staff, list_id, data), data.get("q", ""), answer)

    @get("/check-in/{token:str}")
    async def door_pass(self, request: Request, staff: NamedDependency[Staff], token: PathText) -> Template:
        return await _pass(request, staff, token)

    @post("/check-in/{token:str}", status_code=200)
    async def door_pass_arrive(self, request: Request, staff: NamedDependency[Staff], token: PathText,
                               data: Form) -> Template:
        holder = await door.pass_holder(staff, token)
        if holder is None:
            return await _pass(request, staff, token)
        act = door.undo_arrival if data.get("undo") else door.mark_arrived
        return await _pass(request, staff, token, await act(staff, holder.list_id, holder.contact_id, _party(data)))

    @get("/lists/{list_id:int}/door-list")
    async def printable(self, request: Request, staff: NamedDependency[Staff], list_id: RowId) -> Template:
        return await _door_list(request, staff, list_id)

    @post("/lists/{list_id:int}/door-list.csv", status_code=200)
    async def export(self, request: Request, staff: NamedDependency[Staff], list_id: RowId, data: Form) -> Response:
        try:
            content = await door_list.export_csv(staff, list_id, data.get("to", ""), data.get("why", ""),
                                                 separator=data.get("separator", ","), words=True)
        except ValidationError as error:
            return await _door_list(request, staff, list_id, status_code=400, error=said(error, staff))
        return csv_download(content, f"door-list-{list_id}.csv")


async def _scope_of(staff: Staff, list_id: int, form: dict[str, str]) -> Scope:
    """The door the button was pressed on: the event's when the form names it, the guest list's otherwise."""
    event_id = row_id(form.get("event", ""))
    return await door.event_scope(staff, event_id) if event_id else await door.list_scope(staff, list_id)


async def _door(request: Request, staff: Staff, scope: Scope, query: str, answer: Answer | None = None) -> Template:
    found = await door.find(staff, scope, query)
    return render(request, "door.html", staff, scope=scope, query=query.strip(), found=found, answer=answer,
                  counts=await door.counts(staff, scope), said=answer.said_in(staff.language) if answer else "",
                  list_names=await door.list_names(scope), **DOOR_WORDS)


async def _pass(request: Request, staff: Staff, token: str, answer: Answer | None = None) -> Template:
    holder = await door.pass_holder(staff, token)
    if holder is None:  # a tampered pass, or a guest no longer on the list
        return render(request, "door_pass.html", staff, status_code=404, holder=None, answer=None, said="",
                      **DOOR_WORDS)
    scope = await door.list_scope(staff, holder.list_id)
    return render(request, "door_pass.html", staff, holder=holder, scope=scope, answer=answer, token=token,
                  said=answer.said_in(staff.language) if answer else "", counts=await door.counts(staff, scope),
                  **DOOR_WORDS)


async def _door_list(request: Request, staff: Staff, list_id: int, status_code: int = 200,
                     error: str = "") -> Template:
    scope, guests = await door_list.door_list(staff, list_id)
    return render(request, "door_list.html", staff, status_code=status_code, error=error, scope=scope,
                  guests=guests, counts=await door.counts(staff, scope), **DOOR_WORDS)
