"""Link tokens: what a link in a message may do, sealed so that nobody can read or forge it (REQ-32/33).

A token is the payload (action, contact, scope, campaign, expiry) encrypted and authenticated with
AES-SIV under a key derived from CONTACTS_SECRET_KEY. So no address and no database id can be read from a
URL, a token changed by one bit is refused (the tag check is constant-time), and a token for one action
cannot be used for another. AES-SIV is deterministic: the same link is issued for the same payload,
which is harmless for opt-out links and keeps them stable.

Opt-out tokens carry no expiry: repeating an opt-out is harmless (REQ-33). Tokens that widen processing
(confirming a subscription) must be issued with one. After a key rotation (CONTACTS_SECRET_KEY=new,old)
old links still open: the key byte in each token picks the key that sealed it.

Tokens inside mail addresses (the VERP envelope sender `bounces+ID@`, the `unsubscribe+ID@` mailto) take a
shorter form, `seal_address`: no expiry, and lowercase base32, because MTAs may case-fold a local part
and RFC 5321 caps it at 64 octets (`unsubscribe+` and 50 characters make 62).

A counted link (`/l/TOKEN`, REQ-48) takes a third form, `seal_click`: the campaign, the language's number
and an 8-byte digest of the link, and no contact at all, so that the token cannot name anyone.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import struct
import time
from dataclasses import dataclass
from enum import IntEnum

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV

FORMAT_VERSION = 1
_PAYLOAD = struct.Struct(">BIIIQ")  # action, contact, scope, campaign, expires (unix seconds; 0 = never)
_KEY_PURPOSE = b"contacts/link-token/v1"
ADDRESS_FORMAT_VERSION = 2
_ADDRESS_PAYLOAD = struct.Struct(">BIII")  # action, contact, scope, campaign: no expiry
CLICK_FORMAT_VERSION = 3
_CLICK_PAYLOAD = struct.Struct(">BIB8s")  # action, campaign, language number, link digest: nobody, no expiry


class TokenAction(IntEnum):
    UNSUBSCRIBE = 1  # scope: a list id
    OBJECT = 2  # scope: a purpose id, or 0 for every direct-marketing purpose
    PREFERENCES = 3  # scope: 0
    CONFIRM_SUBSCRIPTION = 4  # scope: a list id; must expire
    BOUNCE = 5  # in the envelope sender (VERP): scope 0, the campaign and contact of one delivery
    RSVP_ACCEPT = 6  # scope: an invitation list id
    RSVP_DECLINE = 7  # scope: an invitation list id
    DOWNLOAD_EXPORT = 8  # scope: a rights request id (access or portability); must expire
    VERIFY_RIGHTS_REQUEST = 9  # scope: a rights request id from the public form; must expire
    VIEW_IN_BROWSER = 10  # contact 0 (it names nobody); scope: the language; the campaign. Never expires
    CHECK_IN = 11  # a guest at the door; scope: an invitation list id. Shown only to a signed-in steward
    CLICK = 12  # a counted link (`seal_click`): campaign, language and link; never a contact. Never expires


# The two tokens that travel in mail addresses (`seal_address`).
ADDRESS_ACTIONS = frozenset({TokenAction.UNSUBSCRIBE, TokenAction.BOUNCE})


@dataclass(frozen=True)
class LinkToken:
    action: TokenAction
    contact_id: int
    scope_id: int = 0
    campaign_id: int = 0
    expires_at: int = 0  # unix seconds; 0 never expires


@dataclass(frozen=True)
class _Key:
    key_id: int
    cipher: AESSIV


def _derive(secret: str) -> _Key:
    material = hmac.new(secret.encode("utf-8"), _KEY_PURPOSE, hashlib.sha512).digest()  # 64 bytes: AES-256-SIV
    return _Key(key_id=hashlib.sha256(material).digest()[0], cipher=AESSIV(material))


_BASE32_PAIRS = [a + b for a in "abcdefghijklmnopqrstuvwxyz234567" for b in "abcdefghijklmnopqrstuvwxyz234567"]


def base32_lower(data: bytes) -> str:
    """`base64.b32encode` in lowercase without padding, ten bits at a time: twice as fast, and each
    message has two such tokens."""
    pad = -len(data) % 5
    value, bits = int.from_bytes(data + bytes(pad), "big"), (len(data) + pad) * 8
    text = "".join([_BASE32_PAIRS[(value >> shift) & 1023] for shift in range(bits - 10, -1, -10)])
    return text[: (len(data) * 8 + 4) // 5]


class TokenCodec:
    def __init__(self, secret_keys: tuple[str, ...]) -> None:
        if not secret_keys:
            raise ValueError("at least one secret key is needed")
        self.keys = [_derive(secret) for secret in secret_keys]

    def seal(self, token: LinkToken) -> str:
        if token.action == TokenAction.CONFIRM_SUBSCRIPTION and not token.expires_at:
            raise ValueError("a token that widens processing must expire (REQ-33)")
        payload = _PAYLOAD.pack(token.action, token.contact_id, token.scope_id, token.campaign_id, token.expires_at)
        return _base64(self._sealed(FORMAT_VERSION, payload))

    def seal_address(self, token: LinkToken) -> str:
        """For a mail address's local part: 50 characters of lowercase base32, which survive case-folding."""
        if token.action not in ADDRESS_ACTIONS or token.expires_at:
            raise ValueError("only unsubscribe and bounce tokens, which never expire, go in an address")
        payload = _ADDRESS_PAYLOAD.pack(token.action, token.contact_id, token.scope_id, token.campaign_id)
        return base32_lower(self._sealed(ADDRESS_FORMAT_VERSION, payload))

    def open_address(self, text: str, action: TokenAction) -> LinkToken | None:
        """The token of `seal_address`, in any letter case; None when it is not genuine or for another action."""
        try:
            raw = base64.b32decode(text.upper() + "=" * (-len(text) % 8))
        except (binascii.Error, ValueError):
            return None
        if base32_lower(raw) != text.lower():  # one spelling, but for the letter case: no padding, nothing added
            return None
        payload = self._opened(raw, ADDRESS_FORMAT_VERSION, _ADDRESS_PAYLOAD.size)
        if payload is None:
            return None
        action_value, contact_id, scope_id, campaign_id = _ADDRESS_PAYLOAD.unpack(payload)
        if action_value != action:
            return None
        return LinkToken(TokenAction(action_value), contact_id, scope_id, campaign_id)

    def open(self, text: str, action: TokenAction, now: float | None = None) -> LinkToken | None:
        """The token if it is genuine, for this action and not expired; otherwise None, never an error."""
        payload = self._opened(_from_base64(text), FORMAT_VERSION, _PAYLOAD.size)
        if payload is None:
            return None
        action_value, contact_id, scope_id, campaign_id, expires_at = _PAYLOAD.unpack(payload)
        if action_value != action:
            return None
        if expires_at and expires_at < (time.time() if now is None else now):
            return None
        return LinkToken(TokenAction(action_value), contact_id, scope_id, campaign_id, expires_at)

    def seal_click(self, token: ClickToken) -> str:
        """A counted link's token: the same link of the same campaign in the same language, the same token."""
        payload = _CLICK_PAYLOAD.pack(TokenAction.CLICK, token.campaign_id, token.language_number, token.link_key)
        return _base64(self._sealed(CLICK_FORMAT_VERSION, payload))

    def open_click(self, text: str) -> ClickToken | None:
        """The token of `seal_click` if it is genuine; None otherwise, never an error."""
        payload = self._opened(_from_base64(text), CLICK_FORMAT_VERSION, _CLICK_PAYLOAD.size)
        if payload is None:
            return None
        action_value, campaign_id, language_number, link_key = _CLICK_PAYLOAD.unpack(payload)
        if action_value != TokenAction.CLICK:
            return None
        return ClickToken(campaign_id, language_number, link_key)

    def _sealed(self, version: int, payload: bytes) -> bytes:
        """The header (format version, key id) and the payload sealed under the newest key, the header bound."""
        key = self.keys[0]
        header = bytes((version, key.key_id))
        return header + key.cipher.encrypt(payload, [header])

    def _opened(self, raw: bytes | None, version: int, size: int) -> bytes | None:
        """The payload of a token of this format, opened by the key its header names; None if it is not genuine."""
        if raw is None or len(raw) < 2 or raw[0] != version:
            return None
        header, sealed = raw[:2], raw[2:]
        for key in self.keys:
            if key.key_id != header[1]:
                continue
            try:
                payload = key.cipher.decrypt(sealed, [header])
            except InvalidTag:
                continue
            return payload if len(payload) == size else None
        return None


def _base64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _from_base64(text: str) -> bytes | None:
    """The bytes of `_base64`'s spelling, and of no other: the decoder skips what is not base64 (`%00`) and takes
    padding (`==`)."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if _base64(raw) == text else None


@dataclass(frozen=True)
class ClickToken:
    campaign_id: int
    language_number: int  # contacts.mail.click_links numbers the languages
    link_key: bytes  # 8 bytes: the link's digest


@functools.lru_cache(maxsize=8)
def codec_for(secret_keys: tuple[str, ...]) -> TokenCodec:
    """The codec for these keys, derived once: deriving costs more than opening a token."""
    return TokenCodec(secret_keys)
