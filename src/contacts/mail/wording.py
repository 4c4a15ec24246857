"""The fixed words of every message, in French and English. Templates reach them as `t.<key>`."""

from __future__ import annotations

from contacts.domain import LegalBasis, RightsRequestType

WORDS: dict[str, dict[str, str]] = {
    "fr": {
        "why_title": "Pourquoi recevez-vous ce message ?",
        "why_list": "Vous êtes inscrit·e à la liste « {list} » ({purpose}).",
        "why_basis": "Nous vous écrivons sur le fondement de {basis}.",
        "source_third_party": (
            "Nous avons obtenu votre adresse auprès de {source}. Vous pouvez vous opposer à tout moment "
            "à l'utilisation de vos données."
        ),
        "unsubscribe": "Se désinscrire en un clic",
        "object": "M'opposer à ces envois",
        "preferences": "Gérer mes préférences",
        "sent_by": "Envoyé par {organisation}.",
        "greeting": "Bonjour {name},",
        "greeting_anonymous": "Bonjour,",
        # view in your browser (issue 20, item 8)
        "view_in_browser": "Voir ce message dans votre navigateur",
        "view_in_browser_label": "Voir ce message dans votre navigateur\u202f:",
        "browser_view_links": (
            "Les liens pour vous désinscrire, vous opposer à ces envois ou gérer vos préférences se trouvent dans "
            "le message que vous avez reçu\u202f: ils vous sont propres, et cette page ne les montre pas."
        ),
        "browser_view_rsvp": "Pour répondre à l'invitation, utilisez les liens du message que vous avez reçu.",
        "greeting_formal": "Madame, Monsieur,",
    },
    "en": {
        "why_title": "Why are you receiving this message?",
        "why_list": "You are on the list “{list}” ({purpose}).",
        "why_basis": "We write to you on the basis of {basis}.",
        "source_third_party": (
            "We obtained your address from {source}. You may object to the use of your data at any time."
        ),
        "unsubscribe": "Unsubscribe in one click",
        "object": "Object to these messages",
        "preferences": "Manage my preferences",
        "sent_by": "Sent by {organisation}.",
        "greeting": "Dear {name},",
        "greeting_anonymous": "Hello,",
        # view in your browser (issue 20, item 8)
        "view_in_browser": "View this message in your browser",
        "view_in_browser_label": "View this message in your browser:",
        "browser_view_links": (
            "The links to unsubscribe, object to these messages or manage your preferences are in the message "
            "you received: they are your own, and this page does not show them."
        ),
        "browser_view_rsvp": "To answer the invitation, use the links in the message you received.",
        "greeting_formal": "Dear Sir or Madam,",
    },
}

BASIS_WORDS: dict[str, dict[LegalBasis, str]] = {
    "fr": {
        LegalBasis.CONSENT: "votre consentement",
        LegalBasis.CONTRACT: "l'exécution d'un contrat ou de mesures précontractuelles",
        LegalBasis.LEGITIMATE_INTEREST: "notre intérêt légitime",
        LegalBasis.LEGAL_OBLIGATION: "une obligation légale",
    },
    "en": {
        LegalBasis.CONSENT: "your consent",
        LegalBasis.CONTRACT: "the performance of a contract or pre-contractual steps",
        LegalBasis.LEGITIMATE_INTEREST: "our legitimate interest",
        LegalBasis.LEGAL_OBLIGATION: "a legal obligation",
    },
}

# What each kind of rights request is called, in the person's words: their notices and the public pages say it.
RIGHTS_WORDS: dict[str, dict[RightsRequestType, str]] = {
    "fr": {
        RightsRequestType.ACCESS: "accès à mes données",
        RightsRequestType.PORTABILITY: "export de mes données (portabilité)",
        RightsRequestType.RECTIFICATION: "rectification de mes données",
        RightsRequestType.ERASURE: "effacement de mes données",
        RightsRequestType.RESTRICTION: "limitation du traitement",
        RightsRequestType.OBJECTION: "opposition",
        RightsRequestType.WITHDRAW_CONSENT: "retrait du consentement",
        RightsRequestType.AFTER_DEATH: "directives post-mortem",
    },
    "en": {
        RightsRequestType.ACCESS: "access to my data",
        RightsRequestType.PORTABILITY: "an export of my data (portability)",
        RightsRequestType.RECTIFICATION: "correction of my data",
        RightsRequestType.ERASURE: "erasure of my data",
        RightsRequestType.RESTRICTION: "restriction of processing",
        RightsRequestType.OBJECTION: "objection",
        RightsRequestType.WITHDRAW_CONSENT: "withdrawal of consent",
        RightsRequestType.AFTER_DEATH: "after-death instructions",
    },
}

LANGUAGES = tuple(WORDS)


class Words:
    """Attribute access for templates: `t.unsubscribe`. Messages use WORDS; the public pages their own table."""

    def __init__(self, language: str, table: dict[str, dict[str, str]] = WORDS) -> None:
        self._words = table[language]

    def __getattr__(self, key: str) -> str:
        try:
            return self._words[key]
        except KeyError:
            raise AttributeError(key) from None
