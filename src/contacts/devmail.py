"""The development mail catcher: an SMTP server on 127.0.0.1:8025 (CONTACTS_MAIL_CATCHER_PORT)
that keeps every message as a .eml file.

`contacts serve` starts it when CONTACTS_SMTP_URL is not set, so that mail sent in development can be read
at /dev/mail and never leaves the machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import urlsplit

from aiosmtpd.smtp import SMTP, Envelope, Session

from contacts.settings import Settings

log = logging.getLogger(__name__)


class CatchingHandler:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}-{uuid.uuid4().hex[:8]}"
        header = f"X-Catcher-Rcpt-To: {', '.join(envelope.rcpt_tos)}\r\n".encode()
        content = envelope.original_content or envelope.content or b""
        partial = self.folder / f".{name}.tmp"
        partial.write_bytes(header + (content if isinstance(content, bytes) else content.encode()))
        partial.rename(self.folder / f"{name}.eml")  # readers never see half a message
        return "250 Message accepted for delivery"


@contextlib.asynccontextmanager
async def mail_catcher(settings: Settings) -> AsyncIterator[None]:
    target = urlsplit(settings.smtp_url)
    assert target.port is not None  # settings write the catcher's address with its port
    folder = settings.mail_catcher_dir
    folder.mkdir(parents=True, exist_ok=True)
    handler = CatchingHandler(folder)
    loop = asyncio.get_running_loop()
    try:
        server = await loop.create_server(
            lambda: SMTP(handler, hostname="contacts-mail-catcher", enable_SMTPUTF8=True),
            host=target.hostname,
            port=target.port,
        )
    except OSError as error:
        log.warning("mail catcher not started on %s:%s: %s", target.hostname, target.port, error)
        yield
        return
    log.info("mail catcher on %s:%s, keeping mail in %s", target.hostname, target.port, folder)
    try:
        yield
    finally:
        server.close()
        await server.wait_closed()


@dataclass(frozen=True)
class CaughtMail:
    id: str
    recipients: str
    sender: str
    subject: str
    date: str


def caught(folder: Path, limit: int | None = None) -> list[CaughtMail]:
    """Newest first; the newest `limit` when given."""
    if not folder.is_dir():
        return []
    result = []
    for path in sorted(folder.glob("*.eml"), reverse=True)[:limit]:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        result.append(
            CaughtMail(
                id=path.stem,
                recipients=str(message.get("X-Catcher-Rcpt-To", "")),
                sender=str(message.get("From", "")),
                subject=str(message.get("Subject", "")),
                date=str(message.get("Date", "")),
            )
        )
    return result


def raw_message(folder: Path, mail_id: str) -> bytes | None:
    if not mail_id.replace("-", "").isalnum():
        return None
    path = folder / f"{mail_id}.eml"
    return path.read_bytes() if path.is_file() else None
