"""Inbound mail (REQ-22, REQ-41): bounces, complaints and mailto unsubscribes feed the suppression list;
auto-replies and forged ids change nothing. The reports below follow the shapes Postfix, Exim, Exchange
and Gmail send."""

from __future__ import annotations

import dataclasses
import email
from email import policy

import aiosmtplib
import pytest

from contacts.domain import BounceKind
from contacts.inbound.classify import Kind, classify
from contacts.inbound.handle import handle
from contacts.inbound.server import running_server
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import Delivery, Subscription
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, new_campaign, settings_for

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESSES = ["ana@presse.example", "ben@presse.example", "chloe@presse.example"]


def dsn(to: str, failed: str, status: str, *, reporter="mx.musee.example", action="failed",
        subject="Undelivered Mail Returned to Sender", sender="MAILER-DAEMON@mx.musee.example",
        diagnostic="smtp; 550 5.1.1 <x>: Recipient address rejected: User unknown", original="") -> bytes:
    """An RFC 3464 report (Postfix's shape; the others change the sender, subject and wording)."""
    return f"""From: {sender}
To: {to}
Subject: {subject}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system. I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; {reporter}

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822; {failed}
Action: {action}
Status: {status}
Diagnostic-Code: {diagnostic}

--B
Content-Type: text/rfc822-headers

{original or "Subject: La lettre de novembre"}

--B--
""".replace("\n", "\r\n").encode()


def arf(to: str, original: str) -> bytes:
    return f"""From: feedback@fbl.example
To: {to}
Subject: Complaint
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain

This is an email abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: FBL/1.0
Version: 1

--F
Content-Type: text/rfc822-headers

{original}

--F--
""".replace("\n", "\r\n").encode()


EXIM_BOUNCE = b"""From: Mail Delivery System <Mailer-Daemon@mx.exim.example>
To: bounces@musee.example
Subject: Mail delivery failed: returning message to sender
Auto-Submitted: auto-replied

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  ben@presse.example
    SMTP error from remote mail server after RCPT TO:<ben@presse.example>:
    550 5.1.1 User unknown
"""

OUT_OF_OFFICE = b"""From: ana@presse.example
To: bounces@musee.example
Subject: Automatic reply: La lettre de novembre
Auto-Submitted: auto-replied
X-Autoreply: yes

I am out of the office until Monday.
"""


# REQ-41: the shapes real MTAs send are each read as what they are.
@pytest.mark.parametrize(("raw", "kind", "status"), [
    (dsn("b@x", "ana@presse.example", "5.1.1"), BounceKind.HARD, "5.1.1"),  # Postfix
    (dsn("b@x", "ana@presse.example", "5.1.10", subject="Undeliverable: La lettre", sender="postmaster@outlook.com",
         diagnostic="smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"),
     BounceKind.HARD, "5.1.10"),  # Exchange Online
    (dsn("b@x", "ana@presse.example", "5.1.1", subject="Delivery Status Notification (Failure)",
         sender="mailer-daemon@googlemail.com", reporter="mx.google.com",
         diagnostic="smtp; 550-5.1.1 The email account that you tried to reach does not exist."),
     BounceKind.HARD, "5.1.1"),  # Gmail
    (dsn("b@x", "ana@presse.example", "4.2.2", diagnostic="smtp; 452 4.2.2 Mailbox full"), BounceKind.SOFT, "4.2.2"),
])
def test_req41_delivery_status_reports(raw, kind, status):
    classified = classify(raw)
    assert classified.kind == Kind.BOUNCE and (classified.worst.kind, classified.worst.status) == (kind, status)


def test_req41_exim_plain_bounces_delays_complaints_and_auto_replies():
    exim = classify(EXIM_BOUNCE)
    assert exim.kind == Kind.BOUNCE and exim.worst.kind == BounceKind.HARD
    assert classify(dsn("b@x", "ana@presse.example", "4.4.7", action="delayed")).kind == Kind.OTHER
    assert classify(arf("b@x", "Subject: x")).kind == Kind.COMPLAINT
    assert classify(OUT_OF_OFFICE).kind == Kind.AUTO_REPLY


