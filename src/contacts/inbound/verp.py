"""Our inbound addresses, and the signed ids that name a delivery (REQ-41).

Each campaign message goes out with the envelope sender `bounces+ID@DOMAIN`, where ID is a sealed token
(`TokenCodec.seal_address`: the campaign and contact of one delivery, encrypted and authenticated, lowercase
base32 so that an MTA that case-folds the local part keeps it whole). `unsubscribe+ID@DOMAIN` is the mailto
of List-Unsubscribe. The plain `bounces@DOMAIN` is the sender of one-off notices and tests, and takes
reports that lost their id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from contacts.services.campaigns.bounces import DeliveryRef
from contacts.tokens import TokenAction, TokenCodec

BOUNCE = "bounces"
UNSUBSCRIBE = "unsubscribe"
_TOKEN = r"[A-Za-z0-9_-]{20,120}"
_BOUNCE_IN_TEXT = re.compile(rf"\bbounces\+({_TOKEN})@", re.IGNORECASE)
_UNSUBSCRIBE_LINK = re.compile(rf"/u/({_TOKEN})>|\bunsubscribe\+({_TOKEN})@", re.IGNORECASE)


@dataclass(frozen=True)
class InboundAddress:
    mailbox: str  # BOUNCE or UNSUBSCRIBE
    token: str | None  # the id after the +, if any


def parse_recipient(address: str, domain: str) -> InboundAddress | None:
    """One of our inbound addresses under DOMAIN, or None (any other address is not ours to take)."""
    address = address.strip().strip("<>")
    local, at, address_domain = address.rpartition("@")
    if not at or address_domain.lower() != domain.lower():
        return None
    mailbox, plus, tag = local.partition("+")
    mailbox = mailbox.lower()
    if mailbox == BOUNCE:
        return InboundAddress(BOUNCE, tag or None)
    if mailbox == UNSUBSCRIBE and plus and tag:
        return InboundAddress(UNSUBSCRIBE, tag)
    return None


def recipient_from_headers(message: Message, domain: str) -> str | None:
    """Without the envelope (a pipe given no recipient): the first of our addresses in the delivery headers."""
    for header in ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"):
        for _, address in getaddresses([str(value) for value in message.get_all(header, [])]):
            if parse_recipient(address, domain) is not None:
                return address
    return None


def open_bounce_id(token: str, codec: TokenCodec) -> DeliveryRef | None:
    opened = codec.open_address(token, TokenAction.BOUNCE) or codec.open(token, TokenAction.BOUNCE)
    return DeliveryRef(opened.campaign_id, opened.contact_id) if opened else None


def signed_ids_in(headers: Message | None, codec: TokenCodec) -> DeliveryRef | None:
    """A report that lost our envelope id often returns the original headers: their Return-Path carries the
    VERP id, and List-Unsubscribe the unsubscribe token of the same delivery. Only genuine tokens count."""
    if headers is None:
        return None
    for value in headers.get_all("Return-Path", []) + headers.get_all("X-Original-Return-Path", []):
        for token in _BOUNCE_IN_TEXT.findall(str(value)):
            if (ref := open_bounce_id(token, codec)) is not None:
                return ref
    for value in headers.get_all("List-Unsubscribe", []):
        for link, mailto in _UNSUBSCRIBE_LINK.findall(str(value)):
            opened = (codec.open(link, TokenAction.UNSUBSCRIBE) if link
                      else codec.open_address(mailto, TokenAction.UNSUBSCRIBE)
                      or codec.open(mailto, TokenAction.UNSUBSCRIBE))
            if opened is not None:
                return DeliveryRef(opened.campaign_id, opened.contact_id)
    return None
