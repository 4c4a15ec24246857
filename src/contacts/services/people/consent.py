"""Fresh consent by double opt-in (REQ-2, REQ-12, REQ-43): the public signup form and the preference
centre ask; only the link in the confirmation mail subscribes.

A request is a PendingConsent: nothing is subscribed and no contact is created until it is confirmed.
Its token expires (REQ-33). Confirming records one consent per list, with its proof (when it was asked,
where, the notice version and the words the person ticked, when it was confirmed), and lifts the
person's own earlier opt-outs for those lists: only such a fresh affirmative action can (REQ-43).

Asking gives the same answer whoever asks (REQ-25): for an address already subscribed, suppressed by
staff, or asked for a moment ago, nothing is sent, and the caller cannot tell.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from piccolo.columns import Column

from contacts.addresses import parse_address
from contacts.db.engine import json_value, write_transaction
from contacts.domain import (
    AddressKind,
    AudienceKind,
    Channel,
    ContactStatus,
    EventAction,
    LegalBasis,
    SourceType,
    SubscriptionStatus,
    SuppressionReason,
)
from contacts.errors import NotFoundError, ValidationError
from contacts.i18n import N_, Table
from contacts.services import catalogue
from contacts.services.people import ledger, suppression
from contacts.settings import get_settings
from contacts.tables import Contact, Notice, PendingConsent, Subscription
from contacts.tokens import LinkToken, TokenAction, codec_for
from contacts.typography import french

CONFIRMATION_DAYS = 7
RESEND_AFTER = timedelta(minutes=2)  # at most one confirmation mail per address in this time: no mail-bombing

# The words of one consent box; `{purpose}` is the purpose's description, in the same language, as a sentence.
# "the messages of the list «…»": a phrasing that reads with any list name.
CONSENT_WORDING = Table({
    "box": N_("I agree to receive the messages of the list “{list}”. {purpose}I can withdraw my consent at any time."),
})


@dataclass(frozen=True)
class SignupForm:
    mailing_list: catalogue.ListInfo
    offers: list[catalogue.ListInfo]  # one unticked checkbox each; the form's own list first
    notice_version: str
    notice_wording: str
    language: str  # the language the form is shown in, and so of the words the person ticks


@dataclass(frozen=True)
class ConfirmationMail:
    """What the confirmation mail needs; the caller sends it after answering."""

    to: str
    name: str | None
    language: str
    list_names: list[str]
    confirm_url: str


def wording(mailing_list: catalogue.ListInfo, language: str) -> str:
    """What a consent box says, all in one language: the list, what its purpose is in the words written for
    the public (never the staff description), and the right to withdraw."""
    description = mailing_list.purpose.display_public_description(language).strip()
    if description and description[-1] not in ".!?…":
        description += "."
    text = CONSENT_WORDING[language]["box"].format(list=mailing_list.display_name(language),
                                                   purpose=f"{description} " if description else "")
    # Set as the page shows it, so that the proof keeps the very words shown.
    return french(text) if language == "fr" else text


def _signup_lists(all_lists: list[catalogue.ListInfo]) -> list[catalogue.ListInfo]:
    return [item for item in all_lists if item.audience_kind == AudienceKind.PUBLIC and item.double_opt_in]


async def current_notice(language: str) -> tuple[str, str]:
    row = await Notice.select(Notice.version, Notice.wording).where(Notice.language == language).order_by(
        Notice.published_at, ascending=False).first()
    if row is None:
        raise NotFoundError(N_("no information notice is published"))
    return row["version"], row["wording"]


async def signup_form(slug: str, language: str) -> SignupForm:
    offers = _signup_lists(await catalogue.lists())
    own = next((item for item in offers if item.slug == slug), None)
    if own is None:
        raise NotFoundError(N_("no public signup for the list %(slug)s"), slug=repr(slug))
    version, text = await current_notice(language)
    return SignupForm(own, [own] + [item for item in offers if item is not own], version, text, language)


@dataclass(frozen=True)
class SignupRequest:
    """A visitor's signup request, checked but not yet acted on."""

    signup: SignupForm
    email: str  # normalized
    canonical: str
    chosen: list[catalogue.ListInfo]
    first_name: str | None
    last_name: str | None
    language: str
    form: str


def check_signup(
    signup: SignupForm, *, email: str, first_name: str | None, last_name: str | None, language: str,
    ticked: list[str], form: str,
) -> SignupRequest:
    """A visitor asks to subscribe: errors name the field. Nothing here depends on whether the address is
    known, so the caller can answer before acting (REQ-25). DNS is checked when the settings ask
    (interactive signup only, REQ-40)."""
    address = parse_address(email, field="email", check_deliverability=get_settings().signup_checks_dns)
    chosen = [item for item in signup.offers if item.slug in set(ticked)]
    if not chosen:
        raise ValidationError("purposes", N_("tick the box of at least one list to subscribe to it"))
    return SignupRequest(signup, address.normalized, address.canonical, chosen, _short(first_name),
                         _short(last_name), language, form)


