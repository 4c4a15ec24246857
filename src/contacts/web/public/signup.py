"""`/subscribe/{list-slug}`: public signup to a consent-based list, and `/confirm/{token}`, the double
opt-in link (REQ-2, REQ-12, REQ-43). Every address gets the same answer, in the same time, whether it is
new, subscribed already or suppressed (REQ-25): the form is checked before answering, and the request is
acted on after (the pending request written and its confirmation mailed, for a new address only)."""

from __future__ import annotations

import logging

from litestar import Controller, Request, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import Template

from contacts.errors import ValidationError
from contacts.services.people import consent
from contacts.web.public.pages import page, page_language, read_form, render
from contacts.web.public.preferences import confirmation_task
from contacts.web.public.words import PAGE_WORDS

log = logging.getLogger(__name__)

EMPTY_VALUES = {"email": "", "first_name": "", "last_name": ""}


class SignupController(Controller):
    path = "/subscribe"
    tags = ["recipients"]

    @page("/{slug:str}", summary="The signup form of a consent-based list")
    async def form(self, slug: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        signup = await consent.signup_form(slug, language)
        return _form(request, signup, language, {**EMPTY_VALUES, "language": language})

    # Anyone may post this form; the double opt-in, not a CSRF cookie, stops subscribing someone else.
    @post("/{slug:str}", summary="Ask to subscribe; a confirmation mail follows", status_code=200,
          opt={"signup": True})
    async def ask(self, slug: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        signup = await consent.signup_form(slug, language)
        form = await read_form(request)
        values = {key: (form.get(key) or "")[:300] for key in EMPTY_VALUES}
        values["language"] = form.get("language") if form.get("language") in ("fr", "en") else language
        try:
            checked = consent.check_signup(
                signup, email=values["email"], first_name=values["first_name"], last_name=values["last_name"],
                language=values["language"], ticked=form.getall("lists", []), form=f"/subscribe/{slug}",
            )
        except ValidationError as error:
            return _form(request, signup, language, values, error=error, status_code=400)
        response = render(request, "signup.html", language, done=True,
                          list_name=signup.mailing_list.display_name(language))
        response.background = BackgroundTask(_act_on, checked)
        return response


async def _act_on(checked: consent.SignupRequest) -> None:
    """After the answer has gone: never raises. A crash before this ends loses the request, as a crash
    before its confirmation mail went always did: nothing is subscribed without it, and the person asks again."""
    try:
        mail = await consent.request_signup(checked)
    except Exception:
        log.exception("a signup request failed after its answer")
        return
    if mail:
        await confirmation_task(mail)()


def _form(request: Request, signup: consent.SignupForm, language: str, values: dict, *,
          error: ValidationError | None = None, status_code: int = 200) -> Template:
    offers = [{"slug": item.slug, "wording": consent.wording(item, language)} for item in signup.offers]
    shown_error = None
    if error is not None:
        # The page's own words for the fields it has; the service's message otherwise.
        message = PAGE_WORDS[language].get(f"error_{error.field}", error.message)
        shown_error = {"field": error.field, "message": message}
    return render(request, "signup.html", language, status_code=status_code, done=False,
                  list_name=signup.mailing_list.display_name(language), offers=offers, values=values,
                  notice_version=signup.notice_version, notice_wording=signup.notice_wording, error=shown_error)


class ConfirmController(Controller):
    path = "/confirm"
    tags = ["recipients"]

    @page("/{token:str}", summary="The double-opt-in link: a page whose button confirms; changes nothing")
    async def confirm_page(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        pending = await consent.pending_for(token, language)
        return render(request, "confirm.html", language, done=False,
                      list_names=", ".join(pending.list_names) if pending else "")

    # The sealed, expiring token in the URL is the proof: no CSRF cookie.
    @post("/{token:str}", summary="Confirm a subscription", status_code=200)
    async def confirm(self, token: FromPath[str], request: Request) -> Template:
        done = await consent.confirm(token)
        return render(request, "confirm.html", page_language(request), done=done, list_names="")
