"""`/p/{token}`: the preference centre. One page of plain forms, working without JavaScript; each form
POSTs back here and the page is shown again with what happened. Mail it causes (a double-opt-in link,
a rights acknowledgement) goes after the answer."""

from __future__ import annotations

from litestar import Controller, Request, post
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.params import FromPath
from litestar.response import Template

from contacts.domain import RightsRequestType
from contacts.mail import notices
from contacts.mail.wording import RIGHTS_WORDS, Words
from contacts.services.people import consent, preferences
from contacts.services.rights import notices as rights_notices
from contacts.web.public.pages import page, page_language, read_form, render
from contacts.web.public.words import PAGE_WORDS


class PreferencesController(Controller):
    path = "/p"
    tags = ["recipients"]

    @page("/{token:str}", summary="The preference centre")
    async def centre(self, token: FromPath[str], request: Request) -> Template:
        return await _page(request, token, [])

    # The sealed token in the URL is the proof that the request comes from the recipient: no CSRF cookie.
    @post("/{token:str}", summary="Change preferences, unsubscribe from everything, or ask to exercise a right",
          status_code=200)
    async def change(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        words = Words(language, PAGE_WORDS)
        form = await read_form(request)
        notes: list[str] = []
        tasks = []
        which = form.get("form")
        if which == "lists":
            result = await preferences.save(token, shown=set(form.getall("shown", [])),
                                            wanted=set(form.getall("keep", [])), language=form.get("language"),
                                            page_language=language)
            notes.append(words.preferences_saved)
            if result.confirmation:
                mail = result.confirmation
                notes.append(words.preferences_confirm_sent.format(lists=", ".join(mail.list_names)))
                tasks.append(confirmation_task(mail))
        elif which == "everything":
            await preferences.unsubscribe_everything(token)
            notes.append(words.everything_done)
        elif which == "rights":
            try:
                request_type = RightsRequestType(form.get("request_type", ""))
            except ValueError:
                request_type = None
            receipt = await preferences.request_right(token, request_type, form.get("details")) if request_type else None
            notes.append(words.rights_done)
            if receipt:
                tasks.append(_acknowledgement_task(receipt))
        return await _page(request, token, notes, BackgroundTasks(tasks) if tasks else None)


async def _page(request: Request, token: str, notes: list[str], background=None) -> Template:
    language = page_language(request)
    centre = await preferences.load(token, language)
    choices = [(kind.value, RIGHTS_WORDS[language][kind]) for kind in preferences.CENTRE_REQUESTS]
    response = render(request, "preferences.html", language, preferences=centre, notes=notes, rights_choices=choices)
    response.background = background
    return response


def confirmation_task(mail: consent.ConfirmationMail) -> BackgroundTask:
    return BackgroundTask(notices.send_notice_quietly, "double-opt-in", to=mail.to, name=mail.name,
                          language=mail.language, context={"list_name": ", ".join(mail.list_names),
                                                           "confirm_url": mail.confirm_url,
                                                           "expires_in_days": consent.CONFIRMATION_DAYS})


def _acknowledgement_task(receipt: rights_notices.Receipt) -> BackgroundTask:
    return BackgroundTask(rights_notices.acknowledge, receipt)
