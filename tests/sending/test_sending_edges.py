"""Edge cases of sending: leases and takeovers, rate-limit waits, policy refusals, a refusing relay, IDN
domains, staff text that looks like a marker, header injection, and test sends to suppressed addresses."""

from __future__ import annotations

import dataclasses
import email
import socket
from datetime import timedelta
from email import policy

import pytest
from jinja2 import Environment

from contacts import templating
from contacts.db.bulk import bulk_session
from contacts.db.engine import write_transaction
from contacts.domain import Channel
from contacts.errors import ValidationError
from contacts.mail.message import mailbox
from contacts.sending import queue
from contacts.sending.preview import send_test
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns import schedule_operations
from contacts.services.people import suppression
from contacts.tables import Contact, Delivery, Subscription
from tests.sending.smtp_server import Recorder, TestSmtpServer
from tests.sending.test_campaign_send import (
    import_list,
    new_campaign,
    received,
    settings_for,
)

pytestmark = pytest.mark.usefixtures("database_url")


async def test_a_claim_taken_over_after_its_lease_is_neither_sent_nor_marked_by_its_old_owner(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(4)])
    campaign = await new_campaign("journalists")
    first = await send_campaign(campaign.id, SendOptions(concurrency=1), transport=Recorder())  # builds the audience
    assert first.sent == 4
    # Replay the race: worker A holds a claim past its lease; worker B takes the row over and sends it.
    async with write_transaction():
        await Delivery.update({Delivery.status: "queued"}, force=True)
        await campaigns.Campaign.update({campaigns.Campaign.status: "running"}, force=True)
    stale_owner = f"{socket.gethostname()}:1:{'a' * 8}"  # pid 1 is alive: only the lease can free the claim
    async with bulk_session() as session:
        claims = await queue.claim(session, campaign.id, stale_owner, 10)
        assert await held(session, claims[:1], timedelta(minutes=5)) == {claims[0].delivery_id}  # A's own, for now
    recorder = Recorder()
    await send_campaign(campaign.id, SendOptions(concurrency=1, lease=timedelta(0)), transport=recorder)
    assert len(recorder.sent) == 4
    async with bulk_session() as session:
        assert await held(session, claims[:1], timedelta(minutes=5)) == set()  # A may not send it any more
        await queue.mark_failed(session, claims[0], "late")  # and A's late verdict changes nothing
    assert await Delivery.count().where(Delivery.status == "sent") == 4


async def test_a_claim_goes_on_past_the_last_row_claimed_and_a_row_given_back_is_claimed_again(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(5)])
    campaign = await new_campaign("journalists")
    await send_campaign(campaign.id, SendOptions(concurrency=1), transport=Recorder())  # builds the audience
    async with write_transaction():
        await Delivery.update({Delivery.status: "queued"}, force=True)
        await campaigns.Campaign.update({campaigns.Campaign.status: "running"}, force=True)
    async with bulk_session() as session:
        first = await queue.claim(session, campaign.id, "w:1:a", 2)
        rest = await queue.claim(session, campaign.id, "w:1:a", 10, after=first[-1].delivery_id)
        assert [c.delivery_id for c in first + rest] == sorted(c.delivery_id for c in first + rest)
        assert len(first + rest) == 5
        await queue.release(session, first[0])
        assert await queue.claim(session, campaign.id, "w:1:a", 10, after=rest[-1].delivery_id) == []
        again = await queue.claim(session, campaign.id, "w:1:a", 10)
        assert [c.delivery_id for c in again] == [first[0].delivery_id]



async def held(session, claims, lease) -> set[int]:
    results = await session.fetch_together(queue.hold_statements(session, claims, lease))
    return {row["id"] for rows in results for row in rows}


async def test_a_young_claim_is_held_without_a_write_an_old_one_is_renewed_and_neither_once_lost(tmp_path):
    """The gate's check of a claim: still ours and the campaign running. The lease is renewed only past its
    half, so that a message's row is written twice (claimed, sent), not three times."""
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await new_campaign("journalists")
    await send_campaign(campaign.id, SendOptions(concurrency=1), transport=Recorder())  # builds the audience
    async with write_transaction():
        await Delivery.update({Delivery.status: "queued"}, force=True)
        await campaigns.Campaign.update({campaigns.Campaign.status: "running"}, force=True)
    lease = timedelta(minutes=5)
    async with bulk_session() as session:
        claims = await queue.claim(session, campaign.id, "w:1:a", 10)
        ids = {claim.delivery_id for claim in claims}
        claimed_at = {row["id"]: row["claimed_at"] for row in await session.fetch("SELECT id, claimed_at FROM delivery")}
        assert await held(session, claims, lease) == ids
        # Young claims are only read: no UPDATE is even run, which on SQLite would take the write lock.
        assert len(queue.hold_statements(session, claims, lease)) == 1
        assert len(queue.hold_statements(session, claims, timedelta(0))) == 2
        assert {row["id"]: row["claimed_at"] for row in await session.fetch("SELECT id, claimed_at FROM delivery")} == claimed_at
        # Past half its lease, a claim is renewed.
        assert await held(session, claims, timedelta(0)) == ids
        assert all(row["claimed_at"] != claimed_at[row["id"]]
                   for row in await session.fetch("SELECT id, claimed_at FROM delivery"))
        # Taken over by another worker, or the campaign paused: not held, young or old.
        await session.execute("UPDATE delivery SET claimed_by = 'w:2:b' WHERE id = ?", claims[0].delivery_id)
        assert await held(session, claims, lease) == ids - {claims[0].delivery_id}
        assert await held(session, claims, timedelta(0)) == ids - {claims[0].delivery_id}
    await campaigns.change_status(campaign.id, "pause")
    async with bulk_session() as session:
        assert await held(session, claims, lease) == set()
        assert await held(session, claims, timedelta(0)) == set()

