"""The record of processing activities (GDPR Art. 30, REQ-6), generated from the purpose configuration.

One activity per purpose: its legal basis, the people and data concerned, who receives the data, transfers
(none), when it is erased, and the security measures. A purpose whose retention rule is unknown, or lacks
the period its rule counts, is a configuration error: the register is not generated around it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

from contacts.domain import LegalBasis, RetentionRule
from contacts.errors import ConfigurationError
from contacts.i18n import N_, Table, gettext
from contacts.services import catalogue
from contacts.settings import get_settings

BASIS_WORDS = Table({
    LegalBasis.CONSENT: N_("consent (Art. 6(1)(a))"),
    LegalBasis.CONTRACT: N_("performance of a contract, at the person's request (Art. 6(1)(b))"),
    LegalBasis.LEGITIMATE_INTEREST: N_("legitimate interest of the controller (Art. 6(1)(f)); the person may object "
                                       "at any time"),
    LegalBasis.LEGAL_OBLIGATION: N_("legal obligation (Art. 6(1)(c))"),
})
RULES_WITH_A_PERIOD = {RetentionRule.PROSPECT_3_YEARS, RetentionRule.RELATIONSHIP_PLUS_LEGAL}
DATA_CATEGORIES = [
    N_("identity: title, first and last name"),
    N_("professional information: organisation, position, department"),
    N_("contact details: email address, phone number, postal address"),
    N_("language of correspondence"),
    N_("provenance: how, from whom and when the data was collected"),
    N_("subscriptions with their legal basis and evidence; consent proofs (time, channel, notice shown)"),
    N_("send history: which campaigns were sent, and bounces; no per-recipient open tracking"),
]
# Invitations also hold the guests' answers, and a companion's name (REQ-51).
INVITATION_PURPOSE = "pr-invitations"
INVITATION_PERSONS = N_("companions named by guests (their name only)")
INVITATION_DATA = N_("answers to invitations and their history (invited, accepted, declined, waiting list, "
                     "arrival); the name of a guest's companion")
COMPANION_ERASURE = N_("companions' names: deleted %(period)s after the event; the places they took stay "
                       "counted")
RECIPIENTS = [
    N_("staff of the departments empowered for the purpose (role-based access)"),
    N_("service providers acting on the controller's instructions under contract (hosting, mail delivery)"),
    N_("third parties where a legal obligation requires it (authorities, courts)"),
]
SECURITY_MEASURES = [
    N_("staff accounts with argon2-hashed passwords, rate-limited sign-in, sessions that time out, CSRF protection"),
    N_("least-privilege roles: each department sees only the purposes it is empowered for"),
    N_("append-only audit log of every staff view, export and change; append-only consent ledger"),
    N_("do-not-contact list kept as keyed HMAC-SHA256 hashes, never plain addresses"),
    N_("links carry sealed, authenticated tokens (AES-SIV): no address or id in any URL; keys rotate"),
    N_("no tracker or third-party asset on public pages; no non-essential cookie"),
    N_("data stored on servers within the European Union"),
]


@dataclass(frozen=True)
class Activity:
    purpose: str
    name: str
    description: str
    legal_basis: str
    departments: list[str]
    categories_of_persons: list[str]
    categories_of_data: list[str]
    recipients: list[str]
    transfers_outside_eu: str
    erasure: str


@dataclass(frozen=True)
class Register:
    generated_at: str
    controller: str
    controller_contact: str
    dpo_contact: str
    activities: list[Activity]
    security_measures: list[str]


# How long data is kept under each rule; `period` is a number of years or days in words, `grace` when after.
RETENTION_WORDS = {
    RetentionRule.UNTIL_OBJECTION: N_("kept until the person objects or unsubscribes; deleted or anonymised "
                                      "%(grace)s, keeping only the do-not-contact hash"),
    RetentionRule.PROSPECT_3_YEARS: N_("%(period)s from the last contact the person initiated (a click, reply or "
                                       "form; an open does not count); then deleted or anonymised"),
    RetentionRule.RELATIONSHIP_PLUS_LEGAL: N_("the relationship, then archived with restricted access for "
                                              "%(period)s (legal period); then deleted or anonymised"),
}


def period_words(days: int, language: str) -> str:
    """`3 years`, `1 an`, `30 days`. One is singular in both languages, and a period is never zero; the two
    forms are separate messages, marked where they are written (pybabel does not see `ngettext(lang, …)`)."""
    if days % 365 == 0:
        years = days // 365
        return gettext(language, N_("%(num)s year") if years == 1 else N_("%(num)s years"), num=years)
    return gettext(language, N_("%(num)s day") if days == 1 else N_("%(num)s days"), num=days)


def retention_words(purpose: catalogue.PurposeInfo, language: str = "en") -> str:
    """How long the purpose keeps data, in words: the register and a person's export say the same (REQ-6/16)."""
    rule, days = purpose.retention_rule, purpose.retention_days
    if rule in RULES_WITH_A_PERIOD and not days:
        raise ConfigurationError(f"purpose {purpose.code!r}: the rule {rule} needs its period (retention_days)")
    grace_days = get_settings().retention_grace_days
    grace = (gettext(language, N_("%(period)s later"), period=period_words(grace_days, language)) if grace_days
             else gettext(language, N_("at once")))
    period = period_words(days, language) if days else ""
    return gettext(language, RETENTION_WORDS[rule], period=period, grace=grace)


