"""Single messages to one person that are not campaigns: the double-opt-in confirmation and the
acknowledgement of a rights request. They carry no List-Unsubscribe: the person asked for them.

Sent after the web answer has gone (a background task), so that neither the time they take nor a failing
relay can tell a visitor anything about an address (REQ-25). A failure is logged; the person can ask again.
"""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime

from contacts.addresses import parse_address
from contacts.mail.message import MessageSkeleton, mailbox
from contacts.mail.render import TemplateLibrary
from contacts.mail.transport import Outcome, SmtpSettings, send_one
from contacts.settings import Settings, get_settings

log = logging.getLogger(__name__)

SUBJECTS = {
    "double-opt-in": {"fr": "Confirmez votre inscription", "en": "Please confirm your subscription"},
    "rights-acknowledgement": {"fr": "Nous avons reçu votre demande", "en": "We received your request"},
    "rights-verify": {"fr": "Confirmez votre demande", "en": "Please confirm your request"},
    "rights-identity": {"fr": "Votre demande : nous devons vérifier votre identité",
                        "en": "Your request: we need to verify your identity"},
    "rights-extension": {"fr": "Votre demande : délai de réponse prolongé", "en": "Your request: more time to answer"},
    "rights-answer": {"fr": "Réponse à votre demande", "en": "The answer to your request"},
    "rights-refusal": {"fr": "Réponse à votre demande", "en": "The answer to your request"},
    "rights-export": {"fr": "Votre lien d'accès aux données", "en": "Your link to the data"},
    "restriction-lifting": {"fr": "La limitation du traitement de vos données est levée",
                            "en": "The restriction of processing of your data is lifted"},
}


def compose_notice(template: str, *, to: str, name: str | None, language: str, context: dict,
                   settings: Settings) -> bytes:
    subject = SUBJECTS[template][language]
    library = TemplateLibrary.from_settings(settings)
    parts = library.render(template, {"lang": language, "organisation": settings.organisation, "subject": subject,
                                      **context})
    skeleton = MessageSkeleton.build(from_name=settings.organisation, from_address=settings.from_address,
                                     subject=subject, list_id=None, boundary_seed=secrets.token_hex(16))
    return skeleton.message(to=mailbox(name, to), message_id=f"<{secrets.token_hex(16)}@{settings.sender_domain}>",
                            date=datetime.now(UTC), parts=parts, unsubscribe_url=None)


async def send_notice(template: str, *, to: str, name: str | None, language: str, context: dict,
                      settings: Settings | None = None) -> Outcome:
    settings = settings or get_settings()
    message = compose_notice(template, to=to, name=name, language=language, context=context, settings=settings)
    outcome = await send_one(SmtpSettings.from_url(settings.smtp_url), f"bounces@{settings.sender_domain}",
                             parse_address(to, field="to"), message)
    if not outcome.delivered:
        log.warning("the %s notice was not accepted: %s %s", template, outcome.code or "", outcome.message)
    return outcome


async def send_notice_quietly(template: str, **kwargs) -> None:
    """For a background task: never raises, so a relay fault cannot surface on a public page."""
    try:
        await send_notice(template, **kwargs)
    except Exception:
        log.exception("sending the %s notice failed", template)
