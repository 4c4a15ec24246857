"""The JSON API for event invitation lists: build, invite (a campaign), follow the answers, export."""

from __future__ import annotations

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency

from contacts import csv_files
from contacts.services.invitations import door, reminders
from contacts.services.invitations import guest_lists as invitations
from contacts.services.staff.accounts import Staff
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import (
    AttendedIn,
    CampaignOut,
    GuestsPerPage,
    InvitationCampaignIn,
    InvitationListIn,
    Page,
    PageNumber,
    QueryText,
    ReminderIn,
    RowId,
    StrictJSONBody,
)
from contacts.web.downloads import csv_download


class InvitationListsController(Controller):
    path = "/api/invitation-lists"
    tags = ["invitation lists"]

    @get("/", summary="Invitation lists, newest first", responses=refusals())
    async def index(self, staff: NamedDependency[Staff]) -> list[invitations.GuestList]:
        return await invitations.all_lists(staff)

    @post("/", summary="Build a guest list from lists and filters (PR invitations)",
          responses=refusals(400, 403))
    async def build(self, staff: NamedDependency[Staff],
                    data: StrictJSONBody[InvitationListIn]) -> invitations.GuestList:
        return await invitations.build(staff, data.name, data.lists, data.filters, event_id=data.event)

    @get("/{list_id:int}", summary="An invitation list with its guests counted by answer",
         responses=refusals(400, 403, 404))
    async def show(self, staff: NamedDependency[Staff], list_id: RowId) -> invitations.GuestList:
        return await invitations.get(staff, list_id)

    @get("/{list_id:int}/guests", summary="The guests with their answers", responses=refusals(400, 403, 404))
    async def guests(self, staff: NamedDependency[Staff], list_id: RowId, page: PageNumber = 1,
                     per_page: GuestsPerPage = 100) -> Page[invitations.Guest]:
        found = await invitations.guests(staff, list_id)
        chosen = found[(page - 1) * per_page:page * per_page]
        return Page(items=chosen, page=page, per_page=per_page,
                    total=len(found))

    @post("/{list_id:int}/campaign", summary="Create the invitation campaign (template invitation)",
          responses=refusals(400, 403, 404, 409))
    async def campaign(self, staff: NamedDependency[Staff], list_id: RowId,
                       data: StrictJSONBody[InvitationCampaignIn]) -> CampaignOut:
        return CampaignOut.of(await invitations.create_campaign(staff, list_id, data.subject, data.body))

    @get("/{list_id:int}/reminders", summary="The guest list's reminders, newest first, with how many were sent",
         responses=refusals(400, 403, 404))
    async def reminder_list(self, staff: NamedDependency[Staff], list_id: RowId) -> list[reminders.Reminder]:
        return await reminders.of_list(staff, list_id)

    @post("/{list_id:int}/reminders", summary="Create a reminder campaign: to those who have not answered "
          "(kind no_answer) or to those who accepted (kind accepted)", responses=refusals(400, 403, 404, 409))
    async def remind(self, staff: NamedDependency[Staff], list_id: RowId,
                     data: StrictJSONBody[ReminderIn]) -> CampaignOut:
        return CampaignOut.of(await reminders.create(staff, list_id, data.kind, data.subject, data.body))

    @post("/{list_id:int}/attended", summary="Mark accepted guests arrived; their answer stays accepted",
          status_code=200,
          responses=refusals(400, 403, 404))
    async def attended(self, staff: NamedDependency[Staff], list_id: RowId,
                       data: StrictJSONBody[AttendedIn]) -> dict[str, int]:
        return {"marked": await door.mark_many(staff, list_id, data.contacts)}

    @get("/{list_id:int}/export.csv", summary="The guest list as CSV: a disclosure, logged with to whom and why",
         media_type=csv_files.MEDIA_TYPE, responses=refusals(400, 403, 404))
    async def export(self, staff: NamedDependency[Staff], list_id: RowId, to: QueryText,
                     why: QueryText) -> Response[str]:
        return csv_download(await invitations.export_csv(staff, list_id, to, why), f"invitation-list-{list_id}.csv",
                            for_spreadsheets=False)
