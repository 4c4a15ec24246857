"""Keyed hashes of canonical addresses (REQ-44), tolerant of secret-key rotation.

New entries are hashed with the first key of CONTACTS_SECRET_KEY; lookups try every key, so an
address suppressed under an old key stays suppressed after the key rotates.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from dataclasses import dataclass

from contacts.settings import Settings

_PURPOSE = b"contacts/suppression-hash/v1"


@dataclass(frozen=True)
class HashKey:
    key_id: str
    secret: bytes

    def digest(self, canonical: str) -> str:
        # The one-shot form: a third of the cost of an HMAC object, and it runs for every address of a campaign.
        return hmac.digest(self.secret, canonical.encode("utf-8"), "sha256").hex()


def _derive(secret_key: str) -> HashKey:
    # A dedicated sub-key: the same secret also signs tokens, and the two uses must not mix.
    derived = hmac.new(secret_key.encode("utf-8"), _PURPOSE, hashlib.sha256).digest()
    return HashKey(key_id=hashlib.sha256(derived).hexdigest()[:16], secret=derived)


@dataclass(frozen=True)
class Keyring:
    keys: tuple[HashKey, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        return keyring_for(settings.secret_keys)

    @property
    def current(self) -> HashKey:
        return self.keys[0]

    def hashes(self, canonical: str) -> list[str]:
        return [key.digest(canonical) for key in self.keys]

    def knows(self, key_id: str) -> bool:
        return any(key.key_id == key_id for key in self.keys)


@functools.lru_cache(maxsize=8)
def keyring_for(secret_keys: tuple[str, ...]) -> Keyring:
    """The keyring of these secret keys, newest first; derived once per set of keys."""
    return Keyring(tuple(_derive(key) for key in secret_keys))
