"""Link clicks counted in aggregate (REQ-48, REQ-47): `/l/TOKEN` answers a redirect to a link of the campaign
and adds one to the count of (campaign, language, link, hour). Nothing else is kept: no address, contact,
delivery, IP address or user agent, in a table or a log.

Mail scanners: security gateways fetch every link of a message within seconds of delivery, and would count
as readers. A request is counted apart, as a scanner's, when
  - its method is HEAD (a browser following a link asks with GET; link checkers and gateways often ask HEAD),
  - its User-Agent is missing, or names a known scanner or an HTTP library (`SCANNER_AGENTS`).
The user agent is read, never kept. Gateways that pose as a browser (Microsoft Defender's Safe Links often
does) cannot be told from a person without keeping something about the request, so they count as clicks:
the figures are an upper bound, said so on the report.

Counts wait in memory for at most `FLUSH_SECONDS`, then one transaction adds them to `link_click` (an UPSERT
per (campaign, language, link, hour), so several processes add up). Stopping the server (SIGTERM) writes
what is waiting; a crash loses at most that second of counts, and never anything about a person.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.mail.click_links import campaign_links, open_click_token
from contacts.settings import Settings
from contacts.tables import Campaign, LinkClick
from contacts.tokens import codec_for

log = logging.getLogger(__name__)

FLUSH_SECONDS = 1.0
CAMPAIGN_CACHE_SECONDS = 10.0  # how long a campaign's links and switch are trusted before they are read again
# Lowercase parts of the User-Agent of mail security gateways, link scanners and HTTP libraries.
SCANNER_AGENTS = (
    "barracuda", "mimecast", "proofpoint", "ironport", "cisco", "fireeye", "trellix", "forcepoint", "symantec",
    "messagelabs", "trend micro", "trendmicro", "sophos", "zscaler", "hornet", "vade", "spamtitan", "mailguard",
    "safelinks", "safe links", "urldefense", "linkscanner", "scanner", "checkpoint", "check point", "bitdefender",
    "kaspersky", "eset", "avast", "google-safety", "googleimageproxy", "yahoomailproxy", "bot", "crawler", "spider",
    "preview", "curl/", "wget/", "python-requests", "python-urllib", "aiohttp", "httpx", "go-http-client", "java/",
    "okhttp", "libwww", "apache-httpclient", "node-fetch", "axios", "headlesschrome", "phantomjs",
)
_Slot = tuple[int, str, str, datetime]  # campaign, language, link digest, hour


def is_scanner(method: str, user_agent: str | None) -> bool:
    """The heuristic above: HEAD, no user agent, or a known scanner's or library's."""
    agent = (user_agent or "").strip().lower()
    return method.upper() == "HEAD" or not agent or any(part in agent for part in SCANNER_AGENTS)


@dataclass
class _Counts:
    url: str
    clicks: int = 0
    scanner_fetches: int = 0


@dataclass(frozen=True)
class _CampaignLinks:
    counting: bool
    links: dict[str, dict[str, str]]  # language -> digest -> link
    read_at: float


class ClickCounter:
    """One per app: the counts waiting to be written, and the campaigns' links lately read."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.codec = codec_for(settings.secret_keys)
        self._waiting: dict[_Slot, _Counts] = {}
        self._campaigns: dict[int, _CampaignLinks | None] = {}
        self._reading: dict[int, asyncio.Lock] = {}
        self._writing = asyncio.Lock()

    async def follow(self, token_text: str, method: str, user_agent: str | None) -> str | None:
        """The link a genuine token of an existing campaign names, counted; None for anything else."""
        followed = open_click_token(self.codec, token_text)
        if followed is None:
            return None
        campaign = await self._links_of(followed.campaign_id)
        url = campaign.links.get(followed.language, {}).get(followed.link_key) if campaign else None
        if campaign is None or url is None:
            return None
        if campaign.counting:
            hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
            counts = self._waiting.setdefault((followed.campaign_id, followed.language, followed.link_key, hour),
                                              _Counts(url))
            if is_scanner(method, user_agent):
                counts.scanner_fetches += 1
            else:
                counts.clicks += 1
        return url

    async def _links_of(self, campaign_id: int) -> _CampaignLinks | None:
        cached = self._campaigns.get(campaign_id)
        if cached is not None and time.monotonic() - cached.read_at < CAMPAIGN_CACHE_SECONDS:
            return cached
        async with self._reading.setdefault(campaign_id, asyncio.Lock()):  # a burst reads the campaign once
            cached = self._campaigns.get(campaign_id)
            if cached is not None and time.monotonic() - cached.read_at < CAMPAIGN_CACHE_SECONDS:
                return cached
            row = await Campaign.select(Campaign.body_fr, Campaign.body_en, Campaign.subject_fr, Campaign.subject_en,
                                        Campaign.count_clicks).where(Campaign.id == campaign_id).first()
            if row is None:
                self._campaigns.pop(campaign_id, None)
                return None
            links = {language: campaign_links(row[f"body_{language}"], language, self.settings.base_url)
                     for language in ("fr", "en") if row[f"subject_{language}"]}
            found = _CampaignLinks(bool(row["count_clicks"]), links, time.monotonic())
            self._campaigns[campaign_id] = found
            return found

    async def flush(self) -> int:
        """Add the waiting counts to the table; how many rows were written. On failure they wait on."""
        async with self._writing:
            waiting, self._waiting = self._waiting, {}
            if not waiting:
                return 0
            try:
                await write(waiting)
            except BaseException:
                for slot, counts in waiting.items():  # back, with what arrived meanwhile
                    now = self._waiting.setdefault(slot, _Counts(counts.url))
                    now.clicks += counts.clicks
                    now.scanner_fetches += counts.scanner_fetches
                raise
            return len(waiting)


