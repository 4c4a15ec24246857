"""Sending campaigns end to end against a real SMTP server in the test process, on both engines."""

from __future__ import annotations

import dataclasses
import email
from datetime import timedelta
from email import policy

import pytest

from contacts.db.engine import write_transaction
from contacts.domain import Channel, SourceType
from contacts.errors import ValidationError
from contacts.sending.worker import MESSAGES_PER_CONNECTION, SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import Contact, Delivery, Subscription
from tests.sending.smtp_server import Recorder, TestSmtpServer

pytestmark = pytest.mark.usefixtures("database_url")


async def import_list(tmp_path, slug: str, lines: list[str], header="email,first_name,last_name,language",
                      source_type=SourceType.THIRD_PARTY):
    path = tmp_path / f"{slug}.csv"
    path.write_text(header + "\n" + "\n".join(lines) + "\n", encoding="utf-8")
    await run_import(ImportOptions(path=path, list_slug=slug, source_type=source_type, source_name="Annuaire presse",
                                   actor="test"))


async def new_campaign(*slugs, template="newsletter-communications", subject="La lettre de novembre", **kwargs):
    kwargs.setdefault("missing_language", "other")  # a French letter, which English speakers get too
    return await campaigns.create(list_slugs=list(slugs), template=template, subject=subject, actor="test",
                                  body="Premier paragraphe.\n\nSecond paragraphe.", **kwargs)


def settings_for(server):
    return dataclasses.replace(get_settings(), smtp_url=server.url)


def received(server) -> dict[str, email.message.EmailMessage]:
    return {e.rcpt_tos[0]: email.message_from_bytes(e.original_content, policy=policy.default)
            for e in server.handler.received}


async def test_newsletter_reaches_every_eligible_journalist_once_with_the_rfc8058_headers(tmp_path):
    """The newcomer's scenario: 10 journalists (one also on vips), 2 suppressed, one message each to the rest."""
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,Jeanne{i},Dupont,fr" for i in range(10)])
    await import_list(tmp_path, "vips", ["j0@presse.example,Jeanne0,Dupont,fr", "v@vip.example,Victor,Hugo,en"])
    for address in ("j1@presse.example", "j2@presse.example"):
        await suppression.suppress(address, "objection", actor="test", channel=Channel.CLI)
    campaign = await new_campaign("journalists", "vips", greeting="first_name", content={"subject_en": "The November letter",
                                                                  "body_en": "First paragraph."})
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=3), settings=settings_for(server))
    assert (summary.sent, summary.skipped, summary.failed, summary.outcome) == (9, 0, 0, "finished")
    mail = received(server)
    assert sorted(mail) == sorted([f"j{i}@presse.example" for i in (0, 3, 4, 5, 6, 7, 8, 9)] + ["v@vip.example"])
    progress = await campaigns.progress(campaign.id)
    assert progress.by_status == {"sent": 9, "skipped": 2} and progress.skipped_by_reason == {"suppressed": 2}
    assert (await campaigns.get(campaign.id)).status == "finished"

    message = mail["j3@presse.example"]
    base = get_settings().base_url
    # REQ-27
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{base}/u/") and ", <mailto:unsubscribe+" in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].endswith("<journalists.musee.example>")
    assert message["Message-ID"] and message["Date"] and message["From"]
    # REQ-32: no address or id in any link
    text = message.get_payload()[0].get_content()
    for link in (f"{base}/u/", f"{base}/o/", f"{base}/p/"):
        assert link in text
    assert "j3" not in unsubscribe and "presse.example" not in unsubscribe.split("mailto:")[0]
    # REQ-13: third-party source named; English for the English-speaking contact
    assert "Annuaire presse" in text and "Bonjour Jeanne3," in text  # the greeting staff chose: the first name
    english = mail["v@vip.example"].get_payload()[0].get_content()
    assert "Dear Victor," in english and "“VIPs” (Communications newsletter)" in english
    # the catalogue's French names, in French typography
    assert "«\u202fJournalistes\u202f» (Lettre de la communication)" in text
    assert "Se désinscrire en un clic\u202f: " in text and "Source de votre adresse\u202f: Annuaire presse" in text
    assert mail["v@vip.example"]["Subject"] == "The November letter" and "First paragraph." in english
    assert message["Subject"] == "La lettre de novembre" and "Premier paragraphe." in text
    # VERP: the envelope sender names the delivery, not the address
    sender = server.handler.received[0].mail_from
    assert sender.startswith("bounces+") and "presse" not in sender


