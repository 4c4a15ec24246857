"""Validating one CSV row, with no database: this runs in worker processes.

Every problem of a row is reported, each naming its column, so one pass of the error report fixes it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from contacts.addresses import parse_address
from contacts.domain import AddressKind, AudienceKind, Language, LegalBasis
from contacts.errors import ValidationError
from contacts.i18n import N_, gettext
from contacts.keyring import Keyring
from contacts.services.importing.csvfile import values_by_field

# The lengths of the Contact columns (a test keeps them equal): checked here, so that no row reaches the
# database with a value PostgreSQL would refuse.
TEXT_LIMITS = {
    "title": 40,
    "first_name": 200,
    "last_name": 200,
    "organisation": 300,
    "position": 200,
    "department": 200,
    "postal_address": 1000,
}
PHONE_LIMIT = 40
MULTILINE = frozenset({"postal_address"})
LANGUAGE_WORDS = {
    "fr": Language.FR, "francais": Language.FR, "français": Language.FR, "french": Language.FR,
    "en": Language.EN, "anglais": Language.EN, "english": Language.EN,
}
_PHONE_CHARS = re.compile(r"[0-9 +().\-/]+")
_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # bytes that were not UTF-8, kept by surrogateescape
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowRules:
    """What the import as a whole decided; the same for every row."""

    legal_basis: LegalBasis
    audience_kind: AudienceKind
    is_direct_marketing: bool
    needs_confirmation: bool  # a double-opt-in list
    notice_versions: frozenset[str]
    now: datetime
    columns: tuple[str | None, ...]  # the field of each CSV column
    keyring: Keyring  # suppression hashes are computed here, on every core
    evidence: dict[str, str | int]  # what every subscription's evidence shares

    def evidence_json(self, number: int, notice_version: str | None, consent_proof: dict | None) -> str:
        evidence: dict[str, object] = {**self.evidence, "row": number}
        if notice_version is not None:
            evidence["notice_version"] = notice_version
        if consent_proof is not None:
            evidence["consent"] = consent_proof
        return json.dumps(evidence, ensure_ascii=False)


class ValidRow(NamedTuple):
    """A NamedTuple of plain values: these cross process boundaries by the hundred thousand, and a
    tuple pickles several times faster than a dataclass holding enum members."""

    number: int
    email: str
    canonical: str
    fields: dict[str, str]  # contact fields present and non-empty in the file
    address_kind: str
    address_kind_given: bool
    language: str | None
    collected_at: datetime | None
    hashes: tuple[str, ...]  # the canonical address under every suppression key
    evidence_json: str


class RowError(NamedTuple):
    number: int
    column: str
    reason: str  # a catalogue message, with its values: see `reason_in`
    values: dict[str, object] = {}


def reason_in(lang: str, reason: str, values: dict[str, object]) -> str:
    """A row report's reason in the language: English as written, another through the catalogue."""
    if lang == "en":
        return reason % values if values else reason
    return gettext(lang, reason, **values)


def validate_batch(batch: list[tuple[int, list[str]]], rules: RowRules) -> list[ValidRow | list[RowError]]:
    return [validate_row(number, values_by_field(rules.columns, cells), rules) for number, cells in batch]


