"""What a person who made a rights request is mailed about it, and where: the desk's steps, the answer
carried out and the export link all reach them the same way."""

from __future__ import annotations

from babel.dates import format_date

from contacts.domain import RightsRequestType
from contacts.mail import notices
from contacts.mail.wording import RIGHTS_WORDS
from contacts.tables import Contact


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
