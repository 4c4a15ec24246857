"""Pipelined SMTP transactions (RFC 2920) against a scripted server that controls how its replies are cut
into packets: all of a group's replies at once, or a byte at a time."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest
from aiosmtplib.protocol import PERIOD_REGEX, normalize_message_line_endings
from hypothesis import given
from hypothesis import strategies as st

from contacts.mail import pipelining
from contacts.mail.transport import SmtpPool, SmtpSettings

MESSAGE = b"From: a@musee.example\r\nTo: x@example.org\r\nSubject: test\r\n\r\nbody\r\n.dot\r\n"


@dataclass
class ScriptedServer:
    """Replies to a group of pipelined commands are held until DATA, the group's last command, then written
    `together` in one packet or dribbled a byte at a time."""

    dribble: bool = False
    refuse: set[bytes] = field(default_factory=set)
    multiline_rcpt: bool = False
    accept_data_without_recipients: bool = False  # the misbehaviour RFC 2920 3.1 tells clients to cope with
    hang_up_at_rcpt: int = 0  # this many times, answer MAIL and then close the connection at RCPT
    shutting_down: bool = False  # answer every command of a group with 421, then close (RFC 5321 3.8)
    received: list[tuple[bytes, bytes]] = field(default_factory=list)
    commands: list[bytes] = field(default_factory=list)

    async def __aenter__(self) -> ScriptedServer:
        self.server = await asyncio.start_server(self._session, "127.0.0.1", 0)
        self.url = f"smtp://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc) -> None:
        self.server.close()
        await self.server.wait_closed()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        pending: list[bytes] = []

        async def flush() -> None:
            data = b"".join(pending)
            pending.clear()
            for chunk in ([data[i:i + 1] for i in range(len(data))] if self.dribble else [data]):
                writer.write(chunk)
                await writer.drain()
                if self.dribble:
                    await asyncio.sleep(0)

        pending.append(b"220 scripted ESMTP\r\n")
        await flush()
        recipient = None
        while line := await reader.readline():
            verb = line[:4].upper()
            self.commands.append(verb)
            if verb == b"EHLO":
                pending.append(b"250-scripted\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
                await flush()
            elif verb == b"MAIL":
                recipient = None
                pending.append(b"250 2.1.0 Ok\r\n")
            elif verb in (b"MAIL", b"RCPT", b"DATA") and self.shutting_down:
                pending.append(b"421 4.3.2 Service shutting down\r\n")
                if verb == b"DATA":
                    await flush()
                    break
            elif verb == b"RCPT" and self.hang_up_at_rcpt:
                self.hang_up_at_rcpt -= 1
                await flush()
                break
            elif verb == b"RCPT":
                address = line[line.index(b"<") + 1:line.index(b">")]
                if address in self.refuse:
                    pending.append(b"550 5.1.1 No such user\r\n")
                else:
                    recipient = address
                    pending.append(b"250-2.1.5 Ok\r\n250 2.1.5 Really ok\r\n" if self.multiline_rcpt else b"250 Ok\r\n")
            elif verb == b"DATA":
                if recipient is None and not self.accept_data_without_recipients:
                    pending.append(b"554 5.5.1 No valid recipients\r\n")
                    await flush()
                    continue
                pending.append(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await flush()
                content = b""
                while (data_line := await reader.readline()) != b".\r\n":
                    content += data_line[1:] if data_line.startswith(b"..") else data_line
                if recipient is None:
                    pending.append(b"554 5.5.1 No valid recipients\r\n")
                else:
                    self.received.append((recipient, content))
                    pending.append(b"250 2.0.0 Queued\r\n")
                await flush()
            elif verb == b"RSET":
                pending.append(b"250 2.0.0 Ok\r\n")
                await flush()
            elif verb == b"QUIT":
                pending.append(b"221 2.0.0 Bye\r\n")
                await flush()
                break
        writer.close()


@pytest.mark.parametrize("dribble", [False, True], ids=["one-packet", "a-byte-at-a-time"])
@pytest.mark.parametrize("multiline_rcpt", [False, True], ids=["one-line", "multiline"])
async def test_pipelined_replies_are_read_in_order_however_they_are_cut(dribble, multiline_rcpt):
    async with ScriptedServer(dribble=dribble, multiline_rcpt=multiline_rcpt) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=1)
        outcomes = [await pool.send("b@musee.example", f"r{i}@example.org", MESSAGE) for i in range(5)]
        await pool.close()
    assert all(outcome.delivered for outcome in outcomes)
    assert server.received == [(f"r{i}@example.org".encode(), MESSAGE) for i in range(5)]
    assert server.commands.count(b"EHLO") == 1  # one connection, every transaction on it


# REQ-41: a refused recipient in a pipelined group is a hard bounce, and the connection goes on.
@pytest.mark.parametrize("accept_data", [False, True], ids=["data-refused", "data-accepted-anyway"])
async def test_req41_a_refused_recipient_in_a_pipelined_group_is_a_hard_bounce(accept_data):
    async with ScriptedServer(refuse={b"gone@example.org"}, accept_data_without_recipients=accept_data) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=1)
        refused = await pool.send("b@musee.example", "gone@example.org", MESSAGE)
        after = await pool.send("b@musee.example", "here@example.org", MESSAGE)
        await pool.close()
    assert refused.permanent and refused.hard_bounce and refused.code == 550
    assert after.delivered
    assert server.received == [(b"here@example.org", MESSAGE)]  # the refused one sent no content


async def test_a_connection_lost_within_a_pipelined_group_is_temporary_and_replaced():
    async with ScriptedServer(hang_up_at_rcpt=1) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=1)
        lost = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        again = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        await pool.close()
    assert lost.temporary and lost.connection_error and not lost.delivered
    assert again.delivered and server.commands.count(b"EHLO") == 2
    assert server.received == [(b"x@example.org", MESSAGE)]


async def test_a_server_that_answers_421_and_closes_is_heard_before_the_connection_is_replaced():
    async with ScriptedServer(shutting_down=True) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=1)
        outcome = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        await pool.close()
    assert outcome.temporary and outcome.code == 421 and not outcome.connection_error
    assert server.received == []


async def test_an_envelope_address_with_a_line_break_is_never_written():
    async with ScriptedServer() as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=1)
        with pytest.raises(ValueError, match="control character"):
            await pool.send("b@musee.example", "x@example.org>\r\nRCPT TO:<y@example.org", MESSAGE)
        await pool.close()
    assert b"RCPT" not in server.commands


@given(st.lists(st.sampled_from([b"a", b".", b"..", b"\r", b"\n", b"\r\n", b" ", b"\xc3\xa9"]), max_size=40))
def test_data_lines_are_the_bytes_aiosmtplib_would_send(parts):
    message = b"".join(parts)
    expected = PERIOD_REGEX.sub(b"..", normalize_message_line_endings(message)) + b".\r\n"
    assert pipelining.data_lines(message) == expected


class _Transport(asyncio.Transport):
    def get_extra_info(self, name, default=None):
        return default

    def is_closing(self) -> bool:
        return False

    def write(self, data) -> None:
        pass


async def test_replies_buffered_when_the_connection_closes_are_still_read():
    """The server's last replies and its close can be processed before the client reads the first reply:
    the others, buffered, still count."""
    protocol = pipelining.KeepingReplies(loop=asyncio.get_running_loop())
    protocol.connection_made(_Transport())
    protocol.data_received(b"250 2.1.0 Ok\r\n421 4.3.2 Shutting down\r\n421 4.3.2 Shutting down\r\n")
    protocol.connection_lost(None)
    replies = await protocol.replies(3)
    assert [reply.code for reply in replies] == [250, 421, 421]