# REQ-3: the check happens after the rate-limit wait, just before the SMTP transaction.
async def test_req3_an_unsubscribe_during_the_rate_limit_wait_is_seen(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await new_campaign("journalists")

    async def unsubscribe_j2(count):
        if count == 1:
            async with write_transaction():
                contact = await Contact.select(Contact.id).where(Contact.email_canonical == "j2@presse.example").first()
                await Subscription.update({Subscription.status: "unsubscribed"}).where(Subscription.contact == contact["id"])

    recorder = Recorder(unsubscribe_j2)
    await campaigns.set_rate(campaign.id, 4)
    summary = await send_campaign(campaign.id, SendOptions(concurrency=3), transport=recorder)
    assert "j2@presse.example" not in recorder.sent and summary.skipped == 1


# REQ-41: a policy refusal (5.7.x) is no hard bounce; a refused DATA fails that message alone.
async def test_req41_policy_refusals_fail_without_suppressing(tmp_path):
    await import_list(tmp_path, "journalists", ["policy@presse.example,P,D,fr", "data@presse.example,D,D,fr",
                                                "ok@presse.example,O,D,fr"])
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        server.handler.refuse_rcpt_with["policy@presse.example"] = "554 5.7.1 Relay access denied"
        server.handler.refuse_data_with["data@presse.example"] = "554 5.6.0 Message content rejected"
        summary = await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    assert (summary.sent, summary.failed) == (1, 2)
    assert sorted(received(server)) == ["ok@presse.example"]
    assert await suppression.entries_for("policy@presse.example") == []
    assert await suppression.entries_for("data@presse.example") == []


async def test_a_relay_that_refuses_our_credentials_pauses_the_campaign_instead_of_failing_it(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await new_campaign("journalists")
    with TestSmtpServer(credentials=("mailer", "right")) as server:
        settings = dataclasses.replace(settings_for(server),
                                       smtp_url=f"smtp://mailer:wrong@127.0.0.1:{server.port}?starttls=false")
        summary = await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings)
    assert summary.outcome.startswith("paused") and summary.failed == 0
    assert (await campaigns.get(campaign.id)).status == "paused"
    assert (await campaigns.progress(campaign.id)).by_status == {"queued": 3}
    # REQ-8: the sender's own pause is in the audit log, and the campaign's timeline says why, in French.
    pause = (await schedule_operations.timeline(await campaigns.get(campaign.id)))[-1]
    assert (pause.action, pause.actor, pause.details["why"]) == ("pause", "system:sender", "relay")
    environment = Environment()
    templating.install(environment)
    said = environment.from_string("{{ step | campaign_step }}").render(step=pause, lang="fr")
    assert said.startswith("mise en pause par le logiciel lui-même : le serveur de messagerie a refusé") and "535" in said


# REQ-40: an IDN domain goes as its A-label and needs no SMTPUTF8; a Unicode local part does.
async def test_req40_idn_domain_is_sent_without_smtputf8_and_unicode_local_part_fails_alone(tmp_path):
    await import_list(tmp_path, "journalists", ["x@straße.de,X,D,fr", "émile@exemple.fr,E,D,fr", "ok@presse.example,O,D,fr"])
    campaign = await new_campaign("journalists")
    with TestSmtpServer(smtputf8=False) as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    assert sorted(received(server)) == ["ok@presse.example", "x@xn--strae-oqa.de"]
    failed = await Delivery.select(Delivery.last_error).where(Delivery.status == "failed").first()
    assert summary.failed == 1 and "SMTPUTF8" in failed["last_error"]


async def test_staff_text_that_looks_like_a_marker_is_sent_as_written(tmp_path):
    await import_list(tmp_path, "journalists", ["j@presse.example,J,D,fr"])
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="Code %%summer%%", actor="test", missing_language="other", body="Code promo : %%summer%% et %%greeting%%")
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    text = received(server)["j@presse.example"].get_payload()[0].get_content()
    assert summary.sent == 1 and "Code promo\u202f: %%summer%% et %%greeting%%" in text