async def sent_campaign(tmp_path):
    await import_list(tmp_path, "journalists", [f"{address},A,B,fr" for address in ADDRESSES])
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    return {envelope.rcpt_tos[0]: envelope for envelope in server.handler.received}


async def mail_to(port: int, recipient: str, raw: bytes) -> None:
    """As an MTA returns a report: from the null sender, MAIL FROM:<>."""
    async with aiosmtplib.SMTP(hostname="127.0.0.1", port=port) as client:
        await client.sendmail("", [recipient], raw)


async def is_suppressed(address: str) -> set[str]:
    return {entry.reason.value for entry in await suppression.entries_for(address)}


# REQ-41, end to end: the bounce of a delivered message, mailed to `contacts inbound`, suppresses the address
# and the next campaign skips it; a forged id and an auto-reply change nothing.
async def test_req41_a_bounce_mailed_to_the_inbound_server_suppresses_and_the_next_campaign_skips(tmp_path):
    envelopes = await sent_campaign(tmp_path)
    bounce_address = envelopes["ben@presse.example"].mail_from
    assert bounce_address.startswith("bounces+") and "ben" not in bounce_address
    settings = get_settings()
    async with running_server(settings, "127.0.0.1", 0) as (_, port):
        forged = bounce_address[:-len(settings.sender_domain) - 4] + "abc@" + settings.sender_domain
        await mail_to(port, forged, dsn(forged, "ana@presse.example", "5.1.1"))
        await mail_to(port, envelopes["ana@presse.example"].mail_from, OUT_OF_OFFICE)
        await mail_to(port, bounce_address, dsn(bounce_address, "ben@presse.example", "5.1.1"))
    assert await is_suppressed("ben@presse.example") == {"hard_bounce"}
    assert await is_suppressed("ana@presse.example") == set()
    assert await Delivery.count().where(Delivery.bounce_kind == BounceKind.HARD) == 1
    again = await new_campaign("journalists", subject="La lettre de décembre")
    with TestSmtpServer() as server:
        await send_campaign(again.id, SendOptions(concurrency=1), settings=settings_for(server))
    assert sorted(envelope.rcpt_tos[0] for envelope in server.handler.received) == [
        "ana@presse.example", "chloe@presse.example"]


# REQ-41: soft bounces suppress at the limit, counted once per message; a complaint suppresses at once.
async def test_req41_soft_bounces_count_per_message_and_complaints_suppress(tmp_path, monkeypatch):
    from contacts.services.campaigns import bounces

    limited = dataclasses.replace(get_settings(), soft_bounce_limit=2)
    monkeypatch.setattr(bounces, "get_settings", lambda: limited)
    envelopes = await sent_campaign(tmp_path)
    chloe = envelopes["chloe@presse.example"].mail_from
    for _ in range(2):  # the same report twice is one soft-bounced message
        assert (await handle(dsn(chloe, "chloe@presse.example", "4.2.2"), chloe, limited)).outcome == "soft_bounce"
    assert await is_suppressed("chloe@presse.example") == set()
    again = await new_campaign("journalists", subject="La lettre de décembre")
    with TestSmtpServer() as server:
        await send_campaign(again.id, SendOptions(concurrency=1), settings=settings_for(server))
    second = next(e.mail_from for e in server.handler.received if e.rcpt_tos == ["chloe@presse.example"])
    await handle(dsn(second, "chloe@presse.example", "4.2.2"), second, limited)
    assert await is_suppressed("chloe@presse.example") == {"soft_bounce"}
    ana = envelopes["ana@presse.example"].mail_from
    original = email.message_from_bytes(envelopes["ana@presse.example"].original_content, policy=policy.default)
    headers = f"Message-ID: {original['Message-ID']}\r\nSubject: x"
    assert (await handle(arf(ana, headers), ana, get_settings())).outcome == "complaint"
    assert await is_suppressed("ana@presse.example") == {"complaint"}