_UPSERT = (
    "INSERT INTO link_click (campaign, language, link_key, url, hour, clicks, scanner_fetches) "
    "SELECT {}, {}, {}, {}, {}, {}, {} WHERE EXISTS (SELECT 1 FROM campaign WHERE id = {}) "
    "ON CONFLICT (campaign, language, link_key, hour) DO UPDATE SET "
    "clicks = link_click.clicks + excluded.clicks, "
    "scanner_fetches = link_click.scanner_fetches + excluded.scanner_fetches"
)


async def write(waiting: dict[_Slot, _Counts]) -> None:
    """One transaction; a campaign deleted meanwhile takes its counts along."""
    async with write_transaction():
        for (campaign_id, language, key, hour), counts in waiting.items():
            await LinkClick.raw(_UPSERT, campaign_id, language, key, counts.url, hour, counts.clicks,
                                counts.scanner_fetches, campaign_id)


_counters: dict[int, ClickCounter] = {}


@contextlib.asynccontextmanager
async def running_counter(settings: Settings) -> AsyncIterator[ClickCounter]:
    """For the app's life: counts written every FLUSH_SECONDS, and what waits written when it stops."""
    counter = ClickCounter(settings)
    loop = id(asyncio.get_running_loop())
    _counters[loop] = counter

    async def keep_writing() -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            try:
                await counter.flush()
            except Exception as error:  # noqa: BLE001 - whatever failed, the counts wait for the next turn
                log.warning("link clicks could not be written yet: %s", error)

    task = asyncio.create_task(keep_writing())
    try:
        yield counter
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        _counters.pop(loop, None)
        await counter.flush()


def running() -> ClickCounter:
    """The counter of the app running on this event loop."""
    counter = _counters.get(id(asyncio.get_running_loop()))
    if counter is None:
        raise RuntimeError("no click counter runs on this event loop: the app's lifespan starts one")
    return counter


async def flush() -> int:
    """Write what the running app's counter holds now (for tests, and whoever cannot wait a second)."""
    counter = _counters.get(id(asyncio.get_running_loop()))
    return await counter.flush() if counter else 0