async def request_signup(request: SignupRequest) -> ConfirmationMail | None:
    """Act on a checked request: None, or the confirmation mail to send, which the caller must not reveal.
    Its cost depends on the address (a pending request is written only for a new one), so the web answers
    first and calls this after (REQ-25)."""
    contact = await Contact.select(Contact.id).where(Contact.email_canonical == request.canonical).first()
    return await _ask(request.email, request.canonical, contact["id"] if contact else None, request.chosen,
                      first_name=request.first_name, last_name=request.last_name, language=request.language,
                      shown_language=request.signup.language, notice_version=request.signup.notice_version,
                      channel=Channel.WEB_FORM, form=request.form)


async def request_resubscription(contact_id: int, list_ids: list[int], language: str,
                                 shown_language: str) -> ConfirmationMail | None:
    """The preference centre turns lists back on: through double opt-in, whatever their basis was. `language`
    is that of the person's messages; `shown_language` that of the page, whose words are the consent's."""
    contact = await Contact.select(Contact.email, Contact.email_canonical, Contact.first_name,
                                   Contact.last_name).where(Contact.id == contact_id).first()
    if contact is None or not contact["email"]:
        return None
    chosen = [item for item in await catalogue.lists() if item.id in set(list_ids)]
    version, _ = await current_notice(language)
    return await _ask(contact["email"], contact["email_canonical"], contact_id, chosen,
                      first_name=contact["first_name"], last_name=contact["last_name"], language=language,
                      shown_language=shown_language, notice_version=version, channel=Channel.PREFERENCE_CENTRE,
                      form="/p")


async def _ask(email: str, canonical: str, contact_id: int | None, chosen: list[catalogue.ListInfo], *,
               first_name: str | None, last_name: str | None, language: str, shown_language: str,
               notice_version: str, channel: Channel, form: str) -> ConfirmationMail | None:
    """`language`: of the confirmation mail and the contact's messages; `shown_language`: of the words the
    person ticked, which the consent keeps as its wording (REQ-2)."""
    now = datetime.now(UTC)
    if contact_id is not None:
        subscribed = {row["mailing_list"] for row in await Subscription.select(Subscription.mailing_list).where(
            Subscription.contact == contact_id, Subscription.status == SubscriptionStatus.SUBSCRIBED)}
        chosen = [item for item in chosen if item.id not in subscribed]
    if not chosen:
        return None
    staff_blocked = [entry for entry in await suppression.entries_for(email)
                     if entry.scope == "global" and entry.reason == SuppressionReason.MANUAL]
    if staff_blocked:
        return None
    async with write_transaction():
        await PendingConsent.delete().where(PendingConsent.expires_at < now, PendingConsent.confirmed_at.is_null())
        recent = await PendingConsent.exists().where(
            PendingConsent.email_canonical == canonical, PendingConsent.requested_at > now - RESEND_AFTER)
        if recent:
            return None
        expires_at = now + timedelta(days=CONFIRMATION_DAYS)
        row = (await PendingConsent.insert(PendingConsent(
            email=email, email_canonical=canonical, contact=contact_id, first_name=first_name, last_name=last_name,
            language=language, lists=[{"list": item.id, "wording": wording(item, shown_language)} for item in chosen],
            notice_version=notice_version, channel=channel, form=form, requested_at=now, expires_at=expires_at,
        )).returning(PendingConsent.id))[0]
    settings = get_settings()
    token = codec_for(settings.secret_keys).seal(
        LinkToken(TokenAction.CONFIRM_SUBSCRIPTION, contact_id or 0, row["id"], 0, int(expires_at.timestamp())))
    name = " ".join(part for part in (first_name, last_name) if part) or None
    return ConfirmationMail(email, name, language, [item.display_name(language) for item in chosen],
                            f"{settings.base_url}/confirm/{token}")


@dataclass(frozen=True)
class PendingView:
    list_names: list[str]


async def pending_for(token_text: str, language: str) -> PendingView | None:
    """The lists a confirmation link is for, while it can still be confirmed; None otherwise."""
    row = await _pending(token_text)
    if row is None:
        return None
    by_id = {item.id: item for item in await catalogue.lists()}
    return PendingView([by_id[entry["list"]].display_name(language) for entry in entries_of(row) if entry["list"] in by_id])


