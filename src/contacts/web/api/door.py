"""The JSON API at the door: a guest list's arrivals against acceptances, and its door list as CSV (a
disclosure, logged with to whom and why). Thin: the rules are contacts.services.invitations.door and door_list."""

from __future__ import annotations

from litestar import Controller, Response, get
from litestar.di import NamedDependency

from contacts import csv_files
from contacts.services.invitations import door, door_list
from contacts.services.staff.accounts import Staff
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import QueryText, RowId
from contacts.web.downloads import csv_download


class DoorController(Controller):
    path = "/api/invitation-lists"
    tags = ["invitation lists"]

    @get("/{list_id:int}/arrivals", summary="Arrivals against acceptances, guests and companions",
         responses=refusals(400, 403, 404))
    async def arrivals(self, staff: NamedDependency[Staff], list_id: RowId) -> door.Counts:
        return await door.counts(staff, await door.list_scope(staff, list_id))

    @get("/{list_id:int}/door-list.csv", summary="The door list as CSV: accepted guests, companions, arrival times; "
         "a disclosure, logged with to whom and why", media_type=csv_files.MEDIA_TYPE,
         responses=refusals(400, 403, 404))
    async def door_list(self, staff: NamedDependency[Staff], list_id: RowId, to: QueryText, why: QueryText,
                        separator: QueryText = ",") -> Response[str]:
        content = await door_list.export_csv(staff, list_id, to, why, separator=separator)
        return csv_download(content, f"door-list-{list_id}.csv", for_spreadsheets=False)
