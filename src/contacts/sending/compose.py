"""Composing each recipient's message from the campaign's rendered variants.

A variant is the template rendered once for a (language, list, legal basis, third-party source or not);
a recipient's message fills in their greeting and their own links (REQ-32: sealed tokens, no address or
id in any URL), then is assembled by `MessageSkeleton` with the RFC 8058 headers (REQ-27).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timezone

from contacts.addresses import parse_address
from contacts.domain import LegalBasis, SourceType
from contacts.mail.message import (
    EncodedTemplate,
    MessageSkeleton,
    encode_header_value,
    mailbox,
    message_id,
)
from contacts.mail.render import TemplateLibrary, escaped, recipient_markers
from contacts.mail.wording import BASIS_WORDS, LANGUAGES, Words
from contacts.services.campaigns.core import CampaignInfo
from contacts.settings import Settings
from contacts.tokens import LinkToken, TokenAction, TokenCodec

RECIPIENT_COLUMNS = ("id", "title", "first_name", "last_name", "email", "language", "source_type", "source_name")


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    list_id: int
    legal_basis: str
    email: str
    name: str | None
    language: str
    third_party_source: str | None  # REQ-13: where we got the address, when it was not from the person

    @classmethod
    def from_row(cls, row: dict, list_id: int, legal_basis: str) -> Recipient:
        name = " ".join(part for part in (row["first_name"], row["last_name"]) if part) or None
        language = row["language"] if row["language"] in LANGUAGES else "fr"
        third_party = row["source_name"] if row["source_type"] == SourceType.THIRD_PARTY else None
        return cls(row["id"], list_id, legal_basis, row["email"], name, language, third_party)


@dataclass(frozen=True)
class Envelope:
    """A composed message with its SMTP envelope, ready for its transaction."""

    recipient: Recipient
    message: bytes
    sender: str
    to: str  # the envelope recipient: an IDN domain as its A-label
    smtputf8: bool  # a Unicode local part needs SMTPUTF8


def message_id_secret(settings: Settings) -> bytes:
    return hmac.new(settings.secret_key.encode(), b"contacts/message-id/v1", hashlib.sha256).digest()


class Composer:
    def __init__(self, campaign: CampaignInfo, settings: Settings, library: TemplateLibrary) -> None:
        self.campaign = campaign
        self.settings = settings
        self.library = library
        self.codec = TokenCodec(settings.secret_keys)
        self.domain = settings.sender_domain
        self.message_id_secret = message_id_secret(settings)
        self._variants: dict[tuple, _Variant] = {}
        self._lists = {item.id: item for item in campaign.lists}

    def message_id(self, contact_id: int) -> str:
        return message_id(self.message_id_secret, self.campaign.id, contact_id, self.domain)

    def envelope_sender(self, contact_id: int) -> str:
        """VERP: bounces come back to an address that names the delivery, never the recipient's address."""
        token = self.codec.seal_address(LinkToken(TokenAction.BOUNCE, contact_id, 0, self.campaign.id))
        return f"bounces+{token}@{self.domain}"

    def links(self, recipient: Recipient) -> dict[str, str]:
        base, campaign = self.settings.base_url, self.campaign
        unsubscribe_token = LinkToken(TokenAction.UNSUBSCRIBE, recipient.contact_id, recipient.list_id, campaign.id)
        unsubscribe = self.codec.seal(unsubscribe_token)
        mailto = self.codec.seal_address(unsubscribe_token)  # the address form: case-folding MTAs keep it whole
        objection = self.codec.seal(LinkToken(TokenAction.OBJECT, recipient.contact_id, campaign.purpose.id, campaign.id))
        preferences = self.codec.seal(LinkToken(TokenAction.PREFERENCES, recipient.contact_id, 0, campaign.id))
        links = {
            "unsubscribe_url": f"{base}/u/{unsubscribe}",
            "unsubscribe_mailto": f"mailto:unsubscribe+{mailto}@{self.domain}?subject=unsubscribe",
            "objection_url": f"{base}/o/{objection}",
            "preferences_url": f"{base}/p/{preferences}",
        }
        if campaign.invitation_list_id is not None:  # the guest's own answer links, for this invitation list
            for field, action in (("rsvp_accept_url", TokenAction.RSVP_ACCEPT),
                                  ("rsvp_decline_url", TokenAction.RSVP_DECLINE)):
                token = self.codec.seal(LinkToken(action, recipient.contact_id, campaign.invitation_list_id, campaign.id))
                links[field] = f"{base}/r/{token}"
        return links

    def compose(self, recipient: Recipient, now: datetime | None = None, message_id: str | None = None) -> bytes:
        """`message_id`: the one the ledger recorded, so that a repeat carries it even after a key rotation.
        The whole message is in the language of the version the recipient gets (campaign.shown_language)."""
        variant = self._variant(recipient)
        links = self.links(recipient)
        words = Words(self.campaign.shown_language(recipient.language))
        values = {
            **links,
            "greeting": words.greeting.format(name=recipient.name) if recipient.name else words.greeting_anonymous,
            "third_party_source": recipient.third_party_source or "",
        }
        return variant.skeleton.message(
            to=mailbox(recipient.name, recipient.email),
            message_id=message_id or self.message_id(recipient.contact_id),
            date=now or datetime.now(timezone.utc),
            parts=(variant.text.encode(values), variant.html.encode(escaped(values))),
            unsubscribe_url=links["unsubscribe_url"],
            unsubscribe_mailto=links["unsubscribe_mailto"],
        )

    def envelope(self, recipient: Recipient, message_id: str) -> Envelope:
        """The message and its envelope."""
        message = self.compose(recipient, message_id=message_id)
        if recipient.email.isascii():
            to, smtputf8 = recipient.email, False
        else:  # an IDN domain goes as its A-label, without SMTPUTF8; a Unicode local part needs SMTPUTF8
            address = parse_address(recipient.email)
            to, smtputf8 = address.envelope_recipient, address.needs_smtputf8
        return Envelope(recipient, message, self.envelope_sender(recipient.contact_id), to, smtputf8)

    def _variant(self, recipient: Recipient) -> _Variant:
        language = self.campaign.shown_language(recipient.language)
        key = (language, recipient.list_id, recipient.legal_basis, recipient.third_party_source is not None)
        if key not in self._variants:
            mailing_list = self._lists[recipient.list_id]
            content = self.campaign.contents[language]
            context = {
                "lang": language,
                "organisation": self.settings.organisation,
                "subject": content.subject,
                "preheader": content.preheader,  # the inbox's preview line: in the HTML part only, hidden
                "list_name": mailing_list.display_name(language),
                "purpose_name": self.campaign.purpose.display_name(language),
                "basis_words": BASIS_WORDS[language][LegalBasis(recipient.legal_basis)],
                "body_paragraphs": content.paragraphs,
                **recipient_markers(third_party=recipient.third_party_source is not None,
                                    rsvp=self.campaign.invitation_list_id is not None),
            }
            parts = self.library.render(self.campaign.template, context)
            skeleton = MessageSkeleton.build(
                from_name=self.settings.organisation,
                from_address=self.settings.from_address,
                subject=content.subject,
                list_id=f"{_phrase(mailing_list.name)} <{mailing_list.slug}.{self.domain}>",
                boundary_seed=f"{self.campaign.id}:{key}",
            )
            self._variants[key] = _Variant(
                EncodedTemplate.of(parts.text), EncodedTemplate.of(parts.html), skeleton
            )
        return self._variants[key]


@dataclass(frozen=True)
class _Variant:
    text: EncodedTemplate
    html: EncodedTemplate
    skeleton: MessageSkeleton


def _phrase(name: str) -> str:
    """A List-Id phrase: quoted when it holds specials, RFC 2047 when it is not ASCII."""
    if not name.isascii():
        return encode_header_value(name)
    return f'"{name}"' if any(ch in name for ch in '()<>@,;:\\".[]') else name
