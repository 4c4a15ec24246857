"""Staff sessions kept in the database, so that every server process (and machine) sees the same ones.

A Litestar store: the session middleware reads and writes through it. Keys are stored as their SHA-256, so
the table gives nobody a usable session cookie.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import overload

from litestar.stores.base import Store

from contacts.db.engine import write_transaction
from contacts.tables import StaffSession


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _deadline(expires_in: int | timedelta | None) -> datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, timedelta) else expires_in
    return datetime.now(UTC) + timedelta(seconds=seconds)


@overload
def _aware(moment: datetime) -> datetime: ...
@overload
def _aware(moment: None) -> None: ...
def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


async def end_sessions_of(user_id: int) -> int:
    """Deletes the signed-in sessions of this account, so that none comes back if it is enabled again;
    returns how many. The table holds only live sign-ins, a few rows: they are read and picked here."""
    async with write_transaction():
        rows = await StaffSession.select(StaffSession.id, StaffSession.value)
        ended = [row["id"] for row in rows if _user_of(bytes(row["value"])) == user_id]
        if ended:
            await StaffSession.delete().where(StaffSession.id.is_in(ended))
    return len(ended)


def _user_of(value: bytes) -> object:
    try:
        return json.loads(value).get("user")
    except (ValueError, AttributeError):
        return None


class DatabaseSessionStore(Store):
    async def set(self, key: str, value: str | bytes, expires_in: int | timedelta | None = None) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest, deadline = _digest(key), _deadline(expires_in)
        async with write_transaction():
            updated = await StaffSession.update({StaffSession.value: data, StaffSession.expires_at: deadline}).where(
                StaffSession.key_hash == digest).returning(StaffSession.id)
            if not updated:
                await StaffSession.insert(StaffSession(key_hash=digest, value=data, expires_at=deadline))
            # Expired sessions go as new ones come: the table holds only live ones, and a few.
            await StaffSession.delete().where(StaffSession.expires_at < datetime.now(UTC))

    async def get(self, key: str, renew_for: int | timedelta | None = None) -> bytes | None:
        digest = _digest(key)
        row = await StaffSession.select(StaffSession.value, StaffSession.expires_at).where(
            StaffSession.key_hash == digest).first()
        if row is None:
            return None
        expires_at = _aware(row["expires_at"])
        if expires_at is not None and expires_at <= datetime.now(UTC):
            await self.delete(key)
            return None
        if renew_for and expires_at is not None:
            async with write_transaction():
                await StaffSession.update({StaffSession.expires_at: _deadline(renew_for)}).where(
                    StaffSession.key_hash == digest)
        return bytes(row["value"])

    async def delete(self, key: str) -> None:
        async with write_transaction():
            await StaffSession.delete().where(StaffSession.key_hash == _digest(key))

    async def delete_all(self) -> None:
        async with write_transaction():
            await StaffSession.delete(force=True)

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await StaffSession.select(StaffSession.expires_at).where(StaffSession.key_hash == _digest(key)).first()
        if row is None or row["expires_at"] is None:
            return None
        return max(0, int((_aware(row["expires_at"]) - datetime.now(UTC)).total_seconds()))
