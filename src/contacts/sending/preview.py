"""Previews and test sends: a campaign's message as one recipient would get it, outside the ledger."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from contacts.addresses import parse_address
from contacts.db.bulk import bulk_session
from contacts.domain import LegalBasis
from contacts.errors import ValidationError
from contacts.mail.render import TemplateLibrary
from contacts.mail.transport import SmtpSettings, send_one
from contacts.sending.compose import RECIPIENT_COLUMNS, Composer, Recipient
from contacts.services.campaigns import audience
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.settings import Settings, get_settings


async def preview(campaign_id: int, to: str | None = None, settings: Settings | None = None) -> bytes:
    """The message for the contact with this address when they are in the audience, else for a sample
    recipient. Links in a sample carry no contact: they open pages with nothing to show."""
    settings = settings or get_settings()
    campaign = await campaigns.get(campaign_id)
    composer = Composer(campaign, settings, TemplateLibrary(settings.templates_dir))
    recipient = await _recipient(campaign, to)
    return composer.compose(recipient, now=datetime.now(UTC))


async def send_test(campaign_id: int, to: str, settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    address = parse_address(to, field="to")
    campaign = await campaigns.get(campaign_id)
    scopes = set().union(*(campaign.suppression_scopes(item) for item in campaign.lists))
    blocked = [entry for entry in await suppression.entries_for(address.normalized) if entry.scope in scopes]
    if blocked:
        raise ValidationError("to", f"is on the suppression list ({blocked[0].reason}); no test message was sent")
    test_campaign = dataclasses.replace(campaign, contents={
        language: dataclasses.replace(content, subject=f"[TEST] {content.subject}")
        for language, content in campaign.contents.items()})
    composer = Composer(test_campaign, settings, TemplateLibrary(settings.templates_dir))
    message = composer.compose(_sample(campaign, address.normalized))
    outcome = await send_one(SmtpSettings.from_url(settings.smtp_url), f"bounces@{composer.domain}", address, message)
    if not outcome.delivered:
        raise ValidationError("to", f"the SMTP server refused the test message: {outcome.code or ''} {outcome.message}")


async def _recipient(campaign: campaigns.CampaignInfo, to: str | None) -> Recipient:
    if to is None:
        return _sample(campaign, "preview@example.org")
    address = parse_address(to, field="to")
    async with bulk_session() as session:
        rows = await session.select_in("contact", RECIPIENT_COLUMNS + ("email_canonical",), "email_canonical",
                                       [address.canonical])
        if rows:
            facts = await audience.facts_for(session, [rows[0]["id"]], campaign, suppression.keyring())
            reached = next((item.id for item in campaign.lists if item.id in facts[rows[0]["id"]].subscribed), None)
            if reached is not None:
                return Recipient.from_row(rows[0], reached, facts[rows[0]["id"]].subscribed[reached])
    return _sample(campaign, address.normalized)


def _sample(campaign: campaigns.CampaignInfo, address: str) -> Recipient:
    first = campaign.lists[0]
    return Recipient(contact_id=0, list_id=first.id, legal_basis=LegalBasis(first.purpose.default_legal_basis),
                     email=address, name="Camille Martin", language="fr", third_party_source=None)
