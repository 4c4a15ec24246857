"""The "view in your browser" link, `BASE_URL/v/TOKEN`: a sealed token that names a campaign and a language,
and nobody (issue 20, item 8).

The token is the project's link token (contacts.tokens, REQ-32) with contact 0 and no expiry: AES-SIV being
deterministic, every recipient of one campaign in one language gets the very same link, so the link tells
its holder nothing about who received it. A token changed by one bit, or sealed for another action, opens
to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from contacts.tokens import LinkToken, TokenAction, TokenCodec

PATH = "/v"
# The language's number in the token: fixed here, so that adding a language never changes an old link.
_LANGUAGE_SCOPES = {"fr": 1, "en": 2}
_SCOPE_LANGUAGES = {scope: language for language, scope in _LANGUAGE_SCOPES.items()}


@dataclass(frozen=True)
class ViewedContent:
    campaign_id: int
    language: str


def view_url(codec: TokenCodec, base_url: str, campaign_id: int, language: str) -> str:
    token = LinkToken(TokenAction.VIEW_IN_BROWSER, 0, _LANGUAGE_SCOPES[language], campaign_id)
    return f"{base_url}{PATH}/{codec.seal(token)}"


def open_view_token(codec: TokenCodec, text: str) -> ViewedContent | None:
    """The campaign and language a genuine token names; None for anything else, never an error."""
    token = codec.open(text, TokenAction.VIEW_IN_BROWSER)
    if token is None or token.contact_id or token.scope_id not in _SCOPE_LANGUAGES or not token.campaign_id:
        return None
    return ViewedContent(token.campaign_id, _SCOPE_LANGUAGES[token.scope_id])
