"""The fixed words of every message, written in English and translated by the catalogue (locale/). Templates
reach them as `t.<key>`; each language's words are looked up once per process, never per recipient."""

from __future__ import annotations

from collections.abc import Mapping

from contacts.domain import LegalBasis, RightsRequestType
from contacts.i18n import N_, Table

WORDS = Table({
    "why_title": N_("Why are you receiving this message?"),
    "why_list": N_("You are on the list “{list}” ({purpose})."),
    "why_basis": N_("We write to you on the basis of {basis}."),
    # "Source: Annuaire presse 2026": reads with any source name (no "from the", no "auprès de").
    "source_third_party": N_("Source of your address: {source}. You may object to the use of your data at any time."),
    "unsubscribe": N_("Unsubscribe in one click"),
    "object": N_("Object to these messages"),
    "preferences": N_("Manage my preferences"),
    # An invitation's or a reminder's two opt-out links stop invitations alone (REQ-52).
    "invitations_only": N_("You will no longer receive invitations from the museum; your other subscriptions "
                           "do not change."),
    "sent_by": N_("Sent by {organisation}."),
    "greeting": N_("Dear {name},"),
    "greeting_anonymous": N_("Hello,"),
    # view in your browser (issue 20, item 8)
    "view_in_browser": N_("View this message in your browser"),
    "view_in_browser_label": N_("View this message in your browser:"),
    "browser_view_links": N_(
        "The links to unsubscribe, object to these messages or manage your preferences are in the message "
        "you received: they are your own, and this page does not show them."),
    "browser_view_rsvp": N_("To answer the invitation, use the links in the message you received."),
    "greeting_formal": N_("Dear Sir or Madam,"),
})

BASIS_WORDS = Table({
    LegalBasis.CONSENT: N_("your consent"),
    LegalBasis.CONTRACT: N_("the performance of a contract or pre-contractual steps"),
    LegalBasis.LEGITIMATE_INTEREST: N_("our legitimate interest"),
    LegalBasis.LEGAL_OBLIGATION: N_("a legal obligation"),
})

# What each kind of rights request is called, in the person's words: their notices and the public pages say it.
RIGHTS_WORDS = Table({
    RightsRequestType.ACCESS: N_("access to my data"),
    RightsRequestType.PORTABILITY: N_("an export of my data (portability)"),
    RightsRequestType.RECTIFICATION: N_("correction of my data"),
    RightsRequestType.ERASURE: N_("erasure of my data"),
    RightsRequestType.RESTRICTION: N_("restriction of processing"),
    RightsRequestType.OBJECTION: N_("objection"),
    RightsRequestType.WITHDRAW_CONSENT: N_("withdrawal of consent"),
    RightsRequestType.AFTER_DEATH: N_("after-death instructions"),
})

LANGUAGES = tuple(WORDS)


class Words:
    """Attribute access for templates: `t.unsubscribe`. Messages use WORDS; the public pages their own table."""

    def __init__(self, language: str, table: Mapping[str, dict[str, str]] = WORDS) -> None:
        self._words = table[language]

    def __getattr__(self, key: str) -> str:
        try:
            return self._words[key]
        except KeyError:
            raise AttributeError(key) from None