# REQ-41: a report without a signed id is matched by the Message-ID it returns, and only for an address that
# message was sent to.
async def test_req41_a_report_is_matched_by_its_message_id_only_with_the_address_it_went_to(tmp_path):
    from contacts.services.campaigns import bounces
    from contacts.tables import Contact

    envelopes = await sent_campaign(tmp_path)
    message_id = email.message_from_bytes(envelopes["ana@presse.example"].original_content,
                                          policy=policy.default)["Message-ID"]
    ana = await Contact.select(Contact.id).where(Contact.email_canonical == "ana@presse.example").first()
    found = await bounces.delivery_by_message_id(f" {message_id} ", {"ana@presse.example", "x@elsewhere.example"})
    assert found is not None and found.contact_id == ana["id"]
    assert await bounces.delivery_by_message_id(message_id, {"chloe@presse.example"}) is None  # sent to ana, not her
    assert await bounces.delivery_by_message_id(message_id.replace("<c", "<c9"), {"ana@presse.example"}) is None
    assert await bounces.delivery_by_message_id("<foreign@example.org>", {"ana@presse.example"}) is None


# REQ-22: a mail to the List-Unsubscribe mailto unsubscribes, through the pipe transport's --stdin.
async def test_req22_a_mail_to_the_unsubscribe_address_unsubscribes(tmp_path, contacts_cli):
    envelopes = await sent_campaign(tmp_path)
    message = email.message_from_bytes(envelopes["ana@presse.example"].original_content, policy=policy.default)
    mailto = message["List-Unsubscribe"].split("mailto:")[1].split("?")[0].rstrip(">")
    raw = f"From: ana@presse.example\r\nTo: {mailto}\r\nSubject: unsubscribe\r\n\r\nunsubscribe\r\n"
    result = contacts_cli("inbound", "--stdin", "--recipient", mailto, input=raw)
    assert "unsubscribed" in result.stdout + result.stderr
    statuses = {row["status"] for row in await Subscription.select(Subscription.status).where(
        Subscription.contact.email == "ana@presse.example")}
    assert statuses == {"unsubscribed"}
    forged = contacts_cli("inbound", "--stdin", "--recipient", mailto.replace("+", "+x"), input=raw)
    assert "ignored" in forged.stdout + forged.stderr


# Issue 7: a running campaign pauses itself once its complaints pass the rate (0.3%, Gmail's and Yahoo's).
async def test_a_campaign_pauses_itself_past_the_complaint_rate(tmp_path, monkeypatch):
    from contacts.services.campaigns import bounces
    from contacts.services.campaigns import core as campaigns
    from contacts.tables import AuditEvent, Campaign

    assert bounces.COMPLAINT_RATE_LIMIT == 0.003
    monkeypatch.setattr(bounces, "COMPLAINT_RATE_LIMIT", 0.5)  # three messages: 1/3 stays under, 2/3 passes
    envelopes = await sent_campaign(tmp_path)
    campaign_id = (await Campaign.select(Campaign.id).first())["id"]
    await Campaign.update({Campaign.status: "running"}).where(Campaign.id == campaign_id)  # as if still sending

    async def complain(address: str) -> str:
        envelope = envelopes[address]
        original = email.message_from_bytes(envelope.original_content, policy=policy.default)
        raw = arf(envelope.mail_from, f"Message-ID: {original['Message-ID']}\r\nSubject: x")
        return str(await handle(raw, envelope.mail_from, get_settings()))

    assert "paused" not in await complain("ana@presse.example")
    assert (await campaigns.get(campaign_id)).status == "running"
    assert "paused itself" in await complain("ben@presse.example")
    assert (await campaigns.get(campaign_id)).status == "paused"
    pause = await AuditEvent.select().where(AuditEvent.action == "campaign.pause").first()
    assert (pause["actor"], pause["role"]) == ("system:inbound", "system")
