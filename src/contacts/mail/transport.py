"""SMTP delivery over a pool of reused aiosmtplib connections, one recipient per transaction.

Each send returns an outcome instead of raising, so the caller decides what a failure means:
- Delivered;
- Temporary (4xx, a dropped connection, a timeout): retry later with backoff;
- Permanent (5xx): fail; `hard_bounce` when the server refused the recipient (REQ-41);
- Permanent with `needs_smtputf8`: the address needs SMTPUTF8 and the server lacks it. Only this
  message fails; the connection and the batch go on (REQ-40).
When the server offers PIPELINING, a transaction takes two round trips instead of four (`pipelining.py`).
A connection that dropped is replaced on the next send: a message whose DATA was cut off is reported
temporary and will be sent again with the same Message-ID, the one repeat the design allows.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from contacts.addresses import Address
from contacts.errors import ConfigurationError
from contacts.i18n import N_
from contacts.mail import pipelining

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}
_CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")  # CR or LF would end the command early


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    use_tls: bool = False  # smtps://: TLS from the first byte
    start_tls: bool | None = None  # None: upgrade when the server offers it
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0
    validate_certs: bool = True

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """`smtp://user:pass@host:587?starttls=true`, `smtps://host`; `?verify=false` for a test server."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError(N_("CONTACTS_SMTP_URL: expected smtp://host[:port] or smtps://host[:port], got %(raw)r"),
                                     raw=url)
        query = {key: values[-1].lower() for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "timeout", "verify"}
        if unknown:
            raise ConfigurationError(N_("CONTACTS_SMTP_URL: unknown option %(option)r (starttls, timeout, verify)"),
                                     option=sorted(unknown)[0])
        use_tls = parts.scheme == "smtps"
        start_tls = _flag(query.get("starttls"), "starttls")
        if use_tls and start_tls:
            raise ConfigurationError(N_("CONTACTS_SMTP_URL: smtps:// is TLS already; starttls=true does not apply"))
        try:
            timeout = float(query.get("timeout", 30))
            port = parts.port or (465 if use_tls else 587 if start_tls else 25)
        except ValueError as error:
            raise ConfigurationError(N_("CONTACTS_SMTP_URL: %(problem)s"), problem=str(error)) from None
        verify = _flag(query.get("verify"), "verify")
        return cls(
            host=parts.hostname,
            port=port,
            use_tls=use_tls,
            start_tls=False if use_tls else start_tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            timeout=timeout,
            validate_certs=verify is not False,
        )


def _flag(value: str | None, name: str) -> bool | None:
    if value is None:
        return None
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ConfigurationError(N_("CONTACTS_SMTP_URL: %(name)s=%(raw)r is not true or false"), name=name, raw=value)


@dataclass(frozen=True)
class Outcome:
    delivered: bool
    temporary: bool = False
    code: int | None = None
    message: str = ""
    hard_bounce: bool = False
    needs_smtputf8: bool = False
    relay_fault: bool = False  # the relay refuses us, not this message: authentication, connect, EHLO
    connection_error: bool = False


    @property
    def permanent(self) -> bool:
        return not self.delivered and not self.temporary


DELIVERED = Outcome(delivered=True, code=250)


def _temporary(message: str, code: int | None = None) -> Outcome:
    return Outcome(delivered=False, temporary=True, code=code, message=message)


# Enhanced status codes (RFC 3463) that say the mailbox itself is bad or gone: a hard bounce. A policy
# refusal (5.7.x, e.g. "relay access denied") says nothing about the address and must not suppress it.
HARD_BOUNCE_STATUS = ("5.1.", "5.2.1")


def _from_response(error: aiosmtplib.SMTPResponseException, *, recipient_stage: bool) -> Outcome:
    code, message = error.code, error.message
    # RFC 5321 4.5.3.1.10: a 552 to RCPT means "too many recipients" and is treated as 452. A 503 is a
    # confused session, not a verdict on the message.
    if 400 <= code < 500 or code == 503 or (recipient_stage and code == 552):
        return _temporary(message, code)
    enhanced = message.split(" ", 1)[0] if message[:2] == "5." else ""
    hard = recipient_stage and code in (550, 551, 553) and (not enhanced or enhanced.startswith(HARD_BOUNCE_STATUS))
    return Outcome(delivered=False, code=code, message=message, hard_bounce=hard)


