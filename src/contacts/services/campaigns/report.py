"""A campaign's report (issue 24): who it was for and what became of its messages, the opt-outs that came
through its own links, and its links' clicks, counted in aggregate (REQ-48), over time since sending.

Every figure is a count and, where it means something, a rate: the audience's parts against the audience,
what came back and the opt-outs against the messages sent. Counts below 5 are shown: no person stands behind
a click count, and an opt-out count is one that staff can already read on the consent ledger.

An unsubscribe or an objection "through this campaign" is one whose link the campaign's message carried:
the token names the campaign, and the consent ledger's event records it (`details.campaign`), as it did
before clicks were counted. Nothing new is tied to a person here; counting reads the ledger.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from contacts import csv_files
from contacts.db.engine import engine, write_transaction
from contacts.domain import DeliveryStatus, EventAction, Permission
from contacts.errors import PermissionDeniedError
from contacts.i18n import N_, gettext
from contacts.services import audit
from contacts.services.campaigns import campaign_operations
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.staff.accounts import Staff
from contacts.tables import Campaign, Delivery, LinkClick
from contacts.words import code_word

HOURLY_UP_TO = timedelta(hours=72)  # beyond, clicks over time are shown by day


@dataclass(frozen=True)
class Figure:
    name: str  # a stable code: sent, hard_bounces, skipped:suppressed, …
    count: int
    rate: float | None  # 0 to 1, of `base`; None when the base is 0
    base: str  # what the rate is of: audience or sent


@dataclass(frozen=True)
class LinkFigures:
    language: str
    url: str
    clicks: int
    scanner_fetches: int


@dataclass(frozen=True)
class Moment:
    """Clicks within one hour (or one day) since sending."""

    starts_at: datetime
    clicks: dict[str, int]  # by language
    scanner_fetches: int


@dataclass(frozen=True)
class CampaignReport:
    campaign_id: int
    subject: str
    status: str
    counting_clicks: bool
    audience: int
    figures: list[Figure]
    sent_at: datetime | None  # the first message's
    last_sent_at: datetime | None
    duration_seconds: float | None  # from the first message to the last
    links: list[LinkFigures] = field(default_factory=list)
    clicks_by_language: dict[str, int] = field(default_factory=dict)
    scanner_fetches_by_language: dict[str, int] = field(default_factory=dict)
    over_time: list[Moment] = field(default_factory=list)
    over_time_unit: str = "hour"  # or day

    def figure(self, name: str) -> Figure | None:
        return next((item for item in self.figures if item.name == name), None)

    @property
    def clicks(self) -> int:
        return sum(self.clicks_by_language.values())

    @property
    def scanner_fetches(self) -> int:
        return sum(self.scanner_fetches_by_language.values())


async def for_staff(staff: Staff, campaign_id: int) -> CampaignReport:
    campaign = await campaign_operations.campaign_for(staff, campaign_id)
    return await report(campaign)


async def report(campaign: CampaignInfo) -> CampaignReport:
    progress = await campaigns.progress(campaign.id)
    audience = progress.total
    sent = progress.by_status.get(DeliveryStatus.SENT, 0)
    unsubscribes, objections = await _opt_outs(campaign)

    def of(name: str, count: int, base: str) -> Figure:
        whole = audience if base == "audience" else sent
        return Figure(name, count, count / whole if whole else None, base)

    figures = [of("audience", audience, "audience")]
    figures += [of(f"skipped:{reason}", count, "audience") for reason, count in sorted(progress.skipped_by_reason.items())]
    figures += [of(name, progress.by_status.get(status, 0), "audience") for name, status in (
        ("queued", DeliveryStatus.QUEUED), ("sending", DeliveryStatus.SENDING), ("skipped", DeliveryStatus.SKIPPED),
        ("sent", DeliveryStatus.SENT), ("failed", DeliveryStatus.FAILED))]
    figures += [of("hard_bounces", progress.hard_bounces, "sent"), of("soft_bounces", progress.soft_bounces, "sent"),
                of("complaints", progress.complaints, "sent"), of("unsubscribes", unsubscribes, "sent"),
                of("objections", objections, "sent")]
    times = (await Delivery.raw("SELECT MIN(sent_at) AS first, MAX(sent_at) AS last FROM delivery "
                                "WHERE campaign = {} AND status = 'sent'", campaign.id))[0]
    first, last = _moment(times["first"]), _moment(times["last"])
    result = CampaignReport(
        campaign_id=campaign.id, subject=campaign.subject, status=campaign.status.value,
        counting_clicks=campaign.count_clicks, audience=audience, figures=figures, sent_at=first, last_sent_at=last,
        duration_seconds=(last - first).total_seconds() if first and last else None)
    await _clicks(result, first or campaign.started_at)
    return result


async def _opt_outs(campaign: CampaignInfo) -> tuple[int, int]:
    """People who unsubscribed, and who objected, through this campaign's links (the ledger's events)."""
    named = ("CAST(json_extract(details, '$.campaign') AS INTEGER)" if engine().engine_type == "sqlite"
             else "CAST(details::jsonb ->> 'campaign' AS INTEGER)")
    since = campaign.started_at or campaign.created_at
    rows = await Delivery.raw(
        f"SELECT action, COUNT(DISTINCT contact) AS n FROM consent_event WHERE action IN ({{}}, {{}}) "
        f"AND occurred_at >= {{}} AND {named} = {{}} GROUP BY action",
        EventAction.UNSUBSCRIBED.value, EventAction.OBJECTED.value, since, campaign.id)
    found = {row["action"]: int(row["n"]) for row in rows}
    return found.get(EventAction.UNSUBSCRIBED.value, 0), found.get(EventAction.OBJECTED.value, 0)


async def _clicks(result: CampaignReport, since: datetime | None) -> None:
    rows = await LinkClick.select(LinkClick.language, LinkClick.url, LinkClick.hour, LinkClick.clicks,
                                  LinkClick.scanner_fetches).where(LinkClick.campaign == result.campaign_id)
    links: dict[tuple[str, str], list[int]] = {}
    for row in rows:
        counts = links.setdefault((row["language"], row["url"]), [0, 0])
        counts[0] += row["clicks"]
        counts[1] += row["scanner_fetches"]
        result.clicks_by_language[row["language"]] = result.clicks_by_language.get(row["language"], 0) + row["clicks"]
        result.scanner_fetches_by_language[row["language"]] = \
            result.scanner_fetches_by_language.get(row["language"], 0) + row["scanner_fetches"]
    result.links.extend(sorted((LinkFigures(language, url, counts[0], counts[1])
                                for (language, url), counts in links.items()),
                               key=lambda item: (-item.clicks, item.language, item.url)))
    if not rows:
        return
    hours = [_at(row["hour"]) for row in rows]
    start = min([*hours, *([since] if since else [])]).replace(minute=0, second=0, microsecond=0)
    end = max(hours)
    daily = end - start > HOURLY_UP_TO
    step = timedelta(days=1) if daily else timedelta(hours=1)
    if daily:
        start = start.replace(hour=0)
    buckets: dict[datetime, tuple[dict[str, int], list[int]]] = {}
    moment = start
    while moment <= end:  # every hour (or day), those without clicks too: a chart's gaps are figures
        buckets[moment] = ({}, [0])
        moment += step
    for row, hour in zip(rows, hours, strict=True):
        key = start + step * ((hour - start) // step)
        by_language, scanners = buckets[key]
        by_language[row["language"]] = by_language.get(row["language"], 0) + row["clicks"]
        scanners[0] += row["scanner_fetches"]
    result.over_time.extend(Moment(at, by_language, scanners[0]) for at, (by_language, scanners) in buckets.items())
    object.__setattr__(result, "over_time_unit", "day" if daily else "hour")


def _at(value: datetime | str) -> datetime:
    moment = _moment(value)
    assert moment is not None
    return moment


def _moment(value: datetime | str | None) -> datetime | None:
    """A timestamp as PostgreSQL gives it, or as SQLite's raw query does (text)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(value)


