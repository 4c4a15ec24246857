"""Opting out through a link: the one-click unsubscribe of RFC 8058 and the unsubscribe page (REQ-3, REQ-22, REQ-29).

An unknown, tampered or already-used token changes nothing and is answered like any other (REQ-25).
"""

from __future__ import annotations

from datetime import datetime, timezone

from contacts.database import write_transaction
from contacts.domain import Channel, EventAction, SubscriptionStatus, SuppressionReason
from contacts.services import ledger, suppression
from contacts.settings import get_settings
from contacts.tables import Contact, MailingList, Subscription
from contacts.tokens import TokenAction, TokenCodec


async def unsubscribe(token_text: str, channel: Channel) -> bool:
    """Unsubscribe from the list the token names, at once. True when something changed."""
    token = TokenCodec(get_settings().secret_keys).open(token_text, TokenAction.UNSUBSCRIBE)
    if token is None:
        return False
    async with write_transaction():
        subscription = await Subscription.select(
            Subscription.id, Subscription.status, Subscription.mailing_list.purpose.as_alias("purpose"),
            Subscription.mailing_list.slug.as_alias("slug"),
        ).where(Subscription.contact == token.contact_id, Subscription.mailing_list == token.scope_id).first()
        if subscription is None:
            return False
        changed = subscription["status"] in (SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.PENDING)
        if changed:
            now = datetime.now(timezone.utc)
            await Subscription.update(
                {Subscription.status: SubscriptionStatus.UNSUBSCRIBED, Subscription.ended_at: now,
                 Subscription.updated_at: now}
            ).where(Subscription.id == subscription["id"])
            await ledger.record(ledger.consent_event(
                EventAction.UNSUBSCRIBED, channel, "recipient", reason="unsubscribe link",
                contact=token.contact_id, subscription=subscription["id"], mailing_list=token.scope_id,
                purpose=subscription["purpose"], details={"campaign": token.campaign_id or None},
            ))
        contact = await Contact.select(Contact.email).where(Contact.id == token.contact_id).first()
        if contact and contact["email"]:
            # REQ-42: a do-not-contact record for that list, which outlives the contact's data.
            await suppression.suppress(contact["email"], SuppressionReason.UNSUBSCRIBE,
                                       scope=f"list:{subscription['slug']}", actor="recipient", channel=channel)
    return changed


async def list_names_for(token_text: str) -> tuple[str, str] | None:
    """The French and English names of the list an unsubscribe token is for, for the confirmation page."""
    token = TokenCodec(get_settings().secret_keys).open(token_text, TokenAction.UNSUBSCRIBE)
    if token is None:
        return None
    row = await MailingList.select(MailingList.name, MailingList.name_fr).where(MailingList.id == token.scope_id).first()
    return (row["name_fr"] or row["name"], row["name"]) if row else None
