"""Staff pages for what campaigns and lists did (issue 24): the campaign report's charts (shown on the
campaign's page), its CSV, the link-counting switch, and the lists' and purposes' weekly trends. Each chart
is SVG drawn on the server (contacts.web.charts) beside a table of its figures."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import URLEncodedBody
from litestar.response import Redirect, Template
from markupsafe import Markup

from contacts.i18n import N_, PARIS, gettext
from contacts.services import trends
from contacts.services.campaigns import report as reports
from contacts.services.campaigns.report import CampaignReport
from contacts.services.staff.accounts import Staff
from contacts.web.api.schemas import PageNumber, RowId
from contacts.web.charts import Series, bars, columns
from contacts.web.downloads import csv_download
from contacts.web.staff.pages import render
from contacts.words import code_word

Form = URLEncodedBody[dict[str, str]]
LANGUAGES = ("fr", "en")


def _hour_label(moment: datetime, unit: str, language: str) -> str:
    local = moment.astimezone(PARIS)
    if unit == "day":
        return local.strftime("%d/%m")
    return local.strftime("%d/%m %Hh" if language == "fr" else "%d/%m %H:00")


def report_charts(found: CampaignReport, language: str) -> dict[str, Markup]:
    """The report's charts: clicks per link, and clicks per language over time since sending."""
    say = functools.partial(gettext, language)
    charts: dict[str, Markup] = {}
    if found.links:
        labels = [f"{link.language} · {link.url.split('://', 1)[-1]}" for link in found.links]
        charts["links"] = bars(
            say(N_("Clicks per link")), say(N_("People's clicks and mail scanners' fetches for each link, most followed first.")),
            labels, [Series(say(N_("clicks")), [link.clicks for link in found.links]),
                     Series(say(N_("mail scanners")), [link.scanner_fetches for link in found.links])], language=language)
    if found.over_time:
        labels = [_hour_label(moment.starts_at, found.over_time_unit, language) for moment in found.over_time]
        charts["over_time"] = columns(
            say(N_("Clicks over time")), say(N_("People's clicks in each hour since sending, per language."))
            if found.over_time_unit == "hour" else say(N_("People's clicks in each day since sending, per language.")),
            labels, [Series(code_word(code, language), [moment.clicks.get(code, 0) for moment in found.over_time])
                     for code in LANGUAGES], language=language)
    return charts


def report_context(found: CampaignReport, language: str) -> dict[str, Any]:
    """What the campaign page's report section needs."""
    return {"report": found, "charts": report_charts(found, language),
            "figure_words": lambda name: reports.figure_words(language, name)}


def side_by_side(found: list[CampaignReport], language: str) -> Markup | None:
    """The dashboard's last campaigns, their rates side by side."""
    if not found:
        return None
    say = functools.partial(gettext, language)
    names = [f"#{item.campaign_id} {item.subject[:30]}" for item in found]

    def rate(item: CampaignReport, name: str) -> float:
        figure = item.figure(name)
        return round((figure.rate or 0) * 100, 2) if figure else 0.0

    return bars(say(N_("The last campaigns, in per cent of messages sent")),
                say(N_("Unsubscribes, objections and bounces through each campaign, in per cent of its messages sent.")),
                names, [Series(say(N_("unsubscribes")), [rate(item, "unsubscribes") for item in found]),
                        Series(say(N_("objections")), [rate(item, "objections") for item in found]),
                        Series(say(N_("hard bounces")), [rate(item, "hard_bounces") for item in found])],
                language=language)


def trend_charts(trend: trends.Trend, language: str) -> dict[str, Markup]:
    say = functools.partial(gettext, language)
    name = trend.display_name(language)
    labels = [week.starts_on.strftime("%d/%m") for week in trend.weeks]
    return {
        "moves": columns(say(N_("Subscriptions gained and lost, %(name)s"), name=name),
                         say(N_("Subscriptions gained and lost each week.")), labels,
                         [Series(say(N_("gained")), [week.gained_total for week in trend.weeks]),
                          Series(say(N_("lost")), [week.lost_total for week in trend.weeks])], language=language),
        "size": columns(say(N_("Size, %(name)s"), name=name), say(N_("Active subscriptions at the end of each week.")),
                        labels, [Series(say(N_("size")), [week.size for week in trend.weeks])], language=language,
                        lines=True, height=200),
    }


class ReportPagesController(Controller):
    path = "/staff"

    @get("/campaigns/{campaign_id:int}/report.csv")
    async def report_csv(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Response:
        found = await reports.for_staff(staff, campaign_id)
        return csv_download(reports.as_csv(found, staff.language), f"campaign-{campaign_id}-report.csv")

    @post("/campaigns/{campaign_id:int}/clicks", status_code=303)
    async def counting(self, staff: NamedDependency[Staff], campaign_id: RowId, data: Form) -> Redirect:
        on = data.get("count_clicks") == "on"
        await reports.set_counting(staff, campaign_id, on)
        return Redirect(f"/staff/campaigns/{campaign_id}?notice={'counting-on' if on else 'counting-off'}",
                        status_code=303)

    @get("/trends")
    async def trends_page(self, request: Request, staff: NamedDependency[Staff], weeks: PageNumber = 12) -> Template:
        by_list, by_purpose = await trends.for_staff(staff, weeks)
        shown: list[dict[str, Any]] = [{"trend": trend, "charts": trend_charts(trend, staff.language)}
                                       for trend in [*by_purpose, *by_list]]
        language = staff.language
        return render(request, "trends.html", staff, trends=shown, weeks=weeks, gains=trends.GAINS,
                      losses=trends.LOSSES, gain_words=lambda name: gettext(language, trends.GAIN_WORDS[name]),
                      loss_words=lambda name: gettext(language, trends.LOSS_WORDS[name]))
