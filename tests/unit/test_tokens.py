"""Link tokens (REQ-32, REQ-33)."""

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contacts.tokens import LinkToken, TokenAction, TokenCodec

KEY = "first-secret-key-0123456789"
codec = TokenCodec((KEY,))


def test_req32_round_trip_and_scoped_to_one_action():
    token = LinkToken(TokenAction.UNSUBSCRIBE, contact_id=42, scope_id=7, campaign_id=3)
    text = codec.seal(token)
    assert codec.open(text, TokenAction.UNSUBSCRIBE) == token
    # An unsubscribe token cannot be used to object, manage preferences or confirm.
    for other in (TokenAction.OBJECT, TokenAction.PREFERENCES, TokenAction.CONFIRM_SUBSCRIPTION):
        assert codec.open(text, other) is None


def test_req32_no_id_can_be_read_from_the_token():
    text = codec.seal(LinkToken(TokenAction.PREFERENCES, contact_id=123456))
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    assert (123456).to_bytes(4, "big") not in raw
    assert text.isascii() and "=" not in text and len(text) <= 64


@given(position=st.integers(min_value=0, max_value=200), bit=st.integers(min_value=0, max_value=7))
def test_req32_any_change_is_refused(position, bit):
    text = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, contact_id=1, scope_id=2))
    raw = bytearray(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    raw[position % len(raw)] ^= 1 << bit
    forged = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert codec.open(forged, TokenAction.UNSUBSCRIBE) is None


@pytest.mark.parametrize("garbage", ["", "x", "!!!!", "a" * 500, "AQ", "%00", "AQAAAA"])
def test_req32_garbage_is_refused_without_error(garbage):
    assert codec.open(garbage, TokenAction.UNSUBSCRIBE) is None


def test_req32_another_secret_cannot_open_or_forge():
    text = TokenCodec(("someone-elses-key-0123456789",)).seal(LinkToken(TokenAction.UNSUBSCRIBE, 1, 2))
    assert codec.open(text, TokenAction.UNSUBSCRIBE) is None


def test_req33_rotated_keys_keep_old_links_working():
    old_link = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, 5, 6))
    rotated = TokenCodec(("brand-new-secret-key-0123456789", KEY))
    assert rotated.open(old_link, TokenAction.UNSUBSCRIBE) == LinkToken(TokenAction.UNSUBSCRIBE, 5, 6)
    new_link = rotated.seal(LinkToken(TokenAction.UNSUBSCRIBE, 5, 6))
    assert new_link != old_link
    assert codec.open(new_link, TokenAction.UNSUBSCRIBE) is None  # the old key alone cannot read new links


def test_req33_opt_out_tokens_never_expire_and_opt_in_tokens_must():
    text = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, 1, 2))
    assert codec.open(text, TokenAction.UNSUBSCRIBE, now=4_000_000_000) is not None  # year 2096
    with pytest.raises(ValueError, match="REQ-33"):
        codec.seal(LinkToken(TokenAction.CONFIRM_SUBSCRIPTION, 1, 2))
    confirm = codec.seal(LinkToken(TokenAction.CONFIRM_SUBSCRIPTION, 1, 2, expires_at=1_000))
    assert codec.open(confirm, TokenAction.CONFIRM_SUBSCRIPTION, now=999) is not None
    assert codec.open(confirm, TokenAction.CONFIRM_SUBSCRIPTION, now=1_001) is None


@given(st.binary(max_size=40))
def test_the_address_form_is_base32_in_lowercase_without_padding(data):
    from contacts.tokens import base32_lower

    assert base32_lower(data) == base64.b32encode(data).rstrip(b"=").decode("ascii").lower()


def test_address_tokens_round_trip_in_any_letter_case():
    token = LinkToken(TokenAction.BOUNCE, contact_id=42, scope_id=0, campaign_id=3)
    text = codec.seal_address(token)
    assert len(text) == 50 and text == text.lower()
    assert codec.open_address(text.upper(), TokenAction.BOUNCE) == token


# REQ-32: a token opens in the one spelling `seal` writes; padding, a NUL or anything else added does not.
@pytest.mark.parametrize("added", ["==", "=", "\x00", "%00", " ", "\n", "A"])
def test_req32_a_token_opens_only_as_it_was_written(added):
    token = LinkToken(TokenAction.UNSUBSCRIBE, contact_id=42, scope_id=7, campaign_id=3)
    text = codec.seal(token)
    assert codec.open(text, TokenAction.UNSUBSCRIBE) == token
    assert codec.open(text + added, TokenAction.UNSUBSCRIBE) is None
    assert codec.open(added + text, TokenAction.UNSUBSCRIBE) is None
    address = codec.seal_address(token)
    assert codec.open_address(address.upper(), TokenAction.UNSUBSCRIBE) == token  # MTAs may fold case
    assert codec.open_address(address + added, TokenAction.UNSUBSCRIBE) is None