def basis_words(basis: LegalBasis, language: str = "en") -> str:
    return BASIS_WORDS[language][LegalBasis(basis)]


def data_categories(language: str = "en") -> list[str]:
    return [gettext(language, text) for text in DATA_CATEGORIES]


def recipients(language: str = "en") -> list[str]:
    return [gettext(language, text) for text in RECIPIENTS]


async def build(language: str = "en") -> Register:
    """The record in English (the command's default) or French (the staff pages of a French account)."""
    settings = get_settings()
    lists = await catalogue.lists()
    activities = []
    for purpose in await catalogue.purposes():
        audiences = sorted({item.audience for item in lists if item.purpose.id == purpose.id})
        activities.append(Activity(
            purpose=purpose.code, name=purpose.display_name(language),
            description=purpose.display_description(language),
            legal_basis=basis_words(purpose.default_legal_basis, language), departments=list(purpose.departments),
            categories_of_persons=audiences or [gettext(language, N_("none yet: the purpose has no list"))],
            categories_of_data=data_categories(language), recipients=recipients(language),
            transfers_outside_eu=gettext(language, N_("none")), erasure=retention_words(purpose, language)))
        if purpose.code == INVITATION_PURPOSE:
            activities[-1] = _with_invitations(activities[-1], language)
    return Register(generated_at=datetime.now(UTC).isoformat(timespec="seconds"), controller=settings.organisation,
                    controller_contact=settings.from_address, dpo_contact=settings.dpo_contact,
                    activities=activities, security_measures=[gettext(language, text) for text in SECURITY_MEASURES])


def companion_words(language: str = "en") -> str:
    """How long a companion's name is kept (REQ-51): the register and a person's export say the same."""
    days = get_settings().companion_retention_days
    return gettext(language, COMPANION_ERASURE, period=period_words(days, language) if days else gettext(language, N_("at once")))


def _with_invitations(activity: Activity, language: str) -> Activity:
    """What the PR-invitations purpose adds: answers, and companions' names, deleted after the event."""
    return replace(activity, categories_of_persons=[*activity.categories_of_persons,
                                                    gettext(language, INVITATION_PERSONS)],
                   categories_of_data=[*activity.categories_of_data, gettext(language, INVITATION_DATA)],
                   erasure=f"{activity.erasure}; {companion_words(language)}")


def as_json(register: Register) -> str:
    return json.dumps(asdict(register), ensure_ascii=False, indent=2)


def as_markdown(register: Register) -> str:
    lines = [
        "# Record of processing activities (GDPR Art. 30)", "",
        f"- **Controller:** {register.controller} ({register.controller_contact})",
        f"- **Data protection officer:** {register.dpo_contact}",
        f"- **Generated:** {register.generated_at}", "",
    ]
    for activity in register.activities:
        lines += [
            f"## {activity.name} (`{activity.purpose}`)", "", activity.description, "",
            f"- **Legal basis:** {activity.legal_basis}",
            f"- **Departments with access:** {', '.join(activity.departments)}",
            f"- **Categories of persons:** {'; '.join(activity.categories_of_persons)}",
            f"- **Categories of data:** {'; '.join(activity.categories_of_data)}",
            f"- **Recipients:** {'; '.join(activity.recipients)}",
            f"- **Transfers outside the EU:** {activity.transfers_outside_eu}",
            f"- **Erasure:** {activity.erasure}", "",
        ]
    lines += ["## Security measures", "", *[f"- {measure}" for measure in register.security_measures], ""]
    return "\n".join(lines)