async def last_campaigns(staff: Staff, count: int = 5) -> list[CampaignReport]:
    """The reports of the last campaigns sent (or being sent) that this account may see, oldest first."""
    staff.require(Permission.VIEW)
    found = []
    for row in await Campaign.select(Campaign.id).where(Campaign.started_at.is_not_null()).order_by(
            Campaign.started_at, ascending=False).limit(count * 4):
        try:
            found.append(await for_staff(staff, row["id"]))
        except PermissionDeniedError:
            continue
        if len(found) == count:
            break
    return found[::-1]


# --- the report as CSV ---
FIGURE_WORDS = {
    "audience": N_("audience"), "queued": N_("queued"), "sending": N_("sending"), "skipped": N_("skipped"),
    "sent": N_("messages sent"), "failed": N_("messages that failed"), "hard_bounces": N_("hard bounces"),
    "soft_bounces": N_("soft bounces"), "complaints": N_("complaints"),
    "unsubscribes": N_("unsubscribes through this campaign"), "objections": N_("objections through this campaign"),
}


def figure_words(language: str, name: str) -> str:
    """A figure's name in the language: `skipped:suppressed` as "skipped (suppressed)"."""
    if name.startswith("skipped:"):
        return gettext(language, N_("skipped (%(reason)s)"), reason=code_word(name.split(":", 1)[1], language))
    return gettext(language, FIGURE_WORDS[name])


