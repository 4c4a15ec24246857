"""SMTP transport against a real SMTP server in the test process (aiosmtpd)."""

from __future__ import annotations

import pytest

from contacts.errors import ConfigurationError
from contacts.mail.pipelining import KeepingReplies
from contacts.mail.transport import SmtpPool, SmtpSettings
from tests.sending.smtp_server import TestSmtpServer


@pytest.fixture(params=[True, False], ids=["pipelining", "one-command-at-a-time"])
def pipelining(request) -> bool:
    """Whether the server offers PIPELINING (RFC 2920); the pool uses it only when offered."""
    return request.param


MESSAGE = b"From: a@musee.example\r\nTo: x@example.org\r\nSubject: test\r\nMessage-ID: <1@musee.example>\r\n\r\nbody\r\n"


async def test_messages_go_through_a_pool_of_reused_connections(pipelining):
    with TestSmtpServer(pipelining=pipelining) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url), size=2)
        for i in range(10):
            assert (await pool.send("bounces@musee.example", f"r{i}@example.org", MESSAGE)).delivered
        protocol = pool._idle.get_nowait().protocol
        await pool.close()
    assert len(server.handler.received) == 10
    assert server.handler.connections == 1  # sequential sends reuse one connection
    assert isinstance(protocol, KeepingReplies) is pipelining  # pipelined only when the server offers it


async def test_lines_that_begin_with_a_dot_arrive_intact(pipelining):
    message = MESSAGE + b".hidden line\r\n..two dots\r\n.\r\nlast\r\n"
    with TestSmtpServer(pipelining=pipelining) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        assert (await pool.send("b@musee.example", "x@example.org", message)).delivered
        await pool.close()
    assert server.handler.received[0].content == message


async def test_a_451_is_temporary_and_the_next_attempt_delivers(pipelining):
    with TestSmtpServer(pipelining=pipelining) as server:
        server.handler.defer["slow@example.org"] = 1
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        first = await pool.send("b@musee.example", "slow@example.org", MESSAGE)
        second = await pool.send("b@musee.example", "slow@example.org", MESSAGE)
        await pool.close()
    assert first.temporary and first.code == 451 and not first.hard_bounce
    assert second.delivered


# REQ-41: a 5xx for a recipient is a hard bounce; other recipients on the connection are unaffected.
async def test_req41_a_550_for_one_recipient_is_a_permanent_hard_bounce(pipelining):
    with TestSmtpServer(pipelining=pipelining) as server:
        server.handler.refuse.add("gone@example.org")
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        refused = await pool.send("b@musee.example", "gone@example.org", MESSAGE)
        after = await pool.send("b@musee.example", "here@example.org", MESSAGE)
        await pool.close()
    assert refused.permanent and refused.hard_bounce and refused.code == 550
    assert after.delivered
    assert [e.rcpt_tos for e in server.handler.received] == [["here@example.org"]]


async def test_a_dropped_connection_is_temporary_and_replaced(pipelining):
    with TestSmtpServer(pipelining=pipelining) as server:
        server.handler.drop_on_data["x@example.org"] = 1
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        dropped = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        retried = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        await pool.close()
    assert dropped.temporary
    assert retried.delivered
    assert server.handler.connections == 2


async def test_a_server_that_stops_answering_mid_transaction_is_temporary_and_the_connection_replaced(pipelining):
    with TestSmtpServer(pipelining=pipelining) as server:
        server.handler.delay = 5.0  # no answer to DATA within the deadline
        pool = SmtpPool(SmtpSettings.from_url(server.url + "?timeout=0.5"))
        stalled = await pool.send("b@musee.example", "x@example.org", MESSAGE)
        server.handler.delay = 0.0
        after = await pool.send("b@musee.example", "y@example.org", MESSAGE)
        await pool.close()
    assert stalled.temporary and stalled.connection_error and not stalled.delivered
    assert after.delivered and server.handler.connections == 2


async def test_an_unreachable_server_is_temporary():
    pool = SmtpPool(SmtpSettings.from_url("smtp://127.0.0.1:9?timeout=2"))
    outcome = await pool.send("b@musee.example", "x@example.org", MESSAGE)
    assert outcome.temporary and "connection" in outcome.message


