"""Previews and test sends: a campaign's message as one recipient would get it, outside the ledger."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

from contacts.addresses import parse_address
from contacts.db.bulk import bulk_session
from contacts.domain import LegalBasis
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.mail.render import TemplateLibrary
from contacts.mail.transport import SmtpSettings, send_one
from contacts.sending.compose import RECIPIENT_COLUMNS, Composer, Recipient
from contacts.services.campaigns import audience
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.settings import Settings, get_settings

TEST_SEPARATORS = re.compile(r"[,;\n\r]+")
TEST_ADDRESS_LIMIT = 20
SAMPLE_NAMES = {"fr": ("Camille", "Martin"), "en": ("Alex", "Taylor")}


async def preview(campaign_id: int, to: str | None = None, settings: Settings | None = None) -> bytes:
    """The message for the contact with this address when they are in the audience, else for a sample
    recipient. Links in a sample carry no contact: they open pages with nothing to show."""
    message, _ = await preview_of(await campaigns.get(campaign_id), to, settings=settings)
    return message


async def preview_of(campaign: campaigns.CampaignInfo, to: str | None = None, language: str = "fr",
                     settings: Settings | None = None) -> tuple[bytes, bool]:
    """The campaign as given (a draft's unsaved edits, say) for the contact with this address, in the
    version they get; or for a sample recipient speaking `language`. And whether the contact was found in
    the audience."""
    settings = settings or get_settings()
    composer = Composer(campaign, settings, TemplateLibrary.from_settings(settings))
    recipient = await _recipient(campaign, to)
    found = recipient is not None
    if recipient is None:
        recipient = _sample(campaign, parse_address(to, field="to").normalized if to else "preview@example.org", language)
    return composer.compose(recipient, now=datetime.now(UTC)), found


def parse_test_addresses(text: str) -> list[str]:
    """One or several addresses, separated by commas or line breaks: each checked, the error naming it."""
    found = [part.strip() for part in TEST_SEPARATORS.split(text) if part.strip()]
    if not found:
        raise ValidationError("to", N_("give at least one address"))
    if len(found) > TEST_ADDRESS_LIMIT:
        raise ValidationError("to", N_("%(count)s addresses; a test goes to at most %(limit)s"), count=len(found),
                              limit=TEST_ADDRESS_LIMIT)
    addresses = []
    for part in found:
        try:
            addresses.append(parse_address(part, field="to").normalized)
        except ValidationError:
            raise ValidationError("to", N_("%(address)s is not a valid email address"), address=part) from None
    return list(dict.fromkeys(addresses))


async def send_test(campaign_id: int, to: str, settings: Settings | None = None) -> list[str]:
    """[TEST] messages to each address (comma or newline separated), as sample recipients speaking
    French, then English when the campaign has an English version: every address is checked before any
    message goes. Returns the addresses."""
    settings = settings or get_settings()
    addresses = parse_test_addresses(to)
    campaign = await campaigns.get(campaign_id)
    scopes = set().union(*(campaign.suppression_scopes(item) for item in campaign.lists))
    for address in addresses:
        blocked = [entry for entry in await suppression.entries_for(address) if entry.scope in scopes]
        if blocked:
            raise ValidationError("to", N_("%(address)s is on the suppression list (%(reason)s); no test message "
                                           "was sent"), address=address, reason=blocked[0].reason)
    # A test's links go straight to their targets: staff checking them count no click (REQ-48).
    test_campaign = dataclasses.replace(campaign, count_clicks=False, contents={
        language: dataclasses.replace(content, subject=f"[TEST] {content.subject}")
        for language, content in campaign.contents.items()})
    composer = Composer(test_campaign, settings, TemplateLibrary.from_settings(settings))
    smtp = SmtpSettings.from_url(settings.smtp_url)
    for address in addresses:
        for language in campaign.contents:
            message = composer.compose(_sample(campaign, address, language))
            outcome = await send_one(smtp, f"bounces@{composer.domain}", parse_address(address, field="to"), message)
            if not outcome.delivered:
                raise ValidationError("to", N_("the SMTP server refused the test message to %(address)s: "
                                               "%(answer)s"), address=address,
                                      answer=f"{outcome.code or ''} {outcome.message}")
    return addresses


async def _recipient(campaign: campaigns.CampaignInfo, to: str | None) -> Recipient | None:
    if to is None:
        return None
    address = parse_address(to, field="to")
    async with bulk_session() as session:
        rows = await session.select_in("contact", RECIPIENT_COLUMNS + ("email_canonical",), "email_canonical",
                                       [address.canonical])
        if rows:
            facts = await audience.facts_for(session, [rows[0]["id"]], campaign, suppression.keyring())
            reached = next((item.id for item in campaign.lists if item.id in facts[rows[0]["id"]].subscribed), None)
            if reached is not None:
                return Recipient.from_row(rows[0], reached, facts[rows[0]["id"]].subscribed[reached])
    return None


def _sample(campaign: campaigns.CampaignInfo, address: str, language: str = "fr") -> Recipient:
    first = campaign.lists[0]
    return Recipient(contact_id=0, list_id=first.id, legal_basis=LegalBasis(first.purpose.default_legal_basis),
                     email=address, name=" ".join(SAMPLE_NAMES[language]), language=language,
                     third_party_source=None, first_name=SAMPLE_NAMES[language][0], last_name=SAMPLE_NAMES[language][1])
