"""`/l/{token}`: a counted link of a campaign (REQ-48). It answers a redirect to that link, and only to a link
of the campaign: anything else gets the public "nothing here" page, the same for every such token, so it is
never an open redirect. The request's address and user agent are read by nothing but the scanner heuristic
(contacts.services.campaigns.clicks), and kept nowhere.

Not rate-limited, unlike the other pages: the limiter would keep a count per client address, and a click
writes nothing per request (its count waits in memory, one row per link and hour), so a flood can only
inflate a count.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, Router
from litestar.params import FromPath
from litestar.response import Redirect

from contacts.errors import NotFoundError
from contacts.mail.click_links import PATH
from contacts.services.campaigns import clicks
from contacts.web.public.pages import SECURITY_HEADERS, page, without_body_for_head


class ClickController(Controller):
    path = PATH
    tags = ("recipients",)

    @page("/{token:str}", summary="Follow a link of a campaign, counted in aggregate with nobody named; any other "
                                 "token gets the page saying there is nothing here", status_code=302)
    async def follow(self, request: Request, token: FromPath[str]) -> Response:
        counter = clicks.running()
        url = await counter.follow(token, request.method, request.headers.get("user-agent"))
        if url is None:  # answered as a page, the same for every such token (contacts.web.public.errors)
            raise NotFoundError("nothing to show")
        return Redirect(url, status_code=302)


def click_router() -> Router:
    return Router(path="/", route_handlers=[ClickController], response_headers=SECURITY_HEADERS,
                  middleware=[without_body_for_head], include_in_schema=True)
