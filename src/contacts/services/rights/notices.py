"""What a person who made a rights request is mailed about it, and where: the desk's steps, the answer
carried out and the export link all reach them the same way."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date

from contacts.domain import RightsRequestType
from contacts.mail import notices
from contacts.mail.wording import RIGHTS_WORDS
from contacts.tables import Contact


@dataclass(frozen=True)
class Receipt:
    """A request made from a public page (the rights form, the preference centre), for its acknowledgement."""

    to: str
    name: str | None
    language: str
    request_type: RightsRequestType
    received_at: datetime
    due_on: date


async def acknowledge(receipt: Receipt) -> None:
    """The acknowledgement mail: the request's kind, when it was received, when it is due. Never raises: it
    runs after a public page has answered."""
    await notices.send_notice_quietly(
        "rights-acknowledgement", to=receipt.to, name=receipt.name, language=receipt.language,
        context={"request_type": RIGHTS_WORDS[receipt.language][receipt.request_type],
                 "received_on": format_date(receipt.received_at, format="long", locale=receipt.language),
                 "due_on": format_date(receipt.due_on, format="long", locale=receipt.language)})


async def address_of(row: dict) -> tuple[str | None, str | None, str]:
    """Where the person hears from us: their contact's address, else the one they wrote from; with their
    name and language."""
    if row["contact"]:
        contact = await Contact.select(Contact.email, Contact.first_name, Contact.last_name, Contact.language).where(
            Contact.id == row["contact"]).first()
        if contact and contact["email"]:
            name = " ".join(part for part in (contact["first_name"], contact["last_name"]) if part) or None
            return contact["email"], name, row["language"] or contact["language"]
    return row["requester_email"], row["requester_name"], row["language"]


async def tell(row: dict, template: str, context: dict) -> bool:
    """Mail the person; True when their server accepted it."""
    to, name, language = await address_of(row)
    if not to:
        return False
    outcome = await notices.send_notice(template, to=to, name=name, language=language, context={
        "request_type": RIGHTS_WORDS[language][RightsRequestType(row["request_type"])],
        "received_on": format_date(row["received_at"], format="long", locale=language), **context})
    return outcome.delivered