# REQ-3, REQ-21, REQ-22: an unsubscribe or objection that lands mid-campaign stops all later mail to that person.
async def test_req3_unsubscribe_during_the_campaign_stops_later_mail(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J{i},D,fr" for i in range(6)])
    campaign = await new_campaign("journalists")

    async def unsubscribe_j5_and_object_j4(count):
        """After the first message, j5 unsubscribes and j4 objects, as a person clicking would."""
        if count == 1:
            async with write_transaction():
                for email_address, status in (("j5@presse.example", "unsubscribed"), ("j4@presse.example", "objected")):
                    contact = await Contact.select(Contact.id).where(Contact.email_canonical == email_address).first()
                    await Subscription.update({Subscription.status: status}).where(Subscription.contact == contact["id"])

    transport = Recorder(unsubscribe_j5_and_object_j4)
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1, batch_size=2), transport=transport)
    assert "j5@presse.example" not in transport.sent and "j4@presse.example" not in transport.sent
    assert (summary.sent, summary.skipped) == (4, 2)
    assert (await campaigns.progress(campaign.id)).skipped_by_reason == {"objected": 1, "unsubscribed": 1}


async def test_a_451_is_retried_and_a_550_fails_and_suppresses(tmp_path):
    await import_list(tmp_path, "journalists", ["slow@presse.example,S,D,fr", "gone@presse.example,G,D,fr",
                                                "ok@presse.example,O,D,fr"])
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        server.handler.defer["slow@presse.example"] = 2
        server.handler.refuse.add("gone@presse.example")
        options = SendOptions(concurrency=2, retry_base=timedelta(milliseconds=50))
        summary = await send_campaign(campaign.id, options, settings=settings_for(server))
    assert (summary.sent, summary.failed, summary.retried) == (2, 1, 2)
    assert sorted(received(server)) == ["ok@presse.example", "slow@presse.example"]
    failed = await Delivery.select(Delivery.last_error, Delivery.attempts).where(Delivery.status == "failed").first()
    assert failed["last_error"].startswith("550")
    # REQ-41: a hard bounce suppresses globally
    assert [(e.scope, e.reason) for e in await suppression.entries_for("gone@presse.example")] == [("global", "hard_bounce")]


async def test_a_campaign_refuses_lists_of_several_purposes_and_unknown_templates(tmp_path):
    with pytest.raises(ValidationError) as error:
        await new_campaign("journalists", "teachers")
    assert error.value.field == "purpose"
    with pytest.raises(ValidationError) as error:
        await new_campaign("journalists", template="nope")
    assert error.value.field == "template"
    campaign = await new_campaign("journalists", "teachers", purpose_code="pr-invitations", template="invitation")
    assert campaign.purpose.code == "pr-invitations"


async def test_pause_stops_claiming_and_send_resumes(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J{i},D,fr" for i in range(8)])
    campaign = await new_campaign("journalists")

    async def pause_after_three(count):
        if count == 3:
            await campaigns.change_status(campaign.id, "pause")

    transport = Recorder(pause_after_three)
    first = await send_campaign(campaign.id, SendOptions(concurrency=1, batch_size=3), transport=transport)
    # A pause stops claiming; the messages a connection already checked ahead (within 50 ms) still go.
    assert first.outcome == "paused" and 3 <= len(transport.sent) <= 3 + MESSAGES_PER_CONNECTION - 1
    second = await send_campaign(campaign.id, SendOptions(concurrency=2, batch_size=3), transport=transport)
    assert second.outcome == "finished"
    assert sorted(transport.sent) == sorted(f"j{i}@presse.example" for i in range(8))  # each exactly once


async def test_a_dropped_connection_is_retried_with_the_same_message_id(tmp_path):
    await import_list(tmp_path, "journalists", ["cut@presse.example,C,D,fr", "ok@presse.example,O,D,fr"])
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        server.handler.drop_on_data["cut@presse.example"] = 1
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2, retry_base=timedelta(milliseconds=50)),
                                      settings=settings_for(server))
    assert (summary.sent, summary.retried, summary.failed) == (2, 1, 0)
    assert sorted(received(server)) == ["cut@presse.example", "ok@presse.example"]
    delivery = await Delivery.select(Delivery.attempts, Delivery.message_id).where(
        Delivery.status == "sent", Delivery.attempts == 2).first()
    assert delivery["message_id"] == received(server)["cut@presse.example"]["Message-ID"]
