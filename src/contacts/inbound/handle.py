"""Acting on one inbound message, for one of our addresses: what it is decides what it does.

A forged or unsigned id does nothing, and the log says so; so does mail that is no report. A report that
lost our envelope id counts only when a signed id in its returned headers, or the returned Message-ID and
the failed address together, name a delivery of ours: otherwise anyone could suppress anyone by mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from contacts.addresses import parse_address
from contacts.errors import ValidationError
from contacts.inbound import verp
from contacts.inbound.classify import Classified, Kind, classify, parse
from contacts.services.campaigns import bounces
from contacts.services.campaigns.bounces import DeliveryRef
from contacts.services.optout import links as optout
from contacts.settings import Settings
from contacts.tokens import codec_for

log = logging.getLogger("contacts.inbound")


@dataclass(frozen=True)
class Handled:
    outcome: str  # hard_bounce, soft_bounce, complaint, unsubscribed, or ignored
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.outcome}: {self.detail}" if self.detail else self.outcome


async def handle(raw: bytes, recipient: str | None, settings: Settings) -> Handled:
    """`recipient`: the envelope recipient; without it, the delivery headers say which of ours it was."""
    domain = settings.sender_domain
    if recipient is None:
        recipient = verp.recipient_from_headers(parse(raw), domain)
    address = verp.parse_recipient(recipient, domain) if recipient else None
    if address is None:
        return _ignored("not one of our inbound addresses")
    classified = classify(raw)
    if address.mailbox == verp.UNSUBSCRIBE:
        return await _unsubscribe(address, classified)
    return await _report(address, classified, settings)


async def _unsubscribe(address: verp.InboundAddress, classified: Classified) -> Handled:
    if classified.kind != Kind.OTHER:  # an auto-reply or a report to the unsubscribe address is no request
        return _ignored(f"{classified.kind} sent to the unsubscribe address")
    changed = await optout.unsubscribe_by_mail(address.token or "")
    if changed is None:
        log.warning("inbound: forged or unsigned id in a mail to the unsubscribe address; nothing done")
        return _ignored("forged or unsigned unsubscribe id")
    return Handled("unsubscribed", "" if changed else "already unsubscribed")


async def _report(address: verp.InboundAddress, classified: Classified, settings: Settings) -> Handled:
    if classified.kind in (Kind.AUTO_REPLY, Kind.OTHER):
        return _ignored(classified.note)
    codec = codec_for(settings.secret_keys)
    if address.token is not None:
        ref = verp.open_bounce_id(address.token, codec)
        if ref is None:
            log.warning("inbound: forged or unsigned id in a %s sent to the bounce address; nothing done",
                        classified.kind)
            return _ignored("forged or unsigned bounce id")
    else:
        ref = verp.signed_ids_in(classified.original, codec) or await _by_message_id(classified)
        if ref is None:
            log.warning("inbound: a %s without a signed id names no delivery of ours; nothing done", classified.kind)
            return _ignored(f"{classified.kind} without an id that names a delivery")
    if classified.kind == Kind.COMPLAINT:
        recorded = await bounces.record_complaint(ref)
        return _done("complaint", ref, recorded, "; the campaign paused itself" if recorded.paused else "")
    failure = classified.worst
    assert failure is not None  # a bounce has at least one failure
    recorded = await bounces.record_bounce(ref, failure.kind, failure.status)
    return _done(f"{failure.kind}_bounce", ref, recorded, f" ({failure.status})")


async def _by_message_id(classified: Classified) -> DeliveryRef | None:
    if classified.original is None or not classified.original.get("Message-ID"):
        return None
    addresses = set()
    for failure in classified.failures:
        try:
            addresses.add(parse_address(failure.recipient or "").canonical)
        except ValidationError:
            continue
    if not addresses:
        return None
    return await bounces.delivery_by_message_id(str(classified.original["Message-ID"]), addresses)


def _done(outcome: str, ref: DeliveryRef, recorded: bounces.Recorded, extra: str) -> Handled:
    if not recorded.found:
        log.warning("inbound: a genuine id names no delivery (campaign %s, contact %s)", ref.campaign_id, ref.contact_id)
        return _ignored("the id names no delivery")
    detail = f"campaign {ref.campaign_id}{extra}" + ("; address suppressed" if recorded.suppressed else "")
    log.info("inbound: %s, %s", outcome, detail)
    return Handled(outcome, detail)


def _ignored(why: str) -> Handled:
    log.info("inbound: ignored, %s", why)
    return Handled("ignored", why)