async def _pending(token_text: str) -> dict | None:
    token = codec_for(get_settings().secret_keys).open(token_text, TokenAction.CONFIRM_SUBSCRIPTION)
    if token is None:
        return None
    return await PendingConsent.select().where(
        PendingConsent.id == token.scope_id, PendingConsent.confirmed_at.is_null(),
        PendingConsent.expires_at > datetime.now(UTC),
    ).first()


def entries_of(row: dict) -> list[dict]:
    """The lists of a pending consent, with the words the person ticked for each."""
    return json_value(row["lists"])


async def confirm(token_text: str) -> bool:
    """The person followed the link and pressed the button: subscribe, with the proof. Repeating it, or an
    expired or unknown link, changes nothing and returns False."""
    row = await _pending(token_text)
    if row is None:
        return False
    by_id = {item.id: item for item in await catalogue.lists()}
    chosen = [(by_id[entry["list"]], entry["wording"]) for entry in entries_of(row) if entry["list"] in by_id]
    now = datetime.now(UTC)
    async with write_transaction():
        claimed = await PendingConsent.update({PendingConsent.confirmed_at: now}).where(
            PendingConsent.id == row["id"], PendingConsent.confirmed_at.is_null()
        ).returning(PendingConsent.id)
        if not claimed:
            return False  # confirmed meanwhile by another click
        contact_id = await _contact_for(row, now)
        for mailing_list, text in chosen:
            evidence = {
                "consent_at": row["requested_at"].astimezone(UTC).isoformat(), "confirmed_at": now.isoformat(),
                "channel": row["channel"], "form": row["form"], "notice_version": row["notice_version"],
                "wording": text, "purpose": mailing_list.purpose.code, "double_opt_in": True,
                "pending_consent": row["id"],
            }
            subscription_id = await _subscribe(contact_id, mailing_list, evidence, now)
            await ledger.record(ledger.consent_event(
                EventAction.CONFIRMED, Channel(row["channel"]), "recipient", reason="double opt-in confirmed",
                contact=contact_id, subscription=subscription_id, mailing_list=mailing_list.id,
                purpose=mailing_list.purpose.id, details=evidence,
            ))
            await suppression.lift_for_fresh_consent(
                row["email"], mailing_list.suppression_scopes, channel=Channel(row["channel"]), contact_id=contact_id,
                evidence={"pending_consent": row["id"], "list": mailing_list.slug},
            )
    return True


async def _contact_for(row: dict, now: datetime) -> int:
    existing = await Contact.select(Contact.id).where(Contact.email_canonical == row["email_canonical"]).first()
    if existing:
        await Contact.update({Contact.last_initiated_contact_at: now, Contact.notice_version: row["notice_version"],
                              Contact.updated_at: now}).where(Contact.id == existing["id"])
        # The person's fresh consent starts a new relationship with an archived record (REQ-10).
        await Contact.update({Contact.status: ContactStatus.ACTIVE}).where(
            Contact.id == existing["id"], Contact.status == ContactStatus.ARCHIVED)
        return existing["id"]
    kind = AddressKind.GENERIC if parse_address(row["email"]).is_role else AddressKind.PRIVATE
    created = await Contact.insert(Contact(
        email=row["email"], email_canonical=row["email_canonical"], first_name=row["first_name"],
        last_name=row["last_name"], language=row["language"], address_kind=kind, source_type=SourceType.GIVEN,
        source_name=f"signup form {row['form']}", collected_at=row["requested_at"],
        notice_version=row["notice_version"], last_initiated_contact_at=now,
    )).returning(Contact.id)
    return created[0]["id"]


async def _subscribe(contact_id: int, mailing_list: catalogue.ListInfo, evidence: dict, now: datetime) -> int:
    existing = await Subscription.select(Subscription.id).where(
        Subscription.contact == contact_id, Subscription.mailing_list == mailing_list.id).first()
    values: dict[Column | str, Any] = {
        Subscription.status: SubscriptionStatus.SUBSCRIBED, Subscription.legal_basis: LegalBasis.CONSENT,
        Subscription.evidence: evidence, Subscription.started_at: now, Subscription.ended_at: None,
        Subscription.updated_at: now}
    if existing:
        await Subscription.update(values).where(Subscription.id == existing["id"])
        return existing["id"]
    created = await Subscription.insert(Subscription(
        contact=contact_id, mailing_list=mailing_list.id, legal_basis=LegalBasis.CONSENT,
        status=SubscriptionStatus.SUBSCRIBED, evidence=evidence, started_at=now,
    )).returning(Subscription.id)
    return created[0]["id"]


def _short(value: str | None) -> str | None:
    value = " ".join((value or "").split())[:200]
    return value or None

