"""Counted links, `BASE_URL/l/TOKEN` (REQ-48): what a campaign's body links to, through a token that names the
campaign, the language and the link, and nobody.

The body is rendered once per language (never per recipient), and this is the step of that rendering that
gives each web link of the body its counted address: every recipient of one version gets the very same
links. Only `http:` and `https:` links that staff wrote in the body are counted; `mailto:` and `tel:` are
not, nor any link to this service's own pages, so the unsubscribe, objection, preference, answer and "view
in your browser" links (which the template adds, never the body) are never rewritten.

A redirect goes only to a link of the campaign: the token carries the link's digest, and `/l/` looks for it
among the links that the campaign's body has in that language (`campaign_links`), rendered the way the
composer renders them. A token changed by one bit, or whose digest is not among them, opens to nothing.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from contacts.errors import ValidationError
from contacts.mail import markdown_body
from contacts.tokens import ClickToken, TokenCodec

PATH = "/l"
# The language's number in the token: fixed here, so that adding a language never changes an old link.
LANGUAGE_NUMBERS = {"fr": 1, "en": 2}
_NUMBERED_LANGUAGES = {number: language for language, number in LANGUAGE_NUMBERS.items()}
_WEB = re.compile(r"https?:", re.IGNORECASE)


@dataclass(frozen=True)
class FollowedLink:
    campaign_id: int
    language: str
    link_key: str  # the link's digest in hex, as link_click keeps it


def link_key(url: str) -> bytes:
    """The link's digest, 8 bytes: it tells the links of one campaign apart, and no more."""
    return hashlib.sha256(url.encode("utf-8")).digest()[:8]


def is_counted(url: str, base_url: str) -> bool:
    """A web link, and not one to this service's own pages."""
    return _WEB.match(url) is not None and not (base_url and url.startswith(f"{base_url.rstrip('/')}/"))


def counting_target(codec: TokenCodec, base_url: str, campaign_id: int, language: str) -> Callable[[str], str]:
    """What `markdown_body.render` writes instead of each link: its counted address, or the link itself."""
    number = LANGUAGE_NUMBERS[language]
    issued: dict[str, str] = {}

    def target(url: str) -> str:
        if not is_counted(url, base_url):
            return url
        if url not in issued:
            token = codec.seal_click(ClickToken(campaign_id, number, link_key(url)))
            issued[url] = f"{base_url}{PATH}/{token}"
        return issued[url]

    return target


def render_body(source: str, language: str, accent: str,
                link_target: Callable[[str], str] | None = None) -> tuple[markdown_body.RenderedBody, bool]:
    """The body as the composer sends it, and whether it broke a rule (then it goes as the plain text it was
    written as)."""
    try:
        return markdown_body.render(source, language=language, accent=accent, link_target=link_target), False
    except ValidationError:
        plain = markdown_body.as_plain(source)
        return markdown_body.render(plain, language=language, accent=accent, link_target=link_target), True


def campaign_links(source: str, language: str, base_url: str) -> dict[str, str]:
    """The counted links of a campaign's body in one language, by their digest in hex."""
    found: dict[str, str] = {}

    def collect(url: str) -> str:
        if is_counted(url, base_url):
            found[link_key(url).hex()] = url
        return url

    render_body(source, language, markdown_body.DEFAULT_BRAND_COLOUR, collect)
    return found


def open_click_token(codec: TokenCodec, text: str) -> FollowedLink | None:
    """The campaign, language and link a genuine token names; None for anything else, never an error."""
    token = codec.open_click(text)
    if token is None or token.language_number not in _NUMBERED_LANGUAGES or not token.campaign_id:
        return None
    return FollowedLink(token.campaign_id, _NUMBERED_LANGUAGES[token.language_number], token.link_key.hex())