@dataclass
class SmtpPool:
    """Up to `size` connections, opened on demand and reused across messages."""

    settings: SmtpSettings
    size: int = 4
    _idle: asyncio.Queue = field(init=False)
    _slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self._idle = asyncio.Queue()
        self._slots = asyncio.Semaphore(self.size)

    async def send(self, sender: str, recipient: str, message: bytes, *, smtputf8: bool = False) -> Outcome:
        if _CONTROL_CHARACTER.search(sender + recipient):  # as aiosmtplib checks every command's arguments
            raise ValueError("an envelope address holds a control character")
        async with self._slots:
            client = self._idle.get_nowait() if not self._idle.empty() else None
            try:
                if client is None or not client.is_connected:
                    client = await self._connect()
                # One deadline for the whole transaction rather than one per command, which costs a timer
                # and a waiting future for each of the four replies. A transaction cut off by it leaves the
                # connection out of step: it is closed below.
                async with asyncio.timeout(self.settings.timeout):
                    outcome = await self._transact(client, sender, recipient, message, smtputf8)
            except (TimeoutError, aiosmtplib.SMTPConnectError, aiosmtplib.SMTPServerDisconnected, aiosmtplib.SMTPTimeoutError, ConnectionError, OSError) as error:
                _discard(client)
                return Outcome(delivered=False, temporary=True, message=f"connection: {error}", connection_error=True)
            except aiosmtplib.SMTPAuthenticationError as error:
                _discard(client)
                return Outcome(delivered=False, code=error.code, message=f"authentication refused: {error.message}",
                               relay_fault=True)
            except aiosmtplib.SMTPResponseException as error:  # refused at connect, EHLO or STARTTLS
                _discard(client)
                return Outcome(delivered=False, code=error.code, message=f"the relay refused the session: {error.message}",
                               relay_fault=True)
            if client.is_connected:
                self._idle.put_nowait(client)
            return outcome

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.host, port=s.port, use_tls=s.use_tls, start_tls=s.start_tls, timeout=s.timeout,
            validate_certs=s.validate_certs, username=s.username, password=s.password,
            tls_context=None if s.validate_certs else _unverified_context(),
        )
        await client.connect()
        return client

    async def _transact(self, client: aiosmtplib.SMTP, sender: str, recipient: str, message: bytes,
                        smtputf8: bool) -> Outcome:
        if client.last_ehlo_response is None:
            await client.ehlo()
        if smtputf8 and not client.supports_extension("smtputf8"):
            return Outcome(delivered=False, message="the address needs SMTPUTF8, which the server lacks",
                           needs_smtputf8=True)
        # Both addresses were validated by email-validator already; aiosmtplib's sendmail() would parse
        # them again with the stdlib's pure-Python parser, the costliest step of a transaction.
        encoding = "utf-8" if smtputf8 else "ascii"
        if client.supports_extension("pipelining"):
            return await self._pipelined(client, sender.encode(encoding), recipient.encode(encoding), message,
                                         smtputf8)
        options = [b"SMTPUTF8"] if smtputf8 else []
        response = await client.execute_command(b"MAIL", b"FROM:<" + sender.encode(encoding) + b">", *options,
                                                timeout=None)
        if response.code != 250:
            return await self._refused(client, response, recipient_stage=False)
        response = await client.execute_command(b"RCPT", b"TO:<" + recipient.encode(encoding) + b">", timeout=None)
        if response.code not in (250, 251):
            return await self._refused(client, response, recipient_stage=True)
        try:
            await client.data(message, timeout=None)
        except aiosmtplib.SMTPDataError as error:
            # Some servers keep the transaction open after refusing DATA: reset it for the next message.
            return await self._refused(client, error, recipient_stage=False)
        return DELIVERED

    async def _pipelined(self, client: aiosmtplib.SMTP, sender: bytes, recipient: bytes, message: bytes,
                         smtputf8: bool) -> Outcome:
        """MAIL, RCPT and DATA in one write, their replies read in order (RFC 2920), then the content."""
        protocol = pipelining.enable(client)
        protocol.write(b"MAIL FROM:<" + sender + (b"> SMTPUTF8\r\n" if smtputf8 else b">\r\n") +
                       b"RCPT TO:<" + recipient + b">\r\nDATA\r\n")
        mail, rcpt, data = await protocol.replies(3)
        refusal = None
        if mail.code != 250:
            refusal = (mail, False)
        elif rcpt.code not in (250, 251):
            refusal = (rcpt, True)
        elif data.code != 354:
            refusal = (data, False)
        if refusal is not None:
            if data.code == 354:
                # RFC 2920 3.1: DATA was accepted though the transaction failed; an empty message ends it.
                protocol.write(b".\r\n")
                await protocol.read_response()
            return await self._refused(client, refusal[0], recipient_stage=refusal[1])
        protocol.write(pipelining.data_lines(message))
        response = await protocol.read_response()
        if response.code != 250:
            return await self._refused(client, response, recipient_stage=False)
        return DELIVERED

    @staticmethod
    async def _refused(client: aiosmtplib.SMTP, response, *, recipient_stage: bool) -> Outcome:
        if client.is_connected:
            try:
                await client.rset()  # leave the connection clean for the next message
            except (aiosmtplib.SMTPException, ConnectionError, OSError):
                client.close()
        if not isinstance(response, aiosmtplib.SMTPResponseException):
            response = aiosmtplib.SMTPResponseException(response.code, response.message)
        return _from_response(response, recipient_stage=recipient_stage)

    async def close(self) -> None:
        while not self._idle.empty():
            client = self._idle.get_nowait()
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, ConnectionError, OSError):
                client.close()


def _discard(client: aiosmtplib.SMTP | None) -> None:
    if client is not None and client.is_connected:
        client.close()


def _unverified_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


async def send_one(settings: SmtpSettings, sender: str, address: Address, message: bytes) -> Outcome:
    """One message over a connection of its own, closed after it: test sends and single notices."""
    pool = SmtpPool(settings, size=1)
    try:
        return await pool.send(sender, address.envelope_recipient, message, smtputf8=address.needs_smtputf8)
    finally:
        await pool.close()