def test_no_control_character_reaches_a_header():
    assert mailbox("Eve\r\nX-Injected: yes", "e@example.org") == '"Eve X-Injected: yes" <e@example.org>'


async def test_a_name_with_line_breaks_cannot_inject_headers(tmp_path):
    path = tmp_path / "evil.csv"
    path.write_bytes(b'email,first_name\nevil@presse.example,"Eve\r\nX-Injected: yes\r\n\r\nbody"\n')
    from contacts.domain import SourceType
    from contacts.services.importing import ImportOptions, run_import

    await run_import(ImportOptions(path=path, list_slug="journalists", source_type=SourceType.GIVEN, source_name="t",
                                   actor="test"))
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    raw = server.handler.received[0].original_content
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Injected"] is None and message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b"\r\n\r\n" not in raw.split(b"Content-Type: multipart")[0]


async def test_a_purpose_the_lists_do_not_serve_must_be_marketing(tmp_path):
    with pytest.raises(ValidationError) as error:
        await new_campaign("journalists", purpose_code="press-information")
    assert error.value.field == "purpose"


async def test_test_sends_respect_the_suppression_list(tmp_path):
    await import_list(tmp_path, "journalists", ["j@presse.example,J,D,fr"])
    campaign = await new_campaign("journalists")
    await suppression.suppress("blocked@example.org", "complaint", actor="test", channel=Channel.CLI)
    with TestSmtpServer() as server:
        with pytest.raises(ValidationError, match="suppression list"):
            await send_test(campaign.id, "blocked@example.org", settings=settings_for(server))
        await send_test(campaign.id, "staff@musee.example", settings=settings_for(server))
    assert list(received(server)) == ["staff@musee.example"]
    assert received(server)["staff@musee.example"]["Subject"] == "[TEST] La lettre de novembre"


class MessageRecorder:
    """A transport that accepts everything and keeps each message."""

    def __init__(self) -> None:
        self.messages: dict[str, bytes] = {}

    async def send(self, sender, recipient, message, *, smtputf8=False):
        from contacts.mail.transport import DELIVERED

        self.messages[recipient] = message
        return DELIVERED

    async def close(self) -> None:
        pass


async def test_a_message_composed_before_its_check_goes_with_the_legal_basis_the_check_found(tmp_path, monkeypatch):
    """A message is composed while its last check runs, with the basis its row was claimed with; when the
    check finds another (the subscription changed meanwhile), the message is composed again with it."""
    from contacts.domain import LegalBasis
    from contacts.mail.wording import BASIS_WORDS

    await import_list(tmp_path, "journalists", ["j0@presse.example,Jeanne,Dupont,fr"])
    (subscription,) = await Subscription.select(Subscription.legal_basis)
    current = LegalBasis(subscription["legal_basis"])
    stale = next(basis for basis in LegalBasis if basis != current)
    claimed_with = queue.recipients

    async def stale_recipients(session, claims, columns):
        return {key: {**row, "legal_basis": stale.value} for key, row in (await claimed_with(session, claims, columns)).items()}

    monkeypatch.setattr(queue, "recipients", stale_recipients)
    campaign = await new_campaign("journalists")
    transport = MessageRecorder()
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1), transport=transport)
    assert summary.sent == 1
    message = email.message_from_bytes(transport.messages["j0@presse.example"], policy=policy.default)
    text = message.get_payload()[0].get_content()
    assert BASIS_WORDS["fr"][current] in text and BASIS_WORDS["fr"][stale] not in text


async def test_building_the_audience_again_adds_only_the_missing_rows(tmp_path):
    """A build cut short by a crash runs again from the start: rows written already stay as they are."""
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await campaigns.change_status((await new_campaign("journalists")).id, "start")  # a built one runs
    async with bulk_session() as session:
        await queue.build_audience(session, campaign, suppression.keyring(), lambda contact: f"<{contact}@first>")
        rows = await session.fetch("SELECT id, contact FROM delivery ORDER BY contact")
        await session.execute("DELETE FROM delivery WHERE id = ?", rows[0]["id"])
        await session.execute("UPDATE delivery SET status = 'sent' WHERE id = ?", rows[1]["id"])
        await queue.build_audience(session, campaign, suppression.keyring(), lambda contact: f"<{contact}@again>")
        after = await session.fetch("SELECT contact, status, message_id FROM delivery ORDER BY contact")
    contacts = [row["contact"] for row in rows]
    assert after == [{"contact": contacts[0], "status": "queued", "message_id": f"<{contacts[0]}@again>"},
                     {"contact": contacts[1], "status": "sent", "message_id": f"<{contacts[1]}@first>"},
                     {"contact": contacts[2], "status": "queued", "message_id": f"<{contacts[2]}@first>"}]
