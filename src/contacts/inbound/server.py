"""Receiving inbound mail: an aiosmtpd server for our bounce and unsubscribe addresses, or one message from
an MTA's pipe. A message that fails to be handled is answered 451 (or, from a pipe, exit 75, EX_TEMPFAIL),
so that the MTA keeps it and tries again: nothing is lost, and handling it twice changes nothing more."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiosmtpd.smtp import SMTP, Envelope, Session

from contacts.inbound import verp
from contacts.inbound.handle import Handled, handle
from contacts.settings import Settings

log = logging.getLogger("contacts.inbound")
MESSAGE_SIZE_LIMIT = 10 * 1024 * 1024  # reports return the original message, which is small


class InboundHandler:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.handled: list[Handled] = []  # what each message did, last ones first out (for tests and logs)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str, options) -> str:
        if verp.parse_recipient(address, self.settings.sender_domain) is None:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)  # aiosmtpd decodes nothing unless told to (decode_data)
        for recipient in envelope.rcpt_tos:
            try:
                self.handled.append(await handle(raw, recipient, self.settings))
            except Exception:  # noqa: BLE001 - the sender keeps the message and retries
                log.exception("inbound: handling a message failed; answered 451")
                return "451 4.3.0 Try again later"
        del self.handled[:-100]
        return "250 OK"


@contextlib.asynccontextmanager
async def running_server(settings: Settings, host: str, port: int) -> AsyncIterator[tuple[InboundHandler, int]]:
    """On the running event loop, whose database connections the handler uses. Yields the port bound
    (port 0 picks a free one)."""
    handler = InboundHandler(settings)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, hostname=settings.sender_domain, enable_SMTPUTF8=True,
                     data_size_limit=MESSAGE_SIZE_LIMIT, ident="contacts inbound"),
        host=host, port=port)
    try:
        yield handler, server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


async def serve_forever(settings: Settings, host: str, port: int) -> None:
    async with running_server(settings, host, port) as (_, bound):
        log.info("contacts inbound: listening on %s:%s for mail to bounces@ and unsubscribe+…@%s",
                    host, bound, settings.sender_domain)
        await asyncio.Event().wait()
