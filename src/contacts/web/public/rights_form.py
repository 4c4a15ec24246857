"""`/rights`: the public form for exercising a right, and `/rights/verify/{token}`, the link it mails to
confirm the address (REQ-15). Every address gets the same answer (REQ-25); the verify page's GET changes
nothing, its button does (REQ-30)."""

from __future__ import annotations

from babel.dates import format_date
from litestar import Controller, Request, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath
from litestar.response import Template

from contacts.domain import RightsRequestType
from contacts.errors import ValidationError
from contacts.mail import notices
from contacts.mail.wording import RIGHTS_WORDS
from contacts.services.rights import form as rights_form
from contacts.services.rights import notices as rights_notices
from contacts.web.public.pages import page, page_language, read_form, render

FORM_WORDS = {
    "fr": {"title": "Exercer vos droits", "intro": "Accès, rectification, effacement, limitation, opposition, "
           "portabilité, retrait du consentement ou directives post-mortem : dites-nous ce que vous souhaitez. "
           "Nous vous écrirons à l'adresse indiquée pour la confirmer ; le délai d'un mois court dès cette "
           "confirmation.", "type": "Votre demande", "email": "Votre adresse électronique", "name": "Votre nom",
           "details": "Précisions (facultatif)", "send": "Envoyer ma demande", "required": "obligatoire",
           "done_title": "Vérifiez votre messagerie",
           "done": "Si cette adresse est la vôtre, un message vous attend : cliquez sur son lien pour confirmer "
           "votre demande. Le lien est valable 7 jours.", "error_title": "La demande n'a pas pu être envoyée",
           "verify_title": "Confirmer votre demande", "verify": "Confirmez-vous cette demande ?",
           "verify_button": "Je confirme ma demande", "verified_title": "Demande confirmée",
           "verified": "Votre demande est confirmée. Un accusé de réception vous est envoyé avec la date de notre "
           "réponse.", "invalid": "Ce lien n'est plus valable : il a expiré ou a déjà servi. Vous pouvez refaire "
           "une demande."},
    "en": {"title": "Exercise your rights", "intro": "Access, correction, erasure, restriction, objection, "
           "portability, withdrawal of consent or after-death instructions: tell us what you wish. We will write "
           "to the address you give to confirm it; the one month to answer runs from that confirmation.",
           "type": "Your request", "email": "Your email address", "name": "Your name",
           "details": "Details (optional)", "send": "Send my request", "required": "required",
           "done_title": "Check your mailbox",
           "done": "If this address is yours, a message is waiting for you: click its link to confirm your "
           "request. The link is valid for 7 days.", "error_title": "The request could not be sent",
           "verify_title": "Confirm your request", "verify": "Do you confirm this request?",
           "verify_button": "I confirm my request", "verified_title": "Request confirmed",
           "verified": "Your request is confirmed. An acknowledgement with the date of our answer is on its way.",
           "invalid": "This link is no longer valid: it has expired or was already used. You may ask again."},
}
EMPTY = {"request_type": "access", "email": "", "name": "", "details": ""}


def _form(request: Request, language: str, values: dict, error: ValidationError | None = None,
          status_code: int = 200, done: bool = False) -> Template:
    return render(request, "rights.html", language, status_code=status_code, words=FORM_WORDS[language],
                  values=values, error=error, done=done, types=list(RightsRequestType),
                  type_words=RIGHTS_WORDS[language], action="/rights")


class RightsFormController(Controller):
    path = "/rights"
    tags = ["recipients"]

    @page("/", summary="The public form for exercising a data-protection right")
    async def form(self, request: Request) -> Template:
        return _form(request, page_language(request), EMPTY)

    # Anyone may post this form; the mailed link, not a CSRF cookie, proves the address is theirs.
    @post("/", summary="Ask; a mail to the address confirms it", status_code=200)
    async def ask(self, request: Request) -> Template:
        language = page_language(request)
        form = await read_form(request)
        values = {key: (form.get(key) or "")[:4000] for key in EMPTY}
        try:
            mail = await rights_form.submit(values["request_type"], email=values["email"], name=values["name"],
                                            details=values["details"], language=language)
        except ValidationError as error:
            return _form(request, language, values, error=error, status_code=400)
        response = _form(request, language, EMPTY, done=True)
        response.background = BackgroundTask(
            notices.send_notice_quietly, "rights-verify", to=mail.to, name=mail.name, language=mail.language,
            context={"request_type": RIGHTS_WORDS[mail.language][mail.request_type],
                     "received_on": format_date(mail.received_at, format="long", locale=mail.language),
                     "verify_url": mail.verify_url, "expires_in_days": rights_form.VERIFY_DAYS})
        return response

    @page("/verify/{token:str}", summary="The confirmation of a rights request, with its button; changes nothing")
    async def verify_page(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        return render(request, "rights_verify.html", language, words=FORM_WORDS[language],
                      waiting=await rights_form.is_waiting(token), done=False, action=f"/rights/verify/{token}")

    @post("/verify/{token:str}", summary="Confirm a rights request", status_code=200)
    async def verify(self, token: FromPath[str], request: Request) -> Template:
        language = page_language(request)
        receipt = await rights_form.confirm(token)
        response = render(request, "rights_verify.html", language, words=FORM_WORDS[language],
                          waiting=receipt is not None, done=receipt is not None, action="")
        if receipt:
            response.background = BackgroundTask(rights_notices.acknowledge, receipt)
        return response
