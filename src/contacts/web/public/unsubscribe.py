"""`/u/{token}`: GET shows a confirmation page and changes nothing (REQ-30); POST unsubscribes at once.

The mail client's one-click POST (RFC 8058, body `List-Unsubscribe=One-Click`, form-urlencoded or
multipart) needs no cookie, login or CSRF token, answers 200 without a redirect, and may be repeated
(REQ-29). An unknown or tampered token gets the same answers as a valid one.
"""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import FromPath
from litestar.response import Template

from contacts.domain import Channel
from contacts.services.optout import links as optout
from contacts.tokens import TokenAction
from contacts.web.input_checks import UNPARSED_BODY
from contacts.web.public.pages import page, page_language, render


class UnsubscribeController(Controller):
    path = "/u"
    tags = ["recipients"]

    @page("/{token:str}", summary="Confirmation page for an unsubscribe link; changes nothing")
    async def confirm_page(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        names = await optout.list_names_for(token)
        list_name = (names[0] if language == "fr" else names[1]) if names else None
        invitations_only = await optout.for_invitations(token, TokenAction.UNSUBSCRIBE)
        return render(request, "unsubscribe.html", language, list_name=list_name, done=False,
                      invitations_only=invitations_only)

    # RFC 8058: mail clients POST with no cookie and no token. No CSRF middleware covers the recipients' pages
    # (routes.py says why); the flag keeps this route out of one if it is ever set up for the whole app.
    @post("/{token:str}", summary="Unsubscribe at once (RFC 8058 one-click, or the page's button)", status_code=200,
          exclude_from_csrf=True, opt={UNPARSED_BODY: True})
    async def unsubscribe(self, token: FromPath[str], request: Request) -> Template:
        # The token decides; the body only tells which channel it came through. It is not parsed as a form,
        # so a mail client's malformed body (a multipart without boundary, say) cannot stop an opt-out.
        body = await request.body()
        one_click = b"One-Click" in body  # List-Unsubscribe=One-Click, urlencoded or as a multipart field
        await optout.unsubscribe(token, Channel.ONE_CLICK if one_click else Channel.UNSUBSCRIBE_PAGE)
        invitations_only = await optout.for_invitations(token, TokenAction.UNSUBSCRIBE)
        return render(request, "unsubscribe.html", page_language(request), list_name=None, done=True,
                      invitations_only=invitations_only)
