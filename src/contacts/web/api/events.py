"""The JSON API for events: list, create, read with guest lists and counts, change, cancel. The guests'
mails a change or a cancellation causes go after the answer."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency

from contacts.services.invitations import events, guest_mail
from contacts.services.staff.accounts import Staff
from contacts.web.api.event_schemas import EventIn, EventOut, EventPatchIn
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import RowId, StrictJSONBody


def _told(changed: events.Changed) -> Response[EventOut]:
    response = Response(EventOut.of(changed.view, guests_told=len(changed.mails)))
    if changed.mails:
        response.background = BackgroundTask(guest_mail.send_all, changed.mails)
    return response


class EventsController(Controller):
    path = "/api/events"
    tags = ["events"]

    @get("/", summary="Events, the coming ones first, with their counts", responses=refusals())
    async def index(self, staff: NamedDependency[Staff]) -> list[EventOut]:
        return [EventOut.of(view) for view in await events.all_events(staff)]

    @post("/", summary="Create an event (Paris times)", responses=refusals(400, 403))
    async def create(self, staff: NamedDependency[Staff], data: StrictJSONBody[EventIn]) -> EventOut:
        return EventOut.of(await events.create(staff, data.values()))

    @get("/{event_id:int}", summary="An event with its guest lists and counts", responses=refusals(400, 403, 404))
    async def show(self, staff: NamedDependency[Staff], event_id: RowId) -> EventOut:
        return EventOut.of(await events.get(staff, event_id))

    @patch("/{event_id:int}", summary="Change an event; a new time or place is mailed to those who accepted",
           responses=refusals(400, 403, 404, 409))
    async def edit(self, staff: NamedDependency[Staff], event_id: RowId,
                   data: StrictJSONBody[EventPatchIn]) -> Response[EventOut]:
        return _told(await events.edit(staff, event_id, data.changes()))

    @post("/{event_id:int}/cancel", summary="Cancel an event; the guests who accepted or wait are told",
          status_code=200, responses=refusals(403, 404, 409))
    async def cancel(self, staff: NamedDependency[Staff], event_id: RowId) -> Response[EventOut]:
        return _told(await events.cancel(staff, event_id))
