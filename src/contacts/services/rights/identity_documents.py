"""Copies of ID documents sent for a rights request (REQ-15): sealed, kept apart, deleted once checked.

They live in their own table, encrypted with AES-GCM under a key derived from CONTACTS_SECRET_KEY, so a
copy of the main tables or a backup read without the key shows nothing. Checking one deletes it; only
"verified, method, date" stay on the request.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contacts.db.engine import write_transaction
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.settings import get_settings
from contacts.tables import IdentityDocument

MAX_BYTES = 10 * 1024 * 1024
ACCEPTED_TYPES = {"application/pdf", "image/jpeg", "image/png"}
_KEY_PURPOSE = b"contacts/identity-document/v1"


def _keys() -> list[AESGCM]:
    return [AESGCM(hmac.new(secret.encode(), _KEY_PURPOSE, hashlib.sha256).digest())
            for secret in get_settings().secret_keys]


def seal(content: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + _keys()[0].encrypt(nonce, content, None)


def unseal(sealed: bytes) -> bytes:
    """Any current key opens it: a key rotation during a check does not lose the document."""
    for key in _keys():
        try:
            return key.decrypt(sealed[:12], sealed[12:], None)
        except Exception:  # noqa: BLE001 - InvalidTag: try the next key
            continue
    raise ValidationError("document", N_("cannot be opened with the current keys"))


async def store(rights_request_id: int, file_name: str, media_type: str, content: bytes, *, actor: str) -> int:
    if not content:
        raise ValidationError("document", N_("is empty"))
    if len(content) > MAX_BYTES:
        raise ValidationError("document", N_("is over %(megabytes)s MB"), megabytes=MAX_BYTES // (1024 * 1024))
    if media_type not in ACCEPTED_TYPES:
        raise ValidationError("document", N_("must be one of %(types)s, not %(media_type)s"),
                              types=", ".join(sorted(ACCEPTED_TYPES)), media_type=media_type)
    name = os.path.basename(file_name or "document")[:200]
    async with write_transaction():
        rows = await IdentityDocument.insert(IdentityDocument(
            rights_request=rights_request_id, file_name=name, media_type=media_type, sealed=seal(content),
            uploaded_by=actor)).returning(IdentityDocument.id)
    return rows[0]["id"]


async def listed(rights_request_id: int) -> list[dict]:
    return await IdentityDocument.select(IdentityDocument.id, IdentityDocument.file_name, IdentityDocument.media_type,
                                         IdentityDocument.uploaded_at).where(
        IdentityDocument.rights_request == rights_request_id).order_by(IdentityDocument.id)


async def opened(rights_request_id: int, document_id: int) -> tuple[str, str, bytes] | None:
    row = await IdentityDocument.select().where(IdentityDocument.id == document_id,
                                                IdentityDocument.rights_request == rights_request_id).first()
    if row is None:
        return None
    return row["file_name"], row["media_type"], unseal(row["sealed"])


async def delete_all(rights_request_id: int) -> int:
    """Call inside the transaction that records the check."""
    return len(await IdentityDocument.delete().where(IdentityDocument.rights_request == rights_request_id).returning(
        IdentityDocument.id))
