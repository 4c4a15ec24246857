"""The preference centre behind `/p/{token}`: every list the person is on, why, and on what basis; turning
lists off at once and back on through double opt-in (REQ-43); unsubscribing from everything; the
language of their messages; and requests to exercise their rights.

An unknown or tampered token opens an empty centre, exactly like a genuine one with nothing to show
(REQ-25), and whatever is submitted through it changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from contacts.db.engine import write_transaction
from contacts.domain import (
    Channel,
    Language,
    LegalBasis,
    RightsRequestType,
    SubscriptionStatus,
)
from contacts.mail.wording import BASIS_WORDS
from contacts.services import catalogue
from contacts.services.optout import writer as optout_writer
from contacts.services.people import consent
from contacts.services.people.consent import ConfirmationMail
from contacts.services.retention.activity import person_initiated
from contacts.services.rights import requests as rights
from contacts.services.rights.notices import Receipt
from contacts.settings import get_settings
from contacts.tables import Contact, PendingConsent, Subscription
from contacts.tokens import TokenAction, codec_for

# What the preference centre lets a person ask for; the rights desk handles them.
CENTRE_REQUESTS = (RightsRequestType.ACCESS, RightsRequestType.PORTABILITY, RightsRequestType.RECTIFICATION,
                   RightsRequestType.ERASURE)


class OffReason(StrEnum):
    """Why a list the person is on does not reach them, as the centre explains it next to its box."""

    UNSUBSCRIBED = "unsubscribed"
    OBJECTED = "objected"  # ticking it again cannot lift the objection: only the confirmation, a fresh consent
    OBJECTED_PENDING = "objected_pending"  # objected, and asked again: the objection holds until confirmed
    PENDING = "pending"  # waiting for the person's confirmation (double opt-in)


@dataclass(frozen=True)
class ListPreference:
    slug: str
    name: str
    purpose_name: str
    purpose_description: str
    basis_words: str
    status: SubscriptionStatus
    is_on: bool
    is_pending: bool
    off_reason: OffReason | None  # None when the list is on


@dataclass
class Preferences:
    language: str | None = None  # the language of their messages; None when there is nobody to show
    lists: list[ListPreference] = field(default_factory=list)


@dataclass
class SaveResult:
    confirmation: ConfirmationMail | None = None  # lists to turn back on: the caller mails the link


def _contact_id(token_text: str) -> int | None:
    token = codec_for(get_settings().secret_keys).open(token_text, TokenAction.PREFERENCES)
    return token.contact_id if token else None


def _campaign_id(token_text: str) -> int:
    """The campaign whose message carried the link (0: none), which an opt-out's ledger event names, as the
    unsubscribe and objection links' do: the campaign's report counts the opt-outs through its links."""
    token = codec_for(get_settings().secret_keys).open(token_text, TokenAction.PREFERENCES)
    return token.campaign_id if token else 0


async def _active_contact(contact_id: int | None) -> dict | None:
    if contact_id is None:
        return None
    return await Contact.select(Contact.id, Contact.email, Contact.first_name, Contact.last_name,
                                Contact.language).where(Contact.id == contact_id, Contact.email.is_not_null()).first()


async def load(token_text: str, page_language: str) -> Preferences:
    contact = await _active_contact(_contact_id(token_text))
    if contact is None:
        return Preferences()
    by_id = {item.id: item for item in await catalogue.lists()}
    rows = await Subscription.select(Subscription.mailing_list, Subscription.status, Subscription.legal_basis).where(
        Subscription.contact == contact["id"]).order_by(Subscription.mailing_list)
    pending = await _pending_list_ids(contact["id"])
    entries = []
    for row in rows:
        mailing_list = by_id[row["mailing_list"]]
        status = SubscriptionStatus(row["status"])
        is_pending = mailing_list.id in pending or status == SubscriptionStatus.PENDING
        entries.append(ListPreference(
            slug=mailing_list.slug,
            name=mailing_list.display_name(page_language),
            purpose_name=mailing_list.purpose.display_name(page_language),
            purpose_description=mailing_list.purpose.display_description(page_language),
            basis_words=BASIS_WORDS[page_language][LegalBasis(row["legal_basis"])],
            status=status,
            is_on=status == SubscriptionStatus.SUBSCRIBED,
            is_pending=is_pending,
            off_reason=_off_reason(status, is_pending),
        ))
    return Preferences(language=contact["language"], lists=entries)


def _off_reason(status: SubscriptionStatus, is_pending: bool) -> OffReason | None:
    if status == SubscriptionStatus.SUBSCRIBED:
        return None
    if status == SubscriptionStatus.OBJECTED:
        return OffReason.OBJECTED_PENDING if is_pending else OffReason.OBJECTED
    return OffReason.PENDING if is_pending else OffReason.UNSUBSCRIBED


async def _pending_list_ids(contact_id: int) -> set[int]:
    rows = await PendingConsent.select(PendingConsent.lists).where(
        PendingConsent.contact == contact_id, PendingConsent.confirmed_at.is_null(),
        PendingConsent.expires_at > datetime.now(UTC))
    return {entry["list"] for row in rows for entry in consent.entries_of(row)}


async def save(token_text: str, *, shown: set[str], wanted: set[str], language: str | None,
               page_language: str) -> SaveResult:
    """`shown`: the lists the page showed; of those, the ones not `wanted` turn off, and the ones wanted
    that were off are asked for again by double opt-in. A list the page did not show is left alone.
    `language`: the one chosen for messages; `page_language`: the page's, in which the person read the lists."""
    result = SaveResult()
    contact = await _active_contact(_contact_id(token_text))
    if contact is None:
        return result
    by_slug = {item.slug: item for item in await catalogue.lists()}
    rows = await Subscription.select(Subscription.mailing_list, Subscription.status).where(
        Subscription.contact == contact["id"])
    status_by_list = {row["mailing_list"]: row["status"] for row in rows}
    to_turn_off, to_turn_on = [], []
    for slug in shown & set(by_slug):
        mailing_list = by_slug[slug]
        if mailing_list.id not in status_by_list:
            continue
        is_on = status_by_list[mailing_list.id] == SubscriptionStatus.SUBSCRIBED
        if is_on and slug not in wanted:
            to_turn_off.append(mailing_list)
        elif not is_on and slug in wanted:
            to_turn_on.append(mailing_list)
    await person_initiated(contact["id"])
    mail_language = language if language in tuple(Language) else contact["language"]
    await optout_writer.unsubscribe([
        optout_writer.Unsubscribe(contact["id"], mailing_list.id, Channel.PREFERENCE_CENTRE, "preference centre",
                                  campaign_id=_campaign_id(token_text))
        for mailing_list in to_turn_off])
    if mail_language != contact["language"]:
        async with write_transaction():
            await Contact.update({Contact.language: mail_language, Contact.updated_at: datetime.now(UTC)}
                                 ).where(Contact.id == contact["id"])
    if to_turn_on:
        result.confirmation = await consent.request_resubscription(
            contact["id"], [item.id for item in to_turn_on], mail_language, page_language)
    return result


async def unsubscribe_everything(token_text: str) -> None:
    """Every list off, and a global do-not-contact record that also covers lists created later (REQ-42)."""
    contact = await _active_contact(_contact_id(token_text))
    if contact is None:
        return
    await optout_writer.unsubscribe([optout_writer.Unsubscribe(
        contact["id"], None, Channel.PREFERENCE_CENTRE, "unsubscribe from everything",
        campaign_id=_campaign_id(token_text))])


async def request_right(token_text: str, request_type: RightsRequestType, details: str | None) -> Receipt | None:
    """A rights request from a link mailed to the person's own address: a known channel (REQ-15)."""
    if request_type not in CENTRE_REQUESTS:
        return None
    contact = await _active_contact(_contact_id(token_text))
    if contact is None:
        return None
    await person_initiated(contact["id"])
    text = (details or "").strip()[:4000]
    created = await rights.record_request(
        contact["id"], request_type, Channel.PREFERENCE_CENTRE, details={"text": text} if text else {},
        identity_method="preference-centre link mailed to the address",
    )
    name = " ".join(part for part in (contact["first_name"], contact["last_name"]) if part) or None
    return Receipt(contact["email"], name, contact["language"], request_type, created["received_at"],
                         created["due_on"])
