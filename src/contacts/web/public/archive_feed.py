"""The public archive's Atom feeds (RFC 4287), made by feedgen: one per language, chosen by `?lang=`.

A feed URL always gives the same feed (French without `?lang=`), whatever the reader's Accept-Language:
feed readers rarely send one, and a subscription must not change language. A feed holds the issues that
have a version in its language, titled in it. Ids are tag URIs (RFC 4151) built from the site's host, a
fixed date and the campaign's id and language: they stay the same however often the feed is read, and
the same issue has the same id in the whole archive's feed and in its list's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from feedgen.feed import FeedGenerator

from contacts.i18n import N_, gettext
from contacts.services.campaigns.core import CampaignInfo
from contacts.typography import french

MEDIA_TYPE = "application/atom+xml"
TAG_DATE = "2026-12-06"  # when the archive began: part of every id, so never changed
ENTRIES = 50  # the newest issues: a reader that follows the feed has the older ones already


def tag(base_url: str, path: str) -> str:
    return f"tag:{urlsplit(base_url).hostname or 'localhost'},{TAG_DATE}:{path}"


def atom(*, base_url: str, language: str, title: str, page_path: str, feed_path: str, id_path: str,
         issues: list[CampaignInfo], issue_path, organisation: str) -> bytes:
    """The feed of these issues (newest first) in `language`. `issue_path(issue)`: where an issue's page is."""
    feed = FeedGenerator()
    feed.id(tag(base_url, f"{id_path}/{language}"))
    feed.title(_typeset(title, language))
    feed.author({"name": organisation})
    feed.language(language)
    feed.link(href=f"{base_url}{feed_path}?lang={language}", rel="self", type=MEDIA_TYPE)
    feed.link(href=f"{base_url}{page_path}?lang={language}", rel="alternate", type="text/html", hreflang=language)
    shown = [issue for issue in issues if language in issue.contents][:ENTRIES]
    moments = [issue.finished_at for issue in shown if issue.finished_at is not None]
    # An empty feed still says when: the start of the archive, a fixed moment, so that it never seems to change.
    feed.updated(max(moments) if moments else datetime.fromisoformat(f"{TAG_DATE}T00:00:00+00:00"))
    for issue in shown:
        content = issue.contents[language]
        entry = feed.add_entry(order="append")
        entry.id(tag(base_url, f"archive/campaign-{issue.id}/{language}"))
        entry.title(_typeset(content.subject, language))
        entry.link(href=f"{base_url}{issue_path(issue)}?lang={language}", rel="alternate", type="text/html")
        published = issue.finished_at or datetime.now(UTC)
        entry.published(published)
        entry.updated(published)
        if content.preheader:
            entry.summary(_typeset(content.preheader, language))
    return feed.atom_str(pretty=True)


def feed_title(language: str, organisation: str, list_name: str | None = None) -> str:
    if list_name is None:
        return gettext(language, N_("%(organisation)s: newsletter archive"), organisation=organisation)
    return gettext(language, N_("%(list)s: archive"), list=list_name)


def _typeset(text: str, language: str) -> str:
    return french(text) if language == "fr" else text
