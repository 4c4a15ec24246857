"""The JSON API for campaigns: the same operations as `contacts campaign …`, scoped by the caller's role."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import cast

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import NamedDependency

from contacts.sending import desk as sending_desk
from contacts.services.campaigns import (
    archive,
    campaign_operations,
    schedule_operations,
)
from contacts.services.importing import import_operations
from contacts.services.people import people_operations
from contacts.services.staff.accounts import Staff
from contacts.web.api.campaign_schemas import (
    AudienceOut,
    CampaignPatchIn,
    ConfirmCount,
    ScheduleIn,
    ScheduleOut,
)
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import (
    CampaignIn,
    CampaignOut,
    CampaignsPerPage,
    CampaignStatusOut,
    ListOut,
    OptionalQueryEmail,
    OptionalQueryText,
    Page,
    PageNumber,
    PathText,
    PreviewOut,
    RowId,
    StrictJSONBody,
    SubscribeIn,
    SubscribeOut,
    TestSendIn,
)

PREVIEW_HEADERS = ("From", "To", "Subject", "Date", "Message-ID", "List-Id", "List-Unsubscribe",
                   "List-Unsubscribe-Post", "Auto-Submitted")


class ListsController(Controller):
    path = "/api/lists"
    tags = ["lists"]

    @get("/", summary="The lists of the purposes the caller is empowered for", responses=refusals())
    async def lists(self, staff: NamedDependency[Staff]) -> list[ListOut]:
        return [ListOut.of(item) for item in await campaign_operations.lists(staff)]

    @get("/{slug:str}/members", summary="A list's subscriptions, by status (subscribed, pending, unsubscribed, objected)",
         responses=refusals(400, 403, 404))
    async def members(self, staff: NamedDependency[Staff], slug: PathText, status: OptionalQueryText = None,
                      page: PageNumber = 1) -> Page[people_operations.Member]:
        _, found, total = await people_operations.members(staff, slug, status, page)
        return Page(items=found, page=page, per_page=50, total=total)


    @post("/{slug:str}/subscriptions", summary="Subscribe contacts to a list, by the rules of a CSV import",
          responses=refusals(400, 403, 404))
    async def subscribe(self, staff: NamedDependency[Staff], slug: PathText,
                        data: StrictJSONBody[SubscribeIn]) -> SubscribeOut:
        outcome = await import_operations.subscribe_contacts(staff, slug, data.source_type, data.source_name,
                                                       data.legal_basis, data.contacts)
        # Report rows are spreadsheet rows (the header is row 1): the API counts contacts from 1.
        problems = [{**problem, "row": str(int(problem["row"]) - 1) if problem["row"].isdigit() else problem["row"]}
                    for problem in outcome.problems]
        return SubscribeOut(counts=outcome.counts, problems=problems)


class CampaignsController(Controller):
    path = "/api/campaigns"
    tags = ["campaigns"]

    @get("/", summary="Campaigns, newest first", responses=refusals(400))
    async def index(self, staff: NamedDependency[Staff], page: PageNumber = 1,
                    per_page: CampaignsPerPage = 50) -> Page[CampaignOut]:
        found = await campaign_operations.page(staff, page, per_page)
        return Page(items=[CampaignOut.of(c) for c in found.items], page=page, per_page=per_page, total=found.total)

    @post("/", summary="Create a draft campaign", responses=refusals(400, 403))
    async def create(self, staff: NamedDependency[Staff], data: StrictJSONBody[CampaignIn]) -> CampaignOut:
        campaign = await campaign_operations.create(staff, list_slugs=data.lists, template=data.template,
                                                    subject=data.subject, body=data.body or "",
                                                    content=data.content(), missing_language=data.missing_language,
                                                    purpose_code=data.purpose, rate=data.rate,
                                                    greeting=data.greeting, archive=data.archive)
        return CampaignOut.of(campaign)

    @patch("/{campaign_id:int}", summary="Change a draft's fields; those left out stay as they are",
           description="Only a draft: a campaign that has started is refused with a 409 (duplicate it instead).",
           responses=refusals(400, 403, 404, 409))
    async def edit(self, staff: NamedDependency[Staff], campaign_id: RowId,
                   data: StrictJSONBody[CampaignPatchIn]) -> CampaignOut:
        return CampaignOut.of(await campaign_operations.edit(staff, campaign_id, data.changes()))

    @delete("/{campaign_id:int}", summary="Delete a draft", status_code=204,
            description="Only a draft: a campaign that has started stays, as what was sent (409).",
            responses=refusals(400, 403, 404, 409))
    async def remove(self, staff: NamedDependency[Staff], campaign_id: RowId) -> None:
        await campaign_operations.delete(staff, campaign_id)

    @post("/{campaign_id:int}/duplicate", summary="A new draft with the same content, lists, purpose and template",
          status_code=201, responses=refusals(400, 403, 404, 409))
    async def duplicate(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await campaign_operations.duplicate(staff, campaign_id))

    @get("/{campaign_id:int}/audience", summary="Who would receive it if it started now: by list, by language, "
         "and who is skipped and why, counted without writing anything", responses=refusals(400, 403, 404))
    async def audience(self, staff: NamedDependency[Staff], campaign_id: RowId) -> AudienceOut:
        _, summary = await campaign_operations.audience(staff, campaign_id)
        return AudienceOut.of(summary)

    @get("/{campaign_id:int}", summary="A campaign with its counts per delivery state",
         responses=refusals(400, 403, 404))
    async def status(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignStatusOut:
        return CampaignStatusOut.of(*await campaign_operations.progress(staff, campaign_id))

    @get("/{campaign_id:int}/preview", summary="The message as a contact (or a sample recipient) gets it",
         responses=refusals(400, 403, 404))
    async def preview(self, staff: NamedDependency[Staff], campaign_id: RowId,
                      to: OptionalQueryEmail = None) -> PreviewOut:
        message = message_from_bytes(await sending_desk.preview(staff, campaign_id, to), policy=policy.default)
        text, html = cast(list[EmailMessage], message.get_payload())  # multipart/alternative, read with policy.default
        return PreviewOut(subject=str(message["Subject"]), text=text.get_content(), html=html.get_content(),
                          headers={name: str(message[name]) for name in PREVIEW_HEADERS if message[name]})

    @get("/{campaign_id:int}/preview.eml", summary="The whole message as sent (MIME)",
         media_type="message/rfc822", responses=refusals(400, 403, 404))
    async def preview_raw(self, staff: NamedDependency[Staff], campaign_id: RowId,
                          to: OptionalQueryEmail = None) -> Response[bytes]:
        return Response(await sending_desk.preview(staff, campaign_id, to), media_type="message/rfc822")

    @post("/{campaign_id:int}/test", summary="Send [TEST] messages, outside the ledger", status_code=202,
          description="`to`: one or several addresses, separated by commas or line breaks (at most 20), each "
          "checked before anything is sent. Each gets every language version the campaign has.",
          responses=refusals(400, 403, 404))
    async def test(self, staff: NamedDependency[Staff], campaign_id: RowId,
                   data: StrictJSONBody[TestSendIn]) -> dict[str, list[str]]:
        return {"sent_to": await sending_desk.send_test(staff, campaign_id, data.to)}

    @post("/{campaign_id:int}/send", summary="Start or resume sending", status_code=202,
          description="A draft that lacks a language, whose audience holds people speaking it, is refused "
          "(400, field missing_language) until missing_language is set. `confirm_count`: the `receiving` count "
          "of GET …/audience that the caller confirms; a draft whose audience changed since is refused (409). A "
          "draft that needs approval and lacks it is refused (409, `approval_required`), and so is a scheduled one.",
          responses=refusals(400, 403, 404, 409))
    async def send(self, staff: NamedDependency[Staff], campaign_id: RowId,
                   confirm_count: ConfirmCount = None) -> CampaignStatusOut:
        await sending_desk.start(staff, campaign_id, confirm_count)
        return CampaignStatusOut.of(*await campaign_operations.progress(staff, campaign_id))

    @post("/{campaign_id:int}/approve", summary="Approve a draft's present content (another staff member than "
          "its author, holding the approve permission)", status_code=200,
          description="Refused with a 403 for the author (`own_approval`) or without the approve permission "
          "(`forbidden`), with a 409 for a campaign that is not a draft. A later change of its content withdraws "
          "the approval.", responses=refusals(400, 403, 404, 409))
    async def approve(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await schedule_operations.approve(staff, campaign_id))

    @post("/{campaign_id:int}/schedule", summary="Schedule a draft (or move a scheduled campaign) to start by itself",
          status_code=200, description="`at`: a moment to come, in Paris time unless it has an offset. Refused with "
          "a 400 naming `at` when badly written or past, a 409 (`approval_required`) before approval when the "
          "campaign needs one, a 409 for a campaign that started. Answers the audience as counted now.",
          responses=refusals(400, 403, 404, 409))
    async def schedule(self, staff: NamedDependency[Staff], campaign_id: RowId,
                       data: StrictJSONBody[ScheduleIn]) -> ScheduleOut:
        campaign, found = await schedule_operations.schedule(staff, campaign_id, data.at)
        return ScheduleOut(campaign=CampaignOut.of(campaign), audience=AudienceOut.of(found))

    @post("/{campaign_id:int}/unschedule", summary="Take a scheduled campaign back to draft", status_code=200,
          responses=refusals(400, 403, 404, 409))
    async def unschedule(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await schedule_operations.unschedule(staff, campaign_id))

    @post("/{campaign_id:int}/pause", summary="Stop after the messages in flight; send resumes", status_code=200,
          responses=refusals(400, 403, 404, 409))
    async def pause(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await campaign_operations.change_status(staff, campaign_id, "pause"))

    @post("/{campaign_id:int}/cancel", summary="Stop for good", status_code=200,
          responses=refusals(400, 403, 404, 409))
    async def cancel(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await campaign_operations.change_status(staff, campaign_id, "cancel"))

    @post("/{campaign_id:int}/withdraw-from-archive", summary="Take it out of the public archive, for good",
          status_code=200, description="Its archive page then answers 410, and it leaves the feeds. A campaign not "
          "marked for the archive, or withdrawn already, is refused (409). Audited as campaign.archive_withdraw.",
          responses=refusals(400, 403, 404, 409))
    async def withdraw_from_archive(self, staff: NamedDependency[Staff], campaign_id: RowId) -> CampaignOut:
        return CampaignOut.of(await archive.withdraw_as(staff, campaign_id))
