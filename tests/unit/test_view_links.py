"""The "view in your browser" token: a campaign and a language, sealed (REQ-32), naming nobody."""

from __future__ import annotations

import base64

import pytest

from contacts.sending.view_links import ViewedContent, open_view_token, view_url
from contacts.tokens import LinkToken, TokenAction, TokenCodec

codec = TokenCodec(("first-secret-key-0123456789",))
BASE = "https://contacts.example"


def token_of(url: str) -> str:
    return url.removeprefix(f"{BASE}/v/")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_req32_a_view_link_opens_to_its_campaign_and_language(language):
    url = view_url(codec, BASE, 42, language)
    assert url.startswith(f"{BASE}/v/") and url == view_url(codec, BASE, 42, language)  # one link for everybody
    assert open_view_token(codec, token_of(url)) == ViewedContent(42, language)
    raw = base64.urlsafe_b64decode(token_of(url) + "=" * (-len(token_of(url)) % 4))
    assert (42).to_bytes(4, "big") not in raw  # the campaign cannot be read from it either


def test_req32_other_tokens_and_altered_ones_open_to_nothing():
    genuine = token_of(view_url(codec, BASE, 42, "fr"))
    raw = bytearray(base64.urlsafe_b64decode(genuine + "=" * (-len(genuine) % 4)))
    raw[5] ^= 4
    altered = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    naming_someone = codec.seal(LinkToken(TokenAction.VIEW_IN_BROWSER, 7, 1, 42))
    no_language = codec.seal(LinkToken(TokenAction.VIEW_IN_BROWSER, 0, 9, 42))
    no_campaign = codec.seal(LinkToken(TokenAction.VIEW_IN_BROWSER, 0, 1, 0))
    unsubscribe = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, 0, 1, 42))
    other_key = token_of(view_url(TokenCodec(("another-secret-key-987654321",)), BASE, 42, "fr"))
    for text in (altered, naming_someone, no_language, no_campaign, unsubscribe, other_key, "", "x", genuine + "A"):
        assert open_view_token(codec, text) is None
    # The view token opens nothing else: it is no unsubscribe, objection or preferences link.
    for action in (TokenAction.UNSUBSCRIBE, TokenAction.OBJECT, TokenAction.PREFERENCES):
        assert codec.open(genuine, action) is None