def validate_row(number: int, values: dict[str, str], rules: RowRules) -> ValidRow | list[RowError]:
    errors: list[RowError] = []

    def fail(column: str, reason: str, **values: object) -> None:
        errors.append(RowError(number, column, reason, values))

    if values.get("__extra__"):
        fail("FILE", N_("the row has more cells than the header"))
    for column, value in values.items():
        if _NOT_UTF8.search(value):
            fail(column, N_("is not UTF-8 text; save the file as CSV UTF-8"))
            values[column] = ""
    address = None
    try:
        address = parse_address(values.get("email", ""))
    except ValidationError as error:
        fail("email", error.template, **error.values)

    fields: dict[str, str] = {}
    for name, limit in TEXT_LIMITS.items():
        text = _clean(values.get(name), multiline=name in MULTILINE)
        if text is None:
            continue
        if len(text) > limit:
            fail(name, N_("is %(length)s characters long; at most %(limit)s"), length=len(text), limit=limit)
        fields[name] = text

    phone = _clean(values.get("phone"))
    if phone is not None:
        digits = sum(ch.isdigit() for ch in phone)
        if not _PHONE_CHARS.fullmatch(phone) or not 6 <= digits <= 20:
            fail("phone", N_("%(value)s is not a phone number"), value=repr(phone))
        elif len(phone) > PHONE_LIMIT:
            fail("phone", N_("is %(length)s characters long; at most %(limit)s"), length=len(phone), limit=PHONE_LIMIT)
        fields["phone"] = phone

    language = None
    if (raw_language := _clean(values.get("language"))) is not None:
        language = LANGUAGE_WORDS.get(raw_language.lower())
        if language is None:
            fail("language", N_("%(value)s is not fr or en"), value=repr(raw_language))

    address_kind, kind_given = _address_kind(values, address, rules, fail)
    if (
        address_kind == AddressKind.PRIVATE
        and rules.is_direct_marketing
        and rules.legal_basis != LegalBasis.CONSENT
    ):
        fail("address_kind", N_("a private individual needs consent for direct marketing"))

    collected_at = _timestamp(values, "collected_at", rules.now, fail)
    notice_version = _clean(values.get("notice_version"))
    if notice_version is not None:
        if notice_version not in rules.notice_versions:
            fail("notice_version", N_("%(value)s is not a known notice version"), value=repr(notice_version))
        fields["notice_version"] = notice_version

    consent_proof = None
    if rules.legal_basis == LegalBasis.CONSENT:
        consent_proof = _consent_proof(values, rules, fail)

    if errors or address is None:
        return errors
    return ValidRow(
        number=number,
        email=address.normalized,
        canonical=address.canonical,
        fields=fields,
        address_kind=address_kind.value,
        address_kind_given=kind_given,
        language=language.value if language else None,
        collected_at=collected_at,
        hashes=tuple(rules.keyring.hashes(address.canonical)),
        evidence_json=rules.evidence_json(number, notice_version, consent_proof),
    )


def _clean(value: str | None, multiline: bool = False) -> str | None:
    """Control characters out; line breaks and tabs too, but in a postal address, kept as line breaks."""
    if value is None:
        return None
    text = _CONTROL.sub("", value)
    if multiline:
        text = "\n".join(" ".join(line.split()) for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    else:
        text = " ".join(text.split())
    return text.strip() or None


def _address_kind(values, address, rules: RowRules, fail) -> tuple[AddressKind, bool]:
    raw = _clean(values.get("address_kind"))
    if raw is not None:
        try:
            return AddressKind(raw.lower().replace("-", "_")), True
        except ValueError:
            fail("address_kind", N_("%(value)s is not one of: %(codes)s"), value=repr(raw),
                 codes=", ".join(k.value for k in AddressKind))
    if address is not None and address.is_role:
        return AddressKind.GENERIC, False
    if rules.audience_kind == AudienceKind.PUBLIC:
        return AddressKind.PRIVATE, False
    return AddressKind.PROFESSIONAL, False


def _timestamp(values, column: str, now: datetime, fail) -> datetime | None:
    raw = _clean(values.get(column))
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "T", 1) if len(raw) > 10 else raw)
        if moment.tzinfo is None:
            # A naive time from a spreadsheet is read as UTC; a date alone is midnight UTC.
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        fail(column, N_("%(value)s is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)"), value=repr(raw))
        return None
    if moment.year < 1900:
        fail(column, N_("%(value)s is too far in the past"), value=repr(raw))
        return None
    if moment > now:
        fail(column, N_("%(value)s is in the future"), value=repr(raw))
        return None
    return moment


def _consent_proof(values, rules: RowRules, fail) -> dict[str, str] | None:
    """REQ-2: time, channel and notice of the consent, and the double-opt-in confirmation where required."""
    consent_at = _timestamp(values, "consent_at", rules.now, fail)
    channel = _clean(values.get("consent_channel"))
    notice = _clean(values.get("notice_version"))
    missing = [
        name for name, value in (("consent_at", consent_at), ("consent_channel", channel), ("notice_version", notice))
        if value is None and _clean(values.get(name)) is None
    ]
    for name in missing:
        fail(name, N_("is required as proof of consent"))
    confirmed_at = None
    if rules.needs_confirmation:
        confirmed_at = _timestamp(values, "confirmed_at", rules.now, fail)
        if confirmed_at is None and _clean(values.get("confirmed_at")) is None:
            fail("confirmed_at", N_("this list needs the double-opt-in confirmation time"))
        elif confirmed_at and consent_at and confirmed_at < consent_at:
            fail("confirmed_at", N_("is before consent_at"))
    if consent_at is None or channel is None or notice is None:
        return None
    proof = {"consent_at": consent_at.isoformat(), "channel": channel, "notice_version": notice}
    if confirmed_at is not None:
        proof["double_opt_in_confirmed_at"] = confirmed_at.isoformat()
    return proof
