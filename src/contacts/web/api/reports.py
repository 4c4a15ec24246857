"""The JSON API for what campaigns and lists did (issue 24): a campaign's report, as JSON or CSV, its
link-counting switch, and the lists' and purposes' weekly trends."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, put
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from msgspec import Struct

from contacts import csv_files
from contacts.services import trends
from contacts.services.campaigns import report as reports
from contacts.services.staff.accounts import Staff
from contacts.web.api.responses import refusals
from contacts.web.api.schemas import RowId, StrictJSONBody
from contacts.web.downloads import csv_download

Weeks = Annotated[int, QueryParameter(ge=1, le=trends.WEEKS_LIMIT)]


class CountingIn(Struct, forbid_unknown_fields=True):
    count_clicks: bool


class CountingOut(Struct):
    id: int
    count_clicks: bool


class CampaignReportController(Controller):
    path = "/api/campaigns"
    tags = ("campaigns",)

    @get("/{campaign_id:int}/report", summary="What became of a campaign: audience and skipped by reason, sent, "
         "failed, bounces, complaints, unsubscribes and objections through its links, each as a count and a rate; "
         "its links' clicks (in aggregate) per link, per language and over time; when it was sent and for how long",
         responses=refusals(400, 403, 404))
    async def report(self, staff: NamedDependency[Staff], campaign_id: RowId) -> reports.CampaignReport:
        return await reports.for_staff(staff, campaign_id)

    @get("/{campaign_id:int}/report.csv", summary="The report as CSV in the caller's language: a byte-order mark, "
         "`;` between cells in French and `,` in English", media_type=csv_files.MEDIA_TYPE,
         responses=refusals(400, 403, 404))
    async def report_csv(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Response[str]:
        found = await reports.for_staff(staff, campaign_id)
        return csv_download(reports.as_csv(found, staff.language), f"campaign-{campaign_id}-report.csv")

    @put("/{campaign_id:int}/clicks", summary="Turn link counting on or off (links then go straight to their "
         "targets in messages sent from then on)", responses=refusals(400, 403, 404))
    async def counting(self, staff: NamedDependency[Staff], campaign_id: RowId,
                       data: StrictJSONBody[CountingIn]) -> CountingOut:
        campaign = await reports.set_counting(staff, campaign_id, data.count_clicks)
        return CountingOut(id=campaign.id, count_clicks=campaign.count_clicks)


class TrendsController(Controller):
    path = "/api/trends"
    tags = ("lists",)

    @get("/", summary="Per list and per purpose, by week: subscriptions gained by channel, lost by cause, and "
         "the size at each week's end", responses=refusals(400))
    async def index(self, staff: NamedDependency[Staff], weeks: Weeks = 12) -> dict[str, list[trends.Trend]]:
        by_list, by_purpose = await trends.for_staff(staff, weeks)
        return {"lists": by_list, "purposes": by_purpose}
