"""`/o/{token}`: the right to object (GDPR Art. 21, REQ-21). GET explains it and changes nothing (REQ-30);
POST records the objection, to the link's purpose or to every direct-marketing purpose, with an optional
reason. An unknown or tampered token gets the same pages, without a purpose's name (REQ-25)."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.params import FromPath
from litestar.response import Template

from contacts.domain import Channel
from contacts.services.optout import links as optout
from contacts.tokens import TokenAction
from contacts.web.public.pages import page, page_language, read_form, render


class ObjectionController(Controller):
    path = "/o"
    tags = ["recipients"]

    @page("/{token:str}", summary="The right to object, explained, with a form; changes nothing")
    async def objection_page(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        choice = await optout.objection_choice(token)
        return render(
            request, "objection.html", language, done=False,
            purpose_name=choice.purpose.display_name(language) if choice.purpose else None,
            marketing_names=", ".join(purpose.display_name(language) for purpose in choice.marketing_purposes),
            invitations_only=await optout.for_invitations(token, TokenAction.OBJECT),
        )

    # The sealed token in the URL is the proof that the request comes from the recipient: no CSRF cookie.
    @post("/{token:str}", summary="Record an objection", status_code=200)
    async def object_to(self, token: FromPath[str], request: Request) -> Template:
        form = await read_form(request)
        everything = form.get("scope") == "all"
        await optout.object_to(token, everything=everything, reason=form.get("reason"), channel=Channel.OBJECTION_PAGE)
        invitations_only = not everything and await optout.for_invitations(token, TokenAction.OBJECT)
        return render(request, "objection.html", page_language(request), done=True, invitations_only=invitations_only)
