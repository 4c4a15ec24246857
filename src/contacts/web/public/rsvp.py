"""`/r/{token}`: a guest's answer to an invitation. GET shows the event, the guest's answer so far and the
two buttons, and changes nothing (mail scanners open every link, REQ-30); POST records the answer (the
button pressed; the link's own answer when the body names none). The guest may answer again: accept after
declining, decline after accepting, name or change a companion. Answers after the deadline, or for a
cancelled event, are refused with a page that says so. An unknown or tampered token gets the neutral page
and the same thanks, and changes nothing. The guest's mails go after the page has answered."""

from __future__ import annotations

from datetime import UTC, datetime

from litestar import Controller, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import Template

from contacts.i18n import N_
from contacts.services.invitations import answers, guest_mail
from contacts.services.invitations.answers import Outcome
from contacts.settings import get_settings
from contacts.web.public.pages import LANGUAGES, page_language, read_form, render

# What the page says after an answer (or of the answer so far).
SAID = {
    Outcome.ACCEPTED: N_("Your answer is recorded: you are expected. A confirmation, with a calendar file, is on "
                         "its way to your mailbox."),
    Outcome.WAITLISTED: N_("The event is full: you are on the waiting list. We will write to you as soon as a place "
                           "is free for you."),
    Outcome.DECLINED: N_("Your answer is recorded: you will not come. Thank you for letting us know."),
    Outcome.CLOSED: N_("Answers to this invitation are closed: the deadline has passed, and nothing was changed."),
    Outcome.CANCELLED: N_("This event is cancelled: no answer is needed. Please accept our apologies."),
}
SO_FAR = {
    "listed": N_("You have not answered yet."), "invited": N_("You have not answered yet."),
    "accepted": N_("You have said you will attend."), "attended": N_("You have said you will attend."),
    "waitlisted": N_("You are on the waiting list: we will write to you as soon as a place is free for you."),
    "declined": N_("You have said you cannot attend."),
}
COMPANION_REFUSED = N_("No place is left for a companion: your own place is kept.")


def _language(request: Request, view: answers.GuestView | None) -> str:
    if request.query_params.get("lang") in LANGUAGES or view is None:
        return page_language(request)
    return view.language if view.language in LANGUAGES else page_language(request)


def _page(request: Request, view: answers.GuestView | None, language: str, **context) -> Template:
    context.setdefault("companion_refused", None)
    context.setdefault("suggested", None)
    return render(request, "rsvp.html", language, view=view, event=view.event if view else None,
                  retention_days=get_settings().companion_retention_days, **context)


class RsvpController(Controller):
    path = "/r"
    tags = ["recipients"]

    @get("/{token:str}", summary="A guest's invitation: the event, their answer so far, the buttons; changes nothing")
    async def answer_page(self, token: FromPath[str], request: Request) -> Template:
        view = await answers.guest_view(token)
        language = _language(request, view)
        if view is not None and view.event is not None and not view.event.accepts_answers(datetime.now(UTC)):
            closed = Outcome.CANCELLED if view.event.cancelled_at is not None else Outcome.CLOSED
            return _page(request, view, language, said=SAID[closed], done=True)
        return _page(request, view, language, said=SO_FAR.get(view.status) if view else None, done=False,
                     suggested=answers.token_answer(token))

    @post("/{token:str}", summary="Record a guest's answer (and their companion's name)", status_code=200)
    async def answer(self, token: FromPath[str], request: Request) -> Template:
        form = await read_form(request)
        chosen = form.get("answer")
        accept = chosen == "accept" if chosen in ("accept", "decline") else answers.token_answer(token) is not False
        result = await answers.answer(token, accept, form.get("companion"))
        view = await answers.guest_view(token)
        language = _language(request, view)
        said = SAID.get(result.outcome) or (SO_FAR.get(view.status) if view else None)
        if view is None or view.event is None:
            said = None  # the neutral thanks: a forged link learns nothing, a list made before events says no more
        page = _page(request, view, language, said=said, done=True,
                     companion_refused=COMPANION_REFUSED if result.companion_refused else None)
        if result.mails:
            page.background = BackgroundTask(guest_mail.send_all, result.mails)
        return page
