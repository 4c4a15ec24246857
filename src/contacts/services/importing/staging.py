"""Uploaded CSV files kept between their preview and their import, in the database: any server process, on
any machine, can import what another previewed. A file is written in chunks, each in a short transaction of
its own (on SQLite no upload holds the write lock for long), and deleted the same way after its import or
once expired; expired uploads are swept at the next upload.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from contacts.db.engine import write_transaction
from contacts.errors import NotFoundError
from contacts.i18n import N_
from contacts.machinery_tables import StagedUpload, StagedUploadChunk

CHUNK_BYTES = 1024 * 1024
KEPT_FOR = timedelta(hours=24)
# Chunks deleted per transaction: a few megabytes at a time.
DELETE_CHUNKS_AT_ONCE = 4
_KEY = re.compile(r"^[0-9a-f]{32}$")


async def stage(owner: int, content: bytes, now: datetime | None = None) -> str:
    """Keep these bytes for `owner` until an import or `KEPT_FOR`; returns the upload's key."""
    now = now or datetime.now(UTC)
    await sweep(now)
    key = secrets.token_hex(16)
    expires_at = now + KEPT_FOR
    for number, start in enumerate(range(0, len(content), CHUNK_BYTES)):
        async with write_transaction():
            await StagedUploadChunk.insert(StagedUploadChunk(
                upload_key=key, number=number, content=content[start : start + CHUNK_BYTES], expires_at=expires_at))
    async with write_transaction():
        await StagedUpload.insert(StagedUpload(key=key, owner=owner, size=len(content), created_at=now,
                                               expires_at=expires_at))
    return key


async def copy_to(owner: int, key: str, path: Path) -> None:
    """Write the upload's bytes to `path` (a scratch file of this request). Raises NotFoundError when the key
    names no complete, unexpired upload of this owner."""
    upload = None
    if _KEY.match(key):
        upload = await StagedUpload.select(StagedUpload.size).where(
            (StagedUpload.key == key) & (StagedUpload.owner == owner)
            & (StagedUpload.expires_at > datetime.now(UTC))).first()
    if upload is None:
        raise NotFoundError(N_("the uploaded file is gone: upload it again"))
    written = 0
    with open(path, "wb") as out:
        while written < upload["size"]:
            chunk = await StagedUploadChunk.select(StagedUploadChunk.content).where(
                (StagedUploadChunk.upload_key == key) & (StagedUploadChunk.number == written // CHUNK_BYTES)).first()
            if chunk is None:  # swept meanwhile
                raise NotFoundError(N_("the uploaded file is gone: upload it again"))
            written += out.write(chunk["content"])


async def discard(key: str) -> None:
    """Delete an upload: first its record, so it can no longer be imported, then its chunks."""
    async with write_transaction():
        await StagedUpload.delete().where(StagedUpload.key == key)
    await _delete_chunks(StagedUploadChunk.upload_key == key)


async def sweep(now: datetime | None = None) -> None:
    """Delete every expired upload, and what remains of uploads cut short."""
    now = now or datetime.now(UTC)
    if await StagedUpload.exists().where(StagedUpload.expires_at <= now):  # a read, most of the time
        async with write_transaction():
            await StagedUpload.delete().where(StagedUpload.expires_at <= now)
    await _delete_chunks(StagedUploadChunk.expires_at <= now)


async def _delete_chunks(condition) -> None:
    while True:
        ids = [row["id"] for row in await StagedUploadChunk.select(StagedUploadChunk.id).where(condition).limit(
            DELETE_CHUNKS_AT_ONCE)]
        if not ids:
            return
        async with write_transaction():
            await StagedUploadChunk.delete().where(StagedUploadChunk.id.is_in(ids))