# REQ-40: an address that needs SMTPUTF8 fails alone when the server lacks it.
async def test_req40_smtputf8_address_fails_alone_on_a_server_without_it(pipelining):
    with TestSmtpServer(smtputf8=False, pipelining=pipelining) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        unicode = await pool.send("b@musee.example", "émile@exemple.fr", MESSAGE, smtputf8=True)
        ascii_after = await pool.send("b@musee.example", "emile@exemple.fr", MESSAGE)
        await pool.close()
    assert unicode.permanent and unicode.needs_smtputf8 and not unicode.hard_bounce
    assert ascii_after.delivered


async def test_req40_smtputf8_address_is_delivered_when_the_server_has_it(pipelining):
    with TestSmtpServer(smtputf8=True, pipelining=pipelining) as server:
        pool = SmtpPool(SmtpSettings.from_url(server.url))
        outcome = await pool.send("b@musee.example", "émile@exemple.fr", MESSAGE, smtputf8=True)
        await pool.close()
    assert outcome.delivered
    assert server.handler.received[0].rcpt_tos == ["émile@exemple.fr"]


async def test_authentication_from_the_url(pipelining):
    with TestSmtpServer(credentials=("mailer", "s3cr:t"), pipelining=pipelining) as server:
        good = SmtpPool(SmtpSettings.from_url(f"smtp://mailer:s3cr%3At@127.0.0.1:{server.port}?starttls=false"))
        bad = SmtpPool(SmtpSettings.from_url(f"smtp://mailer:wrong@127.0.0.1:{server.port}?starttls=false"))
        assert (await good.send("b@musee.example", "x@example.org", MESSAGE)).delivered
        refused = await bad.send("b@musee.example", "x@example.org", MESSAGE)
        await good.close()
    assert refused.permanent and "authentication" in refused.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://relay.example", dict(host="relay.example", port=25, use_tls=False, start_tls=None)),
        ("smtp://u:p%40ss@relay.example:587?starttls=true",
         dict(port=587, start_tls=True, username="u", password="p@ss")),
        ("smtp://relay.example?starttls=true", dict(port=587, start_tls=True)),
        ("smtps://relay.example", dict(port=465, use_tls=True, start_tls=False)),
        ("smtp://relay.example?timeout=5&verify=false", dict(timeout=5.0, validate_certs=False)),
    ],
)
def test_smtp_url_forms(url, expected):
    settings = SmtpSettings.from_url(url)
    assert {key: getattr(settings, key) for key in expected} == expected


@pytest.mark.parametrize("url", ["http://x", "smtp://", "smtp://x?starttls=maybe", "smtps://x?starttls=true",
                                 "smtp://x?colour=blue", "smtp://x:notaport"])
def test_bad_smtp_urls_name_the_variable(url):
    with pytest.raises(ConfigurationError, match="CONTACTS_SMTP_URL"):
        SmtpSettings.from_url(url)


def self_signed_context(tmp_path):
    """A TLS server context with a throw-away certificate for 127.0.0.1."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


async def test_starttls_and_auth_from_the_url(tmp_path):
    from aiosmtpd.controller import Controller

    from tests.sending.smtp_server import Authenticator, ScriptedHandler, free_port

    handler, port = ScriptedHandler(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=self_signed_context(tmp_path),
                            require_starttls=True, authenticator=Authenticator("mailer", "secret"), auth_required=True)
    controller.start()
    try:
        pool = SmtpPool(SmtpSettings.from_url(f"smtp://mailer:secret@127.0.0.1:{port}?starttls=true&verify=false"))
        outcomes = [await pool.send("b@musee.example", f"x{i}@example.org", MESSAGE) for i in range(3)]
        client = pool._idle.get_nowait()
        pool._idle.put_nowait(client)
        assert isinstance(client.protocol, KeepingReplies)  # pipelined over TLS, on either event loop
        await pool.close()
        plain = SmtpPool(SmtpSettings.from_url(f"smtp://127.0.0.1:{port}?starttls=false"))
        refused = await plain.send("b@musee.example", "x@example.org", MESSAGE)
    finally:
        controller.stop()
    assert all(outcome.delivered for outcome in outcomes) and len(handler.received) == 3
    assert not refused.delivered  # the server requires STARTTLS; nothing went in clear


def test_starttls_and_auth_on_the_event_loop_of_a_sending_process(tmp_path):
    """`contacts campaign send` runs on uvloop where it is installed: TLS must work there too."""
    import asyncio

    from contacts.sending.processes import loop_factory

    if loop_factory() is None:
        pytest.skip("uvloop is not installed")
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        runner.run(test_starttls_and_auth_from_the_url(tmp_path))
