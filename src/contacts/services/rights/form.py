"""The public rights form (REQ-14/15/25): anyone may ask; the request waits, its clock stopped, until the
person clicks the link mailed to the address they gave. That click is the identity check through a known
channel. The form looks up nobody: every address gets the same answer and the same mail."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.addresses import parse_address
from contacts.domain import Channel, RightsRequestStatus, RightsRequestType, parse_enum
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.services.rights import requests as rights
from contacts.services.rights import rights_operations
from contacts.services.rights.notices import Receipt
from contacts.settings import get_settings
from contacts.tables import RightsRequest
from contacts.tokens import LinkToken, TokenAction, codec_for

VERIFY_DAYS = 7
VERIFIED_BY = "email address confirmed by the link mailed to it"


@dataclass(frozen=True)
class VerificationMail:
    to: str
    name: str | None
    language: str
    request_type: RightsRequestType
    received_at: datetime
    verify_url: str


async def submit(request_type: str, *, email: str, name: str = "", details: str = "",
                 language: str = "fr") -> VerificationMail:
    kind = parse_enum(RightsRequestType, "request_type", request_type)
    address = parse_address(email, field="email")
    if language not in ("fr", "en"):
        raise ValidationError("language", N_("is fr or en"))
    text = details.strip()[:4000]
    requester_name = " ".join(name.split())[:200] or None
    created = await rights.record_request(
        None, kind, Channel.WEB_FORM, details={"text": text} if text else {}, identity_method=None,
        requester_email=address.normalized, requester_name=requester_name, language=language)
    expires = int(time.time()) + VERIFY_DAYS * 86400
    token = codec_for(get_settings().secret_keys).seal(
        LinkToken(TokenAction.VERIFY_RIGHTS_REQUEST, 0, created["id"], 0, expires))
    return VerificationMail(address.normalized, requester_name, language, kind, created["received_at"],
                            f"{get_settings().base_url.rstrip('/')}/rights/verify/{token}")


async def _waiting(token: str, now: float | None = None) -> dict | None:
    opened = codec_for(get_settings().secret_keys).open(token, TokenAction.VERIFY_RIGHTS_REQUEST, now=now)
    if opened is None:
        return None
    return await RightsRequest.select().where(
        RightsRequest.id == opened.scope_id, RightsRequest.channel == Channel.WEB_FORM,
        RightsRequest.status == RightsRequestStatus.AWAITING_IDENTITY).first()


async def is_waiting(token: str) -> bool:
    return await _waiting(token) is not None


async def confirm(token: str, *, now: datetime | None = None) -> Receipt | None:
    """The person clicked: the identity is verified, the clock runs from the request's receipt plus the days
    it waited, and a pending rectification or objection restricts the contact meanwhile (REQ-20). None
    for an expired, tampered or already used link."""
    row = await _waiting(token, now=(now or datetime.now(UTC)).timestamp())
    if row is None:
        return None
    contact_id = await rights_operations.mark_identity_verified(row, VERIFIED_BY, actor="recipient", now=now)
    kind = RightsRequestType(row["request_type"])
    if contact_id:
        await rights_operations.restrict_while_pending(contact_id, kind, row["id"], "recipient")
    verified = await RightsRequest.select(RightsRequest.due_on).where(RightsRequest.id == row["id"]).first()
    assert verified is not None  # the request just verified
    return Receipt(row["requester_email"], row["requester_name"], row["language"], kind, row["received_at"],
                   verified["due_on"])
