"""`/r/{token}`: a guest's answer to an invitation. GET shows the answer with one button and changes
nothing (mail scanners open every link, REQ-30); POST records it. An unknown or tampered token gets the
neutral page and the same thanks, and changes nothing."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Template

from contacts.services.invitations import guest_lists as invitations
from contacts.web.public.pages import page_language, render

RSVP_WORDS = {
    "fr": {"title": "Votre réponse à l'invitation", "accept": "Vous confirmez votre venue.",
           "decline": "Vous nous indiquez que vous ne pourrez pas venir.", "unknown": "Votre réponse à notre invitation.",
           "button": "Envoyer ma réponse", "done": "Merci, votre réponse est enregistrée.",
           "change": "Vous pouvez changer d'avis à tout moment par l'autre lien de l'invitation."},
    "en": {"title": "Your answer to the invitation", "accept": "You confirm that you will attend.",
           "decline": "You let us know that you cannot attend.", "unknown": "Your answer to our invitation.",
           "button": "Send my answer", "done": "Thank you, your answer is recorded.",
           "change": "You may change your mind at any time through the invitation's other link."},
}


def _answer_of(token: str) -> bool | None:
    """True for an accept link, False for a decline link, None for anything else."""
    for accept in (True, False):
        if invitations.token_is_for(token, accept) is not None:
            return accept
    return None


class RsvpController(Controller):
    path = "/r"
    tags = ["recipients"]

    @get("/{token:str}", summary="A guest's answer to an invitation, with its button; changes nothing")
    async def answer_page(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        answer = _answer_of(token)
        words = RSVP_WORDS[language]
        question = words["unknown"] if answer is None else words["accept" if answer else "decline"]
        return render(request, "rsvp.html", language, words=words, question=question, done=False)

    @post("/{token:str}", summary="Record a guest's answer", status_code=200)
    async def answer(self, token: FromPath[str], request: Request) -> Template:
        accept = _answer_of(token)
        if accept is not None:
            await invitations.answer(token, accept)
        language = page_language(request)
        return render(request, "rsvp.html", language, words=RSVP_WORDS[language], question="", done=True)
