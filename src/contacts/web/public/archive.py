"""`/archive/`: the public archive of newsletters (issue 23, item 5), every list's and each list's, with their
Atom feeds (contacts.web.public.archive_feed) and each issue's page.

These pages follow the recipients' pages' rules (no cookie, nothing loaded from elsewhere, French and English
by `?lang=` or Accept-Language, a page for every refusal) but carry no token: they may be cached a few
minutes and indexed. An issue's page frames the campaign's generic version (sending.browser_view), whose
inline styles its policy allows as attributes only; a withdrawn issue answers 410.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from litestar import Controller, MediaType, Request, Response
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.openapi import ResponseSpec
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from contacts.domain import AudienceKind
from contacts.sending.browser_view import BrowserViews
from contacts.services.campaigns import archive
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.catalogue import ListInfo
from contacts.settings import Settings
from contacts.web.api.schemas import RowId
from contacts.web.public import archive_feed
from contacts.web.public.pages import LANGUAGES, page, page_language, render

PATH = "/archive"
# The public pages' policy, with the style attributes of a message's HTML (CSP 3; older browsers drop them).
ARCHIVE_POLICY = ("default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; "
                  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'")


WITHDRAWN = ResponseSpec(data_container=str, media_type=MediaType.HTML, generate_examples=False,
                         description="A page saying that this newsletter was withdrawn from the archive")


@dataclass(frozen=True)
class ShownIssue:
    """An issue as a list shows it: in the page's language when it has that version, else in its own."""

    url: str
    title: str
    language: str
    published_at: datetime | None


def shown(issue: CampaignInfo, language: str, mailing_list: ListInfo | None = None) -> ShownIssue:
    version = language if language in issue.contents else issue.shown_language(language)
    home = mailing_list or archive.public_lists(issue)[0]
    return ShownIssue(issue_path(issue, home), issue.contents[version].subject, version, issue.finished_at)


def issue_path(issue: CampaignInfo, mailing_list: ListInfo | None = None) -> str:
    return f"{PATH}/{(mailing_list or archive.public_lists(issue)[0]).slug}/{issue.id}"


def signup_path(mailing_list: ListInfo) -> str | None:
    """The list's public signup form, when it has one (consent.signup_form's lists)."""
    if mailing_list.audience_kind == AudienceKind.PUBLIC and mailing_list.double_opt_in:
        return f"/subscribe/{mailing_list.slug}"
    return None


def feeds(path: str) -> list[dict[str, str]]:
    """The feed of a page in each language, for its `<link rel="alternate">` and its link."""
    return [{"href": f"{path}/feed.atom?lang={code}", "lang": code} for code in LANGUAGES]


def feed_language(request: Request) -> str:
    """A feed's language is its URL's alone: French without `?lang=`."""
    chosen = request.query_params.get("lang", "")
    return chosen if chosen in LANGUAGES else "fr"


def atom_response(body: bytes) -> Response[bytes]:
    return Response(body, media_type=f"{archive_feed.MEDIA_TYPE}; charset=utf-8")


class ArchiveController(Controller):
    path = PATH
    tags = ("recipients",)
    response_headers = (
        ResponseHeader(name="Content-Security-Policy", value=ARCHIVE_POLICY),
        ResponseHeader(name="Cache-Control", value="public, max-age=300"),  # no token here: what is public
    )

    @page("/", summary="The public archive: every list that published newsletters, and the latest issues")
    async def index(self, request: Request) -> Template:
        language = page_language(request)
        issues = [shown(issue, language) for issue in await archive.issues()]
        return render(request, "archive_index.html", language, lists=await archive.archived_lists(), issues=issues,
                      feeds=feeds(PATH))

    @page("/feed.atom", summary="The whole archive's Atom feed; `?lang=fr` (the default) or `?lang=en`",
          media_type=archive_feed.MEDIA_TYPE)
    async def feed(self, request: Request, settings: NamedDependency[Settings]) -> Response[bytes]:
        language = feed_language(request)
        return atom_response(archive_feed.atom(
            base_url=settings.base_url, language=language, organisation=settings.organisation,
            title=archive_feed.feed_title(language, settings.organisation), page_path=f"{PATH}/",
            feed_path=f"{PATH}/feed.atom", id_path="archive", issues=await archive.issues(), issue_path=issue_path))

    @page("/{slug:str}", summary="One list's published newsletters, newest first")
    async def list_page(self, slug: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        mailing_list = await archive.archived_list(slug)
        issues = [shown(issue, language, mailing_list) for issue in await archive.issues(slug)]
        return render(request, "archive_list.html", language, mailing_list=mailing_list, issues=issues,
                      feeds=feeds(f"{PATH}/{slug}"), signup=signup_path(mailing_list))

    @page("/{slug:str}/feed.atom", summary="One list's Atom feed; `?lang=fr` (the default) or `?lang=en`",
          media_type=archive_feed.MEDIA_TYPE)
    async def list_feed(self, slug: FromPath[str], request: Request,
                        settings: NamedDependency[Settings]) -> Response[bytes]:
        language = feed_language(request)
        mailing_list = await archive.archived_list(slug)
        return atom_response(archive_feed.atom(
            base_url=settings.base_url, language=language, organisation=settings.organisation,
            title=archive_feed.feed_title(language, settings.organisation, mailing_list.display_name(language)),
            page_path=f"{PATH}/{slug}", feed_path=f"{PATH}/{slug}/feed.atom", id_path=f"archive/{slug}",
            issues=await archive.issues(slug), issue_path=lambda issue: issue_path(issue, mailing_list)))

    @page("/{slug:str}/{campaign_id:int}", summary="A published newsletter, as sent but for nobody in particular; "
          "410 once withdrawn", responses={410: WITHDRAWN})
    async def issue_page(self, slug: FromPath[str], campaign_id: RowId, request: Request,
                         browser_views: NamedDependency[BrowserViews]) -> Template:
        language = page_language(request)
        issue = await archive.issue(slug, campaign_id)
        mailing_list = next(item for item in issue.lists if item.slug == slug)
        version = language if language in issue.contents else issue.shown_language(language)
        content = Markup(await browser_views.archived(issue, version))  # our own rendering, autoescaped
        return render(request, "archive_issue.html", language, mailing_list=mailing_list, issue=issue,
                      version=version, subject=issue.contents[version].subject, content=content,
                      versions=[code for code in LANGUAGES if code in issue.contents],
                      feeds=feeds(f"{PATH}/{slug}"), signup=signup_path(mailing_list))