def as_csv(result: CampaignReport, language: str) -> str:
    """Sections of rows, in the staff member's language: `;` between cells for French spreadsheets, `,` for
    English ones; rates as percentages with the language's decimal mark."""
    delimiter, decimal = (";", ",") if language == "fr" else (",", ".")
    out = io.StringIO()
    rows = csv_files.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)

    def say(text: str) -> str:
        return gettext(language, text)

    def percent(rate: float | None) -> str:
        return "" if rate is None else f"{rate * 100:.2f}".replace(".", decimal)

    rows.writerow([say(N_("Figure")), say(N_("Count")), say(N_("Rate (%)")), say(N_("Rate of"))])
    for item in result.figures:
        rows.writerow([figure_words(language, item.name), item.count, percent(item.rate),
                       say(N_("audience")) if item.base == "audience" else say(N_("sent"))])
    rows.writerow([say(N_("first message sent at (UTC)")), result.sent_at.isoformat() if result.sent_at else "", "", ""])
    rows.writerow([say(N_("sending took (seconds)")),
                   "" if result.duration_seconds is None else round(result.duration_seconds), "", ""])
    rows.writerow([])
    rows.writerow([say(N_("Language")), say(N_("Link")), say(N_("Clicks")), say(N_("Mail scanners"))])
    for link in result.links:
        rows.writerow([link.language, link.url, link.clicks, link.scanner_fetches])
    rows.writerow([])
    rows.writerow([say(N_("Starting at (UTC)")), *(f"{say(N_('Clicks'))} {code}" for code in ("fr", "en")),
                   say(N_("Mail scanners"))])
    for moment in result.over_time:
        rows.writerow([moment.starts_at.isoformat(), moment.clicks.get("fr", 0), moment.clicks.get("en", 0),
                       moment.scanner_fetches])
    return out.getvalue()


# --- the switch ---
async def set_counting(staff: Staff, campaign_id: int, on: bool) -> CampaignInfo:
    """Turn link counting on or off (REQ-48). Messages sent before keep their links, which still lead where
    they did; while it is off they count nothing."""
    campaign = await campaign_operations.campaign_for(staff, campaign_id, Permission.SEND)
    async with write_transaction():
        await Campaign.update({Campaign.count_clicks: on}).where(Campaign.id == campaign.id)
    await audit.record(staff, "campaign.clicks_on" if on else "campaign.clicks_off", "campaign", campaign.id,
                       purpose=campaign.purpose.code)
    return await campaigns.get(campaign.id)
