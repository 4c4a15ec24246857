"""The public copy of a campaign's message, for its "view in your browser" link (issue 20, item 8).

The page is the campaign's HTML part, rendered by the mail's own path (the template library and the
composer's variant context), with each recipient's value neutral: the anonymous greeting, nobody's links
(a sentence says they are in the message received), nothing about why someone receives it. So it shows
what the mail shows, and nothing about the person beyond what the link's holder already has.

Reading changes nothing. Each (campaign, language) is rendered once and kept in a small in-process LRU
cache; the entry's key holds a fingerprint of the campaign's row, so an edited draft is rendered again
and a deleted campaign is never shown: one query per view, which a burst of views shares nothing else.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import OrderedDict

from contacts.errors import NotFoundError
from contacts.mail.render import TemplateLibrary, as_format, filled_once, has_markers
from contacts.sending.compose import Composer
from contacts.sending.view_links import ViewedContent, open_view_token
from contacts.services.campaigns import core as campaigns
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
        html = self._pages.get(key)
        if html is None:
            async with self._rendering:
                html = self._pages.get(key) or await self._render(viewed)
                if html is None:
                    return None
                self._pages[key] = html
                while len(self._pages) > self.size:
                    self._pages.popitem(last=False)
        self._pages.move_to_end(key)
        return viewed.language, html

    async def _render(self, viewed: ViewedContent) -> str | None:
        try:
            campaign = await campaigns.get(viewed.campaign_id)
        except NotFoundError:  # deleted meanwhile
            return None
        if not campaign.lists:
            return None
        composer = Composer(campaign, self.settings, self.library)
        parts = self.library.render(campaign.template, composer.browser_view_context(viewed.language))
        parts = filled_once(parts, composer.browser_view_values(viewed.language))
        self.renders += 1
        html = parts.html
        if has_markers(html):  # a layout that asks for a value this page leaves out: nothing, never a marker
            html = as_format(html).format_map(_Nothing())
        return html


class _Nothing(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _fingerprint(row: dict) -> str:
    """Every column of the campaign's row: whatever a later column adds to the content, an edit shows."""
    return hashlib.sha256(repr(sorted(row.items())).encode()).hexdigest()
