"""Opting out through an invitation or a reminder stops invitations and nothing else (REQ-52).

A guest is reached through the list they were drawn from (the journalists, the press releases): the
unsubscribe link of an invitation names that list, as every campaign's link does. Leaving that list would
cost a journalist the press releases they asked for. So an unsubscribe link, one-click POST or mailto of a
message sent under the PR-invitations purpose leaves that purpose instead: a do-not-contact entry for
`purpose:pr-invitations`, and the end of any subscription to a list of that purpose. The token's campaign
says which messages these are, so the links of invitations sent before this rule do the same.
"""

from __future__ import annotations

from datetime import UTC, datetime

from contacts.db.engine import engine, write_transaction
from contacts.domain import (
    INVITATION_PURPOSE,
    CampaignStatus,
    Channel,
    EventAction,
    SubscriptionStatus,
    SuppressionReason,
)
from contacts.services import catalogue
from contacts.services.people import ledger, suppression
from contacts.tables import Campaign, Contact, Subscription
from contacts.tokens import LinkToken

# (database, campaign id) -> sent under PR invitations? Known for good once a campaign has left its draft (its
# purpose no longer changes), so the one-click path asks the database once per campaign and process.
_sent_as_invitation: dict[tuple[str, int], bool] = {}


async def is_invitation(campaign_id: int) -> bool:
    """Was this campaign (an invitation, a reminder) sent under the PR-invitations purpose?"""
    if not campaign_id:
        return False
    key = (_database(), campaign_id)
    if key in _sent_as_invitation:
        return _sent_as_invitation[key]
    row = await Campaign.select(Campaign.status, Campaign.purpose.code.as_alias("purpose")).where(
        Campaign.id == campaign_id).first()
    found = row is not None and row["purpose"] == INVITATION_PURPOSE
    if row is None or row["status"] != CampaignStatus.DRAFT:  # a genuine link never names a campaign to come
        _sent_as_invitation[key] = found
    return found


def _database() -> str:
    """The database the engine points at: one process may point it at several in turn (the tests do)."""
    db = engine()
    return f"{getattr(db, 'path', '')}|{getattr(db, 'config', {}).get('dsn', '')}"


async def invitation_purpose() -> catalogue.PurposeInfo:
    return next(p for p in await catalogue.purposes() if p.code == INVITATION_PURPOSE)


async def leave_invitations(token: LinkToken, channel: Channel, reason: str) -> bool:
    """The token's person stops receiving invitations: their subscriptions to lists of that purpose end, and a
    do-not-contact entry for the purpose stops every invitation drawn from any other list (REQ-42). Their other
    subscriptions stay as they are. True when something changed."""
    purpose = await invitation_purpose()
    now = datetime.now(UTC)
    async with write_transaction():
        contact = await Contact.select(Contact.email_canonical).where(Contact.id == token.contact_id).first()
        if contact is None or not contact["email_canonical"]:
            return False
        ending = await Subscription.select(Subscription.id, Subscription.mailing_list).where(
            Subscription.contact == token.contact_id, Subscription.mailing_list.purpose == purpose.id,
            Subscription.status.is_in([SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.PENDING]))
        if ending:
            await Subscription.update({Subscription.status: SubscriptionStatus.UNSUBSCRIBED, Subscription.ended_at: now,
                                       Subscription.updated_at: now}).where(
                Subscription.id.is_in([row["id"] for row in ending]))
            await ledger.record(*[ledger.consent_event(
                EventAction.UNSUBSCRIBED, channel, "recipient", reason=reason, contact=token.contact_id,
                subscription=row["id"], mailing_list=row["mailing_list"], purpose=purpose.id,
                details={"campaign": token.campaign_id or None}) for row in ending])
        entry = await suppression.record_suppression(
            contact["email_canonical"], SuppressionReason.UNSUBSCRIBE, f"purpose:{purpose.code}", actor="recipient",
            channel=channel, contact_id=token.contact_id, purpose_id=purpose.id)
    return bool(ending) or entry.created
