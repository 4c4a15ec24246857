"""What comes back by mail after a campaign (REQ-41): bounces and complaints, recorded on the delivery row
and fed to the suppression list, which is only as good as what feeds it.

- a hard bounce (a 5.x.x report) suppresses the address globally, reason `hard_bounce`;
- a soft bounce (4.x.x, the relay gave up) counts; CONTACTS_SOFT_BOUNCE_LIMIT soft-bounced messages to one
  person within CONTACTS_SOFT_BOUNCE_WINDOW_DAYS suppress them, reason `soft_bounce`. Counted per message,
  not per report, so a relay that reports one message twice does not count it twice;
- a complaint (an ARF report) suppresses globally, reason `complaint`, and a running campaign whose
  complaints pass 0.3% of its sent messages (the Gmail and Yahoo threshold) pauses itself.

Every step is idempotent: a report delivered twice (an MTA retrying after a crash) changes nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contacts.db.engine import write_transaction
from contacts.domain import (
    BounceKind,
    Channel,
    DeliveryStatus,
    SuppressionReason,
)
from contacts.mail.message import campaign_of
from contacts.paging import pages
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import Delivery

ACTOR = "system:inbound"
COMPLAINT_RATE_LIMIT = 0.003  # a campaign pauses once complaints / sent passes this
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeliveryRef:
    campaign_id: int
    contact_id: int


@dataclass(frozen=True)
class Recorded:
    found: bool  # a delivery of ours matched
    suppressed: bool = False  # a do-not-contact entry was made by this report
    paused: bool = False  # the campaign paused itself on its complaint rate


async def _delivery(ref: DeliveryRef) -> dict | None:
    return await Delivery.select(Delivery.id, Delivery.bounce_kind, Delivery.complained_at,
                                 Delivery.contact.email_canonical.as_alias("canonical")).where(
        Delivery.campaign == ref.campaign_id, Delivery.contact == ref.contact_id).first()


async def record_bounce(ref: DeliveryRef, kind: BounceKind, status: str, *, now: datetime | None = None) -> Recorded:
    settings = get_settings()
    now = now or datetime.now(UTC)
    async with write_transaction():
        row = await _delivery(ref)
        if row is None:
            return Recorded(found=False)
        if kind == BounceKind.HARD or row["bounce_kind"] != BounceKind.HARD:  # a hard bounce is never softened
            await Delivery.update({Delivery.bounce_kind: kind, Delivery.bounce_status: status[:20],
                                   Delivery.bounced_at: now, Delivery.updated_at: now}).where(Delivery.id == row["id"])
        if not row["canonical"]:  # erased meanwhile: nothing left to suppress
            return Recorded(found=True)
        if kind == BounceKind.HARD:
            reason = SuppressionReason.HARD_BOUNCE
        else:
            recent = await Delivery.count().where(
                Delivery.contact == ref.contact_id, Delivery.bounce_kind == BounceKind.SOFT,
                Delivery.bounced_at >= now - timedelta(days=settings.soft_bounce_window_days))
            if recent < settings.soft_bounce_limit:
                return Recorded(found=True)
            reason = SuppressionReason.SOFT_BOUNCE
        result = await suppression.record_suppression(
            row["canonical"], reason, "global", actor=ACTOR, channel=Channel.BOUNCE, contact_id=ref.contact_id,
            note=f"campaign {ref.campaign_id}: delivery status {status}")
    return Recorded(found=True, suppressed=result.created)


async def record_complaint(ref: DeliveryRef, *, now: datetime | None = None) -> Recorded:
    now = now or datetime.now(UTC)
    async with write_transaction():
        row = await _delivery(ref)
        if row is None:
            return Recorded(found=False)
        if row["complained_at"] is None:
            await Delivery.update({Delivery.complained_at: now, Delivery.updated_at: now}).where(Delivery.id == row["id"])
        created = False
        if row["canonical"]:
            created = (await suppression.record_suppression(
                row["canonical"], SuppressionReason.COMPLAINT, "global", actor=ACTOR, channel=Channel.COMPLAINT,
                contact_id=ref.contact_id, note=f"campaign {ref.campaign_id}: complaint report")).created
        paused = await _pause_on_complaint_rate(ref.campaign_id)
    return Recorded(found=True, suppressed=created, paused=paused)


async def _pause_on_complaint_rate(campaign_id: int) -> bool:
    """Inside the complaint's transaction: the pause and its audit entry commit with it, or not at all."""
    complaints = await Delivery.count().where(Delivery.campaign == campaign_id, Delivery.complained_at.is_not_null())
    sent = await Delivery.count().where(Delivery.campaign == campaign_id, Delivery.status == DeliveryStatus.SENT)
    if not sent or complaints / sent <= COMPLAINT_RATE_LIMIT:
        return False
    if not await campaigns.pause_by_the_product(campaign_id, ACTOR, {
            "why": "complaint rate", "complaints": complaints, "sent": sent, "rate": round(complaints / sent, 5),
            "limit": COMPLAINT_RATE_LIMIT}):
        return False
    log.warning("campaign %s paused: %d complaints for %d messages sent", campaign_id, complaints, sent)
    return True


async def delivery_by_message_id(message_id: str, canonical_addresses: set[str]) -> DeliveryRef | None:
    """For a report without a signed id: the delivery that carried this Message-ID, when it went to one of
    the addresses the report names. Both must match: a Message-ID alone is no proof of whom it reached."""
    # Looked up by (contact, campaign), which the ledger's unique key indexes: an index on the Message-ID
    # would cost every ledger write an entry more, for a lookup that only these reports make.
    campaign_id = campaign_of(message_id)
    if campaign_id is None or not canonical_addresses:
        return None
    for page in pages(sorted(canonical_addresses)):  # a report may name more addresses than a statement binds
        row = await Delivery.select(Delivery.campaign, Delivery.contact).where(
            Delivery.campaign == campaign_id, Delivery.contact.email_canonical.is_in(list(page)),
            Delivery.message_id == message_id.strip()).first()
        if row:
            return DeliveryRef(row["campaign"], row["contact"])
    return None
