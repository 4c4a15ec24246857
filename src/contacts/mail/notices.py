"""Single messages to one person that are not campaigns: the double-opt-in confirmation, the
acknowledgement of a rights request, a guest's confirmation of their answer to an invitation. They carry
no List-Unsubscribe: the person asked for them.

Sent after the web answer has gone (a background task), so that neither the time they take nor a failing
relay can tell a visitor anything about an address (REQ-25). A failure is logged; the person can ask again.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from contacts.addresses import parse_address
from contacts.i18n import N_, gettext
from contacts.mail.message import MessageSkeleton, mailbox
from contacts.mail.render import RenderedParts, TemplateLibrary
from contacts.mail.transport import Outcome, SmtpSettings, send_one
from contacts.settings import Settings, get_settings
from contacts.typography import french

log = logging.getLogger(__name__)

# Each notice's subject, in English; the catalogue has the French.
SUBJECTS = {
    "double-opt-in": N_("Please confirm your subscription"),
    "rights-acknowledgement": N_("We received your request"),
    "rights-verify": N_("Please confirm your request"),
    "rights-identity": N_("Your request: we need to verify your identity"),
    "rights-extension": N_("Your request: more time to answer"),
    "rights-answer": N_("The answer to your request"),
    "rights-refusal": N_("The answer to your request"),
    "rights-export": N_("Your link to the data"),
    "restriction-lifting": N_("The restriction of processing of your data is lifted"),
    "event-guest": N_("Your invitation"),  # each guest's mail names its event in its own subject (guest_mail.py)
}


@dataclass(frozen=True)
class Attachment:
    """A file joined to a notice: `content_id` set, an image the HTML part shows (`cid:` its id)."""

    filename: str
    content_type: str  # e.g. "text/calendar; method=PUBLISH"
    content: bytes
    content_id: str | None = None


def compose_notice(template: str, *, to: str, name: str | None, language: str, context: dict,
                   settings: Settings, subject: str | None = None, attachments: tuple[Attachment, ...] = ()) -> bytes:
    """`subject`: said already in `language`, for a notice whose subject names something (an event)."""
    subject = subject if subject is not None else gettext(language, SUBJECTS[template])
    subject = french(subject) if language == "fr" else subject
    library = TemplateLibrary.from_settings(settings)
    parts = library.render(template, {"lang": language, "organisation": settings.organisation, "subject": subject,
                                      **context})
    if attachments:
        return _with_attachments(subject, to, name, settings, parts, attachments)
    skeleton = MessageSkeleton.build(from_name=settings.organisation, from_address=settings.from_address,
                                     subject=subject, list_id=None, boundary_seed=secrets.token_hex(16))
    return skeleton.message(to=mailbox(name, to), message_id=f"<{secrets.token_hex(16)}@{settings.sender_domain}>",
                            date=datetime.now(UTC), parts=parts, unsubscribe_url=None)


def _with_attachments(subject: str, to: str, name: str | None, settings: Settings, parts: RenderedParts,
                      attachments: tuple[Attachment, ...]) -> bytes:
    """text and HTML (with its images, multipart/related) as alternatives, then the files (multipart/mixed).
    The stdlib builds it: a single notice can afford its few milliseconds."""
    message = EmailMessage(policy=policy.SMTP if to.isascii() else policy.SMTPUTF8)
    message["From"] = Address(settings.organisation, addr_spec=settings.from_address)
    message["To"] = Address(name or "", addr_spec=to)
    message["Subject"] = subject
    message["Date"] = datetime.now(UTC)
    message["Message-ID"] = f"<{secrets.token_hex(16)}@{settings.sender_domain}>"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(parts.text, cte="quoted-printable")
    message.add_alternative(parts.html, subtype="html", cte="quoted-printable")
    page = message.get_body(("html",))
    assert isinstance(page, EmailMessage)
    for item in attachments:
        maintype, _, rest = item.content_type.partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        extra = dict(param.split("=", 1) for param in params if "=" in param)
        if item.content_id:
            page.add_related(item.content, maintype, subtype, cid=f"<{item.content_id}>", filename=item.filename,
                             disposition="inline")
        else:
            message.add_attachment(item.content, maintype, subtype, filename=item.filename, params=extra)
    return message.as_bytes()


async def send_notice(template: str, *, to: str, name: str | None, language: str, context: dict,
                      settings: Settings | None = None, subject: str | None = None,
                      attachments: tuple[Attachment, ...] = ()) -> Outcome:
    settings = settings or get_settings()
    message = compose_notice(template, to=to, name=name, language=language, context=context, settings=settings,
                             subject=subject, attachments=attachments)
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
