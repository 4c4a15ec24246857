"""Email address validation and the one versioned canonicaliser (REQ-39/40, REQ-45)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, EmailUndeliverableError, validate_email

from contacts.errors import ValidationError
from contacts.i18n import N_

# Bump when the rules below change: suppression entries record the version that hashed them.
CANONICALISER_VERSION = 1

MAX_LOCAL_OCTETS = 64
MAX_ADDRESS_OCTETS = 254

# Local parts that name a role rather than a person (REQ-4's generic kind).
ROLE_LOCAL_PARTS = frozenset(
    {
        "accueil", "admin", "bonjour", "communication", "contact", "direction", "hello", "info", "infos",
        "mairie", "marketing", "media", "medias", "office", "presse", "press", "reception", "redaction",
        "secretariat", "service", "support", "webmaster",
    }
)


@dataclass(frozen=True, slots=True)
class Address:
    normalized: str  # what we store and send to
    canonical: str  # what we compare and hash
    needs_smtputf8: bool
    ascii_form: str | None = None  # the address with an A-label domain, when the local part is ASCII

    @property
    def envelope_recipient(self) -> str:
        """What RCPT TO names: the A-label form when the local part is ASCII (no SMTPUTF8 needed), else the
        address itself, which needs SMTPUTF8."""
        return self.ascii_form or self.normalized

    @property
    def is_role(self) -> bool:
        return self.canonical.split("@", 1)[0] in ROLE_LOCAL_PARTS


# email-validator's reasons are English sentences: each kind of fault gets a catalogue message instead, so
# that pages say it in their language (the commonest faults by their own words, the rest by the exception).
_REASONS = (
    ("must have an @-sign", N_("must have an @-sign")),
    ("something before the @-sign", N_("there must be something before the @-sign")),
    ("something after the @-sign", N_("there must be something after the @-sign")),
    ("It should have a period", N_("the part after the @-sign must have a period, as in example.org")),
    ("period", N_("has a period out of place (two in a row, or next to the @-sign or a hyphen)")),
    ("too long", N_("is too long")),
    ("before the @-sign", N_("has a character not allowed before the @-sign")),
    ("after the @-sign", N_("the part after the @-sign is not a valid domain name")),
    ("after the email address", N_("has something after the address: give the address alone")),
)


def _reason(error: EmailNotValidError) -> str:
    if isinstance(error, EmailUndeliverableError):
        return N_("its domain does not exist or takes no mail")
    text = str(error)
    return next((reason for words, reason in _REASONS if words in text),
                N_("is not a valid email address, such as first.last@example.org"))


def parse_address(raw: str, field: str = "email", check_deliverability: bool = False) -> Address:
    """Validate with email-validator (no DNS unless asked: only interactive signup asks).

    The canonical form (REQ-45, version 1): trimmed; NFC; domain in lowercase ASCII by IDNA 2008; local part
    lowercased; dots and +tags kept."""
    text = unicodedata.normalize("NFC", raw.strip())
    if not text:
        raise ValidationError(field, N_("is empty"))
    try:
        result = validate_email(text, check_deliverability=check_deliverability)
    except EmailNotValidError as error:
        raise ValidationError(field, _reason(error)) from None
    # REQ-40 counts octets; email-validator counts characters and only in strict mode.
    local_octets = len(result.local_part.encode("utf-8"))
    if local_octets > MAX_LOCAL_OCTETS:
        raise ValidationError(field, N_("the part before the @-sign is %(octets)s octets; at most %(limit)s"),
                              octets=local_octets, limit=MAX_LOCAL_OCTETS)
    address_octets = len(result.normalized.encode("utf-8"))
    if address_octets > MAX_ADDRESS_OCTETS:
        raise ValidationError(field, N_("the address is %(octets)s octets; at most %(limit)s"),
                              octets=address_octets, limit=MAX_ADDRESS_OCTETS)
    return Address(
        normalized=result.normalized,
        canonical=f"{result.local_part.lower()}@{result.ascii_domain}",
        needs_smtputf8=result.smtputf8,
        ascii_form=result.ascii_email,
    )
