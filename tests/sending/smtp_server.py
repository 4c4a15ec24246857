"""A scriptable SMTP server for tests: aiosmtpd in a thread, refusing, deferring or dropping on demand."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.ports import (
    free_port,  # the tests that start servers import it from here too
)


@dataclass
class ScriptedHandler:
    refuse: set[str] = field(default_factory=set)  # 550 at RCPT
    defer: Counter = field(default_factory=Counter)  # 451 at RCPT, this many times per address
    drop_on_data: Counter = field(default_factory=Counter)  # close the connection at DATA, this many times
    refuse_rcpt_with: dict[str, str] = field(default_factory=dict)  # address -> the full RCPT reply
    refuse_data_with: dict[str, str] = field(default_factory=dict)  # address -> the full DATA reply
    received: list[Envelope] = field(default_factory=list)
    connections: int = 0
    delay: float = 0.0  # seconds before answering DATA: a slow server keeps messages in flight
    pipelining: bool = True  # offer PIPELINING (RFC 2920), as Postfix and Exim do; aiosmtpd reads commands in order

    async def handle_RCPT(self, server, session: Session, envelope: Envelope, address: str, options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        if address in self.refuse_rcpt_with:
            return self.refuse_rcpt_with[address]
        if self.defer[address] > 0:
            self.defer[address] -= 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session: Session, envelope: Envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        recipient = envelope.rcpt_tos[0]
        if recipient in self.refuse_data_with:
            return self.refuse_data_with[recipient]
        if self.drop_on_data[recipient] > 0:
            self.drop_on_data[recipient] -= 1
            server.transport.close()
            return "421 closing"
        self.received.append(envelope)
        return "250 Message accepted"

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses


class Authenticator:
    def __init__(self, username: str, password: str) -> None:
        self.credentials = (username.encode(), password.encode())

    def __call__(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == self.credentials
        return AuthResult(success=ok, handled=False)


class TestSmtpServer:
    __test__ = False  # not a test class

    def __init__(self, *, smtputf8: bool = True, credentials: tuple[str, str] | None = None,
                 pipelining: bool = True) -> None:
        self.handler = ScriptedHandler(pipelining=pipelining)
        self.port = free_port()
        kwargs = {}
        if credentials:
            kwargs = {"authenticator": Authenticator(*credentials), "auth_require_tls": False, "auth_required": True}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=smtputf8,
                                     **kwargs)

    def __enter__(self) -> TestSmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


class Recorder:
    """A transport that accepts everything and records the recipients; `on_send(count)` runs after each."""

    def __init__(self, on_send=None) -> None:
        self.sent: list[str] = []
        self.on_send = on_send

    async def send(self, sender, recipient, message, *, smtputf8=False):
        from contacts.mail.transport import DELIVERED

        self.sent.append(recipient)
        if self.on_send:
            await self.on_send(len(self.sent))
        return DELIVERED

    async def close(self) -> None:
        pass
