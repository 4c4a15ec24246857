"""Composing each recipient's message from the campaign's rendered variants.

A variant is the template rendered once for a (language, list, legal basis, third-party source or not),
around the campaign's Markdown body rendered once per language (never per recipient); a recipient's
message fills in their greeting, the body's placeholders and their own links (REQ-32: sealed tokens, no
address or id in any URL), then is assembled by `MessageSkeleton` with the RFC 8058 headers (REQ-27).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup

from contacts.addresses import parse_address
from contacts.domain import INVITATION_PURPOSE, Greeting, LegalBasis, SourceType
from contacts.event_facts import EventFacts
from contacts.mail import click_links, markdown_body
from contacts.mail.message import (
    EncodedTemplate,
    MessageSkeleton,
    encode_header_value,
    mailbox,
    message_id,
)
from contacts.mail.render import (
    RECIPIENT_FIELDS,
    TemplateLibrary,
    escaped,
    filled_once,
    marker,
    recipient_markers,
)
from contacts.mail.wording import BASIS_WORDS, LANGUAGES, Words
from contacts.sending.view_links import view_url
from contacts.services.campaigns.core import CampaignInfo
from contacts.settings import Settings
from contacts.tokens import LinkToken, TokenAction, TokenCodec

RECIPIENT_COLUMNS = ("id", "title", "first_name", "last_name", "organisation", "email", "language", "source_type",
                     "source_name")
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    contact_id: int
    list_id: int
    legal_basis: str
    email: str
    name: str | None
    language: str
    third_party_source: str | None  # REQ-13: where we got the address, when it was not from the person
    first_name: str | None = None  # for the greeting and the body's placeholders
    last_name: str | None = None
    title: str | None = None
    organisation: str | None = None

    @classmethod
    def from_row(cls, row: dict, list_id: int, legal_basis: str) -> Recipient:
        name = " ".join(part for part in (row["first_name"], row["last_name"]) if part) or None
        language = row["language"] if row["language"] in LANGUAGES else "fr"
        third_party = row["source_name"] if row["source_type"] == SourceType.THIRD_PARTY else None
        return cls(row["id"], list_id, legal_basis, row["email"], name, language, third_party, row["first_name"],
                   row["last_name"], row["title"], row["organisation"])

    def placeholder_values(self) -> dict[str, str | None]:
        return {"first_name": self.first_name, "last_name": self.last_name, "title": self.title,
                "organisation": self.organisation}


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
        self._bodies: dict[str, markdown_body.RenderedBody] = {}
        self._lists = {item.id: item for item in campaign.lists}
        self._view_urls: dict[str, str] = {}

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

    def view_url(self, language: str) -> str:
        """The campaign's "view in your browser" link in this language: the same for every recipient."""
        if language not in self._view_urls:
            self._view_urls[language] = view_url(self.codec, self.settings.base_url, self.campaign.id, language)
        return self._view_urls[language]

    def compose(self, recipient: Recipient, now: datetime | None = None, message_id: str | None = None) -> bytes:
        """`message_id`: the one the ledger recorded, so that a repeat carries it even after a key rotation."""
        variant = self._variant(recipient)
        links = self.links(recipient)
        first_name = " ".join((recipient.first_name or "").split())
        words = Words(self.campaign.shown_language(recipient.language))  # the message is in its version's language
        values = {
            **links,
            **(variant.body.values(recipient.placeholder_values()) if variant.body.placeholders else {}),
            "greeting": words.greeting.format(name=first_name) if first_name else words.greeting_anonymous,
            "third_party_source": recipient.third_party_source or "",
        }
        return variant.skeleton.message(
            to=mailbox(recipient.name, recipient.email),
            message_id=message_id or self.message_id(recipient.contact_id),
            date=now or datetime.now(UTC),
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
        # The version the recipient gets (campaign.shown_language): theirs, or the other one staff chose.
        language = self.campaign.shown_language(recipient.language)
        key = (language, recipient.list_id, recipient.legal_basis, recipient.third_party_source is not None)
        if key not in self._variants:
            mailing_list = self._lists[recipient.list_id]
            context = self.variant_context(language, recipient.list_id, recipient.legal_basis,
                                           third_party=recipient.third_party_source is not None)
            parts = self.library.render(self.campaign.template, context)
            # "View in your browser": one link per language, so filled once per variant, not per message. It is
            # a marker until here: a rewrite of the rendered content's links (click counting) finds no URL in it.
            parts = filled_once(parts, {"view_url": self.view_url(language)})
            skeleton = MessageSkeleton.build(
                from_name=self.settings.organisation,
                from_address=self.settings.from_address,
                subject=self.campaign.contents[language].subject,
                # The list named in the message's own language, as the footer names it.
                list_id=f"{_phrase(mailing_list.display_name(language))} <{mailing_list.slug}.{self.domain}>",
                boundary_seed=f"{self.campaign.id}:{key}",
            )
            self._variants[key] = _Variant(
                EncodedTemplate.of(parts.text), EncodedTemplate.of(parts.html), skeleton,
                self._body(language),
            )
        return self._variants[key]

    def variant_context(self, language: str, list_id: int, legal_basis: str, third_party: bool) -> dict[str, object]:
        """What the template gets for one variant, with markers for each recipient's values. `language`: one
        the campaign has a version in."""
        mailing_list = self._lists[list_id]
        return {
            "lang": language,
            "organisation": self.settings.organisation,
            "subject": self.campaign.contents[language].subject,
            "preheader": self.campaign.contents[language].preheader,  # the inbox's preview line: HTML only, hidden
            "list_name": mailing_list.display_name(language),
            "purpose_name": self.campaign.purpose.display_name(language),
            "basis_words": BASIS_WORDS[language][LegalBasis(legal_basis)],
            "invitations_only": self.campaign.purpose.code == INVITATION_PURPOSE,  # its opt-outs (REQ-52)
            **recipient_markers(third_party=third_party, rsvp=self.campaign.invitation_list_id is not None),
            **body_context(self.campaign.greeting, Words(language), self._body(language)),
            **event_context(self.campaign.event, language),
        }

    # --- view in your browser (issue 20, item 8) ---
    def browser_view_context(self, language: str) -> dict[str, object]:
        """The variant's context for the public copy at /v/TOKEN: each recipient's value neutral (the
        anonymous greeting, no link of anyone's, no RSVP buttons), and `browser_view` so that the layout
        says where those links are instead of showing why a person receives the message."""
        language = self.campaign.shown_language(language)
        first = self.campaign.lists[0]
        context = self.variant_context(language, first.id, first.purpose.default_legal_basis, third_party=False)
        context = {name: value for name, value in context.items() if not name.startswith("rsvp_")}  # no buttons
        context.update({field: "" for field in RECIPIENT_FIELDS if not field.startswith("rsvp_")})  # nobody's value
        greeting = Words(language).greeting_anonymous if self.campaign.greeting == Greeting.FIRST_NAME else context["greeting"]
        context.update({"greeting": greeting, "third_party_source": None,
                        "view_url": None, "browser_view": True})
        return context

    def browser_view_values(self, language: str) -> dict[str, str]:
        """The body's placeholders as nobody in particular: each one's fallback."""
        body = self._body(self.campaign.shown_language(language))
        return body.values({}) if body.placeholders else {}
    # --- end view in your browser ---

    def _body(self, language: str) -> markdown_body.RenderedBody:
        """The campaign's Markdown in both parts, rendered once per language, its web links counted (REQ-48)
        unless staff turned counting off. A body saved before bodies were Markdown, and that breaks a rule, is
        sent as the plain text it was written as."""
        if language not in self._bodies:
            source = self.campaign.contents[language].body
            counting = click_links.counting_target(self.codec, self.settings.base_url, self.campaign.id, language) \
                if self.campaign.count_clicks else None
            rendered, as_plain = click_links.render_body(source, language, self.settings.brand_colour, counting)
            if as_plain:
                log.warning("campaign %s: its body is sent as plain text", self.campaign.id)
            self._bodies[language] = rendered
        return self._bodies[language]


def event_context(event: EventFacts | None, language: str) -> dict[str, object]:
    """The event an invitation names, in the version's language (the same for every guest)."""
    if event is None:
        return {"event_title": None}
    return {"event_title": event.title(language), "event_when": event.when(language), "event_place": event.place()}


def body_context(greeting: Greeting, words: Words, body: markdown_body.RenderedBody) -> dict[str, object]:
    """What a template shows of the body: its two parts, and the greeting staff chose (a first name is a
    recipient's value, so a marker; the formal one is the same for all)."""
    opening = {Greeting.NONE: None, Greeting.FIRST_NAME: marker("greeting"), Greeting.FORMAL: words.greeting_formal}
    return {"greeting": opening[greeting], "body_html": Markup(body.html), "body_text": body.text}


@dataclass(frozen=True)
class _Variant:
    text: EncodedTemplate
    html: EncodedTemplate
    skeleton: MessageSkeleton
    body: markdown_body.RenderedBody


def _phrase(name: str) -> str:
    """A List-Id phrase: quoted when it holds specials, RFC 2047 when it is not ASCII."""
    if not name.isascii():
        return encode_header_value(name)
    return f'"{name}"' if any(ch in name for ch in '()<>@,;:\\".[]') else name
