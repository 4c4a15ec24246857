"""The public copy of a campaign's message, for its "view in your browser" link (issue 20, item 8).

The page is the campaign's HTML part, rendered by the mail's own path (the template library and the
composer's variant context), with each recipient's value neutral: the anonymous greeting, nobody's links
(a sentence says they are in the message received), nothing about why someone receives it. So it shows
what the mail shows, and nothing about the person beyond what the link's holder already has.

Reading changes nothing. Each (campaign, language) is rendered once and kept in a small in-process LRU
cache; the entry's key holds a fingerprint of the campaign's row, so an edited draft is rendered again
and a deleted campaign is never shown: one query per view, which a burst of views shares nothing else.

The public archive (issue 23, item 5) shows the same rendering with less still: no greeting at all, no
preheader, no sentence about links (its page says how to subscribe), and no image but the media
library's, served from here (an image from elsewhere leaves its alt text). It is the body of that HTML,
which the archive's page frames with its own heading, landmarks and language.
"""

from __future__ import annotations

import asyncio
import hashlib
import html as html_module
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from contacts.errors import NotFoundError
from contacts.mail.render import TemplateLibrary, as_format, filled_once, has_markers
from contacts.sending.compose import Composer
from contacts.sending.view_links import ViewedContent, open_view_token
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.core import CampaignInfo
from contacts.settings import Settings
from contacts.tables import Campaign
from contacts.tokens import codec_for

CACHE_SIZE = 32  # (campaign, language) pages of some 40 KB each


class BrowserViews:
    """One per app: the rendered pages it has shown lately."""

    def __init__(self, settings: Settings, library: TemplateLibrary | None = None, size: int = CACHE_SIZE) -> None:
        self.settings = settings
        self.library = library or TemplateLibrary(settings.templates_dir)
        self.size = size
        self._pages: OrderedDict[tuple[int, str, str], str] = OrderedDict()
        self.media_prefix = f"{settings.base_url}/media/"
        self._rendering = asyncio.Lock()  # a burst of first views renders once
        self.renders = 0  # how many pages were rendered, for tests and curiosity

    async def page(self, token_text: str) -> tuple[str, str] | None:
        """The page's language and HTML for a genuine token of an existing campaign; None otherwise."""
        viewed = open_view_token(codec_for(self.settings.secret_keys), token_text)
        if viewed is None:
            return None
        row = await Campaign.select().where(Campaign.id == viewed.campaign_id).first()
        if row is None:
            return None
        key = (viewed.campaign_id, viewed.language, _fingerprint(row))
        html = await self._cached(key, lambda: self._render(viewed))
        return None if html is None else (viewed.language, html)

    async def archived(self, campaign: CampaignInfo, language: str) -> str:
        """The archive's copy of a published campaign's version in `language`: the body of its HTML. A
        finished campaign's content never changes, so its id and language are its key."""
        key = (campaign.id, campaign.shown_language(language), "archive")
        html = await self._cached(key, lambda: self._render_archived(campaign, key[1]))
        assert html is not None  # rendered from the campaign given
        return html

    async def _cached(self, key: tuple[int, str, str], render: Callable[[], Awaitable[str | None]]) -> str | None:
        html = self._pages.get(key)
        if html is None:
            async with self._rendering:
                html = self._pages.get(key) or await render()
                if html is None:
                    return None
                self._pages[key] = html
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        self._pages.move_to_end(key)
        return html

    async def _render(self, viewed: ViewedContent) -> str | None:
        try:
            campaign = await campaigns.get(viewed.campaign_id)
        except NotFoundError:  # deleted meanwhile
            return None
        if not campaign.lists:
            return None
        return self._generic(campaign, viewed.language)

    async def _render_archived(self, campaign: CampaignInfo, language: str) -> str:
        logo = self.library.layout["logo_url"]
        page = self._generic(campaign, language, {
            "greeting": None, "preheader": "", "archive": True,
            "logo_url": logo if _from_media_library(str(logo), self.media_prefix) else ""})
        return _media_images_only(_body_of(page), self.media_prefix)

    def _generic(self, campaign: CampaignInfo, language: str, overrides: dict[str, object] | None = None) -> str:
        """The campaign's HTML part for nobody in particular, with these context entries changed."""
        composer = Composer(campaign, self.settings, self.library)
        context = {**composer.browser_view_context(language), **(overrides or {})}
        parts = filled_once(self.library.render(campaign.template, context), composer.browser_view_values(language))
        self.renders += 1
        html = parts.html
        if has_markers(html):  # a layout that asks for a value this page leaves out: nothing, never a marker
            html = as_format(html).format_map(_Nothing())
        return html


class _Nothing(dict):
    def __missing__(self, key: str) -> str:
        return ""


_BODY = re.compile(r"<body\b[^>]*>(.*)</body>", re.DOTALL | re.IGNORECASE)
_IMAGE = re.compile(r"""<img\b(?:"[^"]*"|'[^']*'|[^'">])*>""", re.IGNORECASE)
_ATTRIBUTE = r"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)')"""
_MEDIA_NAME = re.compile(r"[0-9a-f]{32}-\d+x\d+\.(?:jpg|png)")


def _body_of(page: str) -> str:
    found = _BODY.search(page)
    return found.group(1).strip() if found else page


def _from_media_library(url: str, prefix: str) -> bool:
    return url.startswith(prefix) and _MEDIA_NAME.fullmatch(url.removeprefix(prefix)) is not None


def _media_images_only(markup: str, prefix: str) -> str:
    """Each image not served by the media library (an address elsewhere, which the archive's page would
    load from there) becomes its alt text."""
    def keep_or_describe(found: re.Match[str]) -> str:
        src = _attribute(found.group(0), "src")
        if _from_media_library(html_module.unescape(src), prefix):
            return found.group(0)
        return f'<span class="image-left-out">{_attribute(found.group(0), "alt")}</span>'
    return _IMAGE.sub(keep_or_describe, markup)


def _attribute(tag: str, name: str) -> str:
    """An attribute's value as written (still escaped), or ""."""
    found = re.search(_ATTRIBUTE.format(name=name), tag, re.IGNORECASE)
    return next((value for value in found.groups() if value is not None), "") if found else ""


def _fingerprint(row: dict) -> str:
    """Every column of the campaign's row: whatever a later column adds to the content, an edit shows."""
    return hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()
