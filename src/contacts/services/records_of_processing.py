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
from contacts.i18n import N_, Table, gettext, when
from contacts.services import catalogue
from contacts.settings import get_settings
from contacts.words import code_word

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
    N_("send history: which campaigns were sent, and bounces; no per-recipient open or click tracking"),
]
# REQ-48: what click counting is, said the same way in the register and in a person's export.
AUDIENCE_MEASUREMENT = N_(
    "Audience measurement: the web links in a campaign's messages pass through this service, which counts how "
    "many times each link was followed, per campaign, language and hour, with fetches by mail security scanners "
    "counted apart. No person is identified: every recipient of a campaign in one language gets the very same "
    "links, and no address, contact, delivery, IP address or browser is stored or logged with a click. Counting "
    "can be turned off for each campaign. The counts are anonymous statistics, kept as aggregates for as long as "
    "the campaign's report is kept.")
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
    audience_measurement: str = ""


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
        raise ConfigurationError(N_("purpose %(code)r: the rule %(rule)s needs its period (retention_days)"),
                                 code=purpose.code, rule=str(rule))
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
        audiences = sorted({item.display_audience(language) for item in lists if item.purpose.id == purpose.id})
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
                    activities=activities, security_measures=[gettext(language, text) for text in SECURITY_MEASURES],
                    audience_measurement=gettext(language, AUDIENCE_MEASUREMENT))


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


LABELS = {
    "title": N_("Record of processing activities (GDPR Art. 30)"), "controller": N_("Controller"),
    "dpo": N_("Data protection officer"), "generated": N_("Generated"), "basis": N_("Legal basis"),
    "departments": N_("Departments with access"), "persons": N_("Categories of persons"),
    "data": N_("Categories of data"), "recipients": N_("Recipients"), "transfers": N_("Transfers outside the EU"),
    "erasure": N_("Erasure"), "security": N_("Security measures"), "audience": N_("Audience measurement"),
}


def as_markdown(register: Register, language: str = "en") -> str:
    """The record as a Markdown document, its headings in the language of `build`'s words."""
    # "**Controller**: …", "**Responsable du traitement** : …" (the typography filter makes the space narrow)
    colon = " :" if language == "fr" else ":"
    labels = {key: f"{gettext(language, text)}**{colon}" for key, text in LABELS.items()}
    lines = [
        f"# {gettext(language, LABELS['title'])}", "",
        f"- **{labels['controller']} {register.controller} ({register.controller_contact})",
        f"- **{labels['dpo']} {register.dpo_contact}",
        f"- **{labels['generated']} {when(register.generated_at, language)}", "",
    ]
    for activity in register.activities:
        lines += [
            f"## {activity.name} (`{activity.purpose}`)", "", activity.description, "",
            f"- **{labels['basis']} {activity.legal_basis}",
            f"- **{labels['departments']} {', '.join(code_word(d, language) for d in activity.departments)}",
            f"- **{labels['persons']} {'; '.join(activity.categories_of_persons)}",
            f"- **{labels['data']} {'; '.join(activity.categories_of_data)}",
            f"- **{labels['recipients']} {'; '.join(activity.recipients)}",
            f"- **{labels['transfers']} {activity.transfers_outside_eu}",
            f"- **{labels['erasure']} {activity.erasure}", "",
        ]
    lines += [f"## {gettext(language, LABELS['audience'])}", "", register.audience_measurement, ""]
    lines += [f"## {gettext(language, LABELS['security'])}", "", *[f"- {measure}" for measure in register.security_measures], ""]
    return "\n".join(lines)
