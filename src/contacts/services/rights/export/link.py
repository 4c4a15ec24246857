"""The expiring link `/d/{token}` that delivers an export, and the mail that carries it.

The token names the rights request (scope), not the person, and expires after CONTACTS_EXPORT_LINK_DAYS.
It opens only while the request is an access or portability request whose contact exists and is not
erased. A person's own download is audited as `subject.download`: an `export` entry is a disclosure to a
third party, which propagation (REQ-18) reads, and the person is not one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from babel.dates import format_date

from contacts.domain import ContactStatus, RightsRequestType
from contacts.errors import NotFoundError
from contacts.i18n import N_
from contacts.mail import notices
from contacts.services import audit
from contacts.services.rights import notices as rights_notices
from contacts.services.rights.export.assemble import build
from contacts.settings import get_settings
from contacts.tables import Contact, RightsRequest
from contacts.tokens import LinkToken, TokenAction, codec_for

EXPORTABLE = (RightsRequestType.ACCESS, RightsRequestType.PORTABILITY)
FORMATS = ("json", "csv", "html")


@dataclass(frozen=True)
class Opened:
    request_id: int
    contact_id: int
    language: str  # the contact's language of correspondence


def link_expiry(now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) + timedelta(days=get_settings().export_link_days)


def export_link(request_id: int, *, now: datetime | None = None) -> str:
    """`CONTACTS_BASE_URL/d/{token}`, opening the export of the request's contact until it expires."""
    settings = get_settings()
    expires = int(link_expiry(now).timestamp())
    token = codec_for(settings.secret_keys).seal(LinkToken(TokenAction.DOWNLOAD_EXPORT, 0, request_id, 0, expires))
    return f"{settings.base_url.rstrip('/')}/d/{token}"


async def open_link(token: str, *, now: datetime | None = None) -> Opened | None:
    """What the link opens, or None: expired, tampered, unknown, not an export, or its contact erased."""
    opened = codec_for(get_settings().secret_keys).open(token, TokenAction.DOWNLOAD_EXPORT,
                                                         now=now.timestamp() if now else None)
    if opened is None:
        return None
    request = await RightsRequest.select(RightsRequest.contact, RightsRequest.request_type).where(
        RightsRequest.id == opened.scope_id).first()
    if not request or request["contact"] is None or request["request_type"] not in EXPORTABLE:
        return None
    contact = await Contact.select(Contact.language).where(Contact.id == request["contact"],
                                                           Contact.status != ContactStatus.ERASED).first()
    if contact is None:
        return None
    return Opened(opened.scope_id, request["contact"], contact["language"])


async def download(token: str, file_format: str, *, language: str | None = None,
                   now: datetime | None = None) -> dict[str, Any] | None:
    """The export the link opens, audited as the person's own download; None when it opens nothing."""
    if file_format not in FORMATS:
        return None
    opened = await open_link(token, now=now)
    if opened is None:
        return None
    try:
        export = await build(opened.contact_id, language=language or opened.language)
    except NotFoundError:  # erased between the two reads
        return None
    await audit.record("recipient", "subject.download", "contact", opened.contact_id, role="recipient",
                       details={"format": file_format, "rights_request": opened.request_id})
    return export


async def send_export_link(request_id: int, *, to: str | None = None, name: str | None = None,
                           now: datetime | None = None) -> bool:
    """Mail the link (notice `rights-export`); True when the receiving server took it. By default to the
    person, as every notice of their request goes (rights_notices.address_of); `to` and `name` send it to
    someone else, such as the executor of after-death instructions."""
    row = await RightsRequest.select().where(RightsRequest.id == request_id).first()
    if row is None:
        raise NotFoundError(N_("no rights request %(request_id)s"), request_id=request_id)
    address, person, language = await rights_notices.address_of(row)
    about = (person or address) if to and to != address else None  # whose data someone else receives
    if to:
        address, person = to, name
    if not address:
        return False
    expires = link_expiry(now)
    outcome = await notices.send_notice("rights-export", to=address, name=person, language=language, context={
        "link": export_link(request_id, now=now), "about": about,
        "expires_on": format_date(expires, format="long", locale=language)})
    return outcome.delivered
