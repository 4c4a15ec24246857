"""`/v/{token}`: "view in your browser", the public copy of a campaign's message (issue 20, item 8).

It reads only (mail scanners open every link), sets no cookie (REQ-11), and loads nothing from elsewhere but
the campaign's own images: its Content-Security-Policy allows images from here and over https, the inline
styles of the mail's HTML, and nothing else. A tampered or unknown token, or a deleted campaign, gets the
page every recipient's page answers when there is nothing to show: the same 404 page, whatever the token
(REQ-25).
"""

from __future__ import annotations

from litestar import Controller, MediaType, Response
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import FromPath

from contacts.errors import NotFoundError
from contacts.sending.browser_view import BrowserViews
from contacts.sending.view_links import PATH
from contacts.web.public.pages import page

# The mail's HTML carries its styles inline; its images are the campaign's, served under CONTACTS_BASE_URL.
VIEW_POLICY = ("default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline'; form-action 'none'; "
               "frame-ancestors 'none'; base-uri 'none'")


class ViewController(Controller):
    path = PATH
    tags = ("recipients",)
    response_headers = (
        ResponseHeader(name="Content-Security-Policy", value=VIEW_POLICY),
        ResponseHeader(name="X-Robots-Tag", value="noindex"),  # a forwarded link is no reason to be indexed
    )

    @page("/{token:str}", summary="A campaign's message in the recipient's language, for nobody in particular; "
                                 "changes nothing")
    async def view(self, token: FromPath[str], browser_views: NamedDependency[BrowserViews]) -> Response:
        shown = await browser_views.page(token)
        if shown is None:  # answered as a page, the same for every such token (contacts.web.public.errors)
            raise NotFoundError("nothing to show")
        language, html = shown
        return Response(html, media_type=MediaType.HTML, headers={"Content-Language": language})
