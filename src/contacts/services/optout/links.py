"""Opting out through a link: the one-click unsubscribe of RFC 8058 and the unsubscribe page (REQ-3, REQ-22,
REQ-29), and the objection of GDPR Art. 21 (REQ-21), absolute and immediate.

An unknown, tampered or already-used token changes nothing and is answered like any other (REQ-25).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.engine import write_transaction
from contacts.domain import Channel, EventAction, SubscriptionStatus, SuppressionReason
from contacts.services import catalogue
from contacts.services.optout import invitations
from contacts.services.optout import writer as optout_writer
from contacts.services.people import ledger, suppression
from contacts.settings import get_settings
from contacts.tables import Contact, MailingList, Subscription
from contacts.tokens import LinkToken, TokenAction, codec_for


def _open(token_text: str, action: TokenAction):
    return codec_for(get_settings().secret_keys).open(token_text, action)


async def unsubscribe(token_text: str, channel: Channel) -> bool:
    """Unsubscribe from the list the token names, at once. True when something changed."""
    token = _open(token_text, TokenAction.UNSUBSCRIBE)
    return token is not None and await _unsubscribe(token, channel, "unsubscribe link")


async def unsubscribe_by_mail(token_text: str) -> bool | None:
    """REQ-22: a mail to the `unsubscribe+TOKEN@` address of List-Unsubscribe unsubscribes as the one-click POST
    does, channel `mailto`. The token is the address form (any letter case), or the link form that messages
    sent before it carried. True when something changed; None when the token is not genuine."""
    codec = codec_for(get_settings().secret_keys)
    token = codec.open_address(token_text, TokenAction.UNSUBSCRIBE) or codec.open(token_text, TokenAction.UNSUBSCRIBE)
    if token is None:
        return None
    return await _unsubscribe(token, Channel.MAILTO, "mailto unsubscribe")


async def _unsubscribe(token: LinkToken, channel: Channel, reason: str) -> bool:
    """The token's person leaves the token's list, whatever way the token came; through an invitation or a
    reminder, they leave invitations instead, and keep that list (REQ-52)."""
    if await invitations.is_invitation(token.campaign_id):
        return await invitations.leave_invitations(token, channel, reason)
    (changed,) = await optout_writer.unsubscribe([optout_writer.Unsubscribe(
        token.contact_id, token.scope_id, channel, reason=reason, campaign_id=token.campaign_id)])
    return changed


async def _canonical_address(contact_id: int) -> str | None:
    contact = await Contact.select(Contact.email_canonical).where(Contact.id == contact_id).first()
    return contact["email_canonical"] if contact else None


@dataclass(frozen=True)
class ObjectionChoice:
    """What the objection page offers: the purpose the link was for (None when it is for all of them),
    and every direct-marketing purpose, which the person may object to at once."""

    purpose: catalogue.PurposeInfo | None
    marketing_purposes: list[catalogue.PurposeInfo]


async def objection_choice(token_text: str) -> ObjectionChoice:
    """An unknown or tampered token gets the same choice as a valid one, without a purpose's name (REQ-25)."""
    token = _open(token_text, TokenAction.OBJECT)
    known = await catalogue.purposes()
    marketing = [purpose for purpose in known if purpose.is_direct_marketing]
    purpose = next((p for p in known if token and p.id == token.scope_id), None)
    return ObjectionChoice(purpose=purpose, marketing_purposes=marketing)


async def object_to(token_text: str, *, everything: bool, reason: str | None, channel: Channel) -> int:
    """REQ-21: object to the token's purpose, or to every direct-marketing purpose. Absolute and immediate:
    the purpose's subscriptions end, and a do-not-contact record per purpose outlives them. Returns how many
    purposes the objection covered (0 for a token that is not genuine)."""
    token = _open(token_text, TokenAction.OBJECT)
    if token is None:
        return 0
    known = await catalogue.purposes()
    if everything or not token.scope_id:
        purposes = [purpose for purpose in known if purpose.is_direct_marketing]
    else:
        purposes = [purpose for purpose in known if purpose.id == token.scope_id]
    return await object_for_contact(token.contact_id, purposes, reason=reason, channel=channel,
                                    all_marketing=everything or not token.scope_id, campaign_id=token.campaign_id)


async def object_for_contact(contact_id: int, purposes: list[catalogue.PurposeInfo], *, reason: str | None,
                             channel: Channel, all_marketing: bool, campaign_id: int = 0,
                             actor: str = "recipient") -> int:
    """The objection itself, from a link or recorded by the rights desk (the person's own act either way)."""
    reason = (reason or "").strip()[:2000] or None
    async with write_transaction():
        canonical = await _canonical_address(contact_id)
        if canonical is None:
            return 0
        now = datetime.now(UTC)
        for purpose in purposes:
            subscriptions = await Subscription.select(Subscription.id, Subscription.mailing_list).where(
                Subscription.contact == contact_id,
                Subscription.mailing_list.purpose == purpose.id,
                Subscription.status != SubscriptionStatus.OBJECTED,
            )
            if subscriptions:
                await Subscription.update(
                    {Subscription.status: SubscriptionStatus.OBJECTED, Subscription.ended_at: now,
                     Subscription.updated_at: now}
                ).where(Subscription.id.is_in([row["id"] for row in subscriptions]))
            await ledger.record(ledger.consent_event(
                EventAction.OBJECTED, channel, actor, reason=reason, contact=contact_id,
                purpose=purpose.id,
                details={"campaign": campaign_id or None, "all_marketing": all_marketing,
                         "subscriptions": [row["id"] for row in subscriptions]},
            ))
            await suppression.record_suppression(canonical, SuppressionReason.OBJECTION, f"purpose:{purpose.code}",
                                                 actor=actor, channel=channel, contact_id=contact_id,
                                                 purpose_id=purpose.id)
    return len(purposes)


async def for_invitations(token_text: str, action: TokenAction) -> bool:
    """Is this genuine unsubscribe or objection link one of an invitation's, which stops invitations alone?
    Its pages say so (REQ-52)."""
    token = _open(token_text, action)
    if token is None:
        return False
    if action == TokenAction.OBJECT:  # an objection to the purpose it names: to invitations, or to more
        return token.scope_id == (await invitations.invitation_purpose()).id
    return await invitations.is_invitation(token.campaign_id)


async def list_names_for(token_text: str) -> tuple[str, str] | None:
    """The French and English names of the list an unsubscribe token is for, for the confirmation page."""
    token = _open(token_text, TokenAction.UNSUBSCRIBE)
    if token is None:
        return None
    row = await MailingList.select(MailingList.name, MailingList.name_fr).where(MailingList.id == token.scope_id).first()
    return (row["name_fr"] or row["name"], row["name"]) if row else None
