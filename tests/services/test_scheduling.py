"""Scheduled sends with a controllable clock (the `now` every step takes): the time to come refused when past
or badly written, the start exactly once with two starters at the same moment, a late start said as such,
unscheduling, and REQ-3 for a scheduled campaign: an address suppressed after scheduling is not mailed."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime, timedelta

import pytest

from contacts.domain import Channel
from contacts.errors import ConflictError, ValidationError
from contacts.i18n import PARIS
from contacts.sending import scheduled
from contacts.sending.draining import work_forever
from contacts.sending.options import SendOptions
from contacts.sending.worker import send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns import schedule_operations, scheduling
from contacts.services.people import suppression
from contacts.tables import AuditEvent, Delivery
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import (
    import_list,
    new_campaign,
    received,
    settings_for,
)

pytestmark = pytest.mark.usefixtures("database_url")
SOON = datetime(2031, 3, 10, 9, 30, tzinfo=PARIS)  # a Monday morning, years ahead of the real clock


async def scheduled_campaign(tmp_path, addresses: int = 4) -> campaigns.CampaignInfo:
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J{i},D,fr" for i in range(addresses)])
    campaign = await new_campaign("journalists")
    await schedule_operations.schedule("cli:tester", campaign.id, "2031-03-10 09:30", "--at")
    return await campaigns.get(campaign.id)


async def audit_rows(campaign_id: int, action: str) -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.object_id == str(campaign_id), AuditEvent.action == action)


def test_a_time_to_come_is_read_in_paris_time_and_refused_past_or_badly_written():
    now = datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
    assert scheduling.parse_at("2026-12-10 09:30", "--at", now) == datetime(2026, 12, 10, 8, 30, tzinfo=UTC)
    assert scheduling.parse_at("2026-12-10T09:30", "at", now) == datetime(2026, 12, 10, 8, 30, tzinfo=UTC)
    assert scheduling.parse_at("2027-07-01T09:30:00+02:00", "at", now) == datetime(2027, 7, 1, 7, 30, tzinfo=UTC)
    assert scheduling.parse_at("2026-12-10T09:30Z", "at", now) == datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
    for text in ("10/12/2026 09:30", "2026-12-10", "tomorrow", "2026-13-10 09:30", "2026-12-10 25:00"):
        with pytest.raises(ValidationError) as bad:
            scheduling.parse_at(text, "--at", now)
        assert bad.value.field == "--at" and "2026-12-10 09:30" in str(bad.value)
    with pytest.raises(ValidationError) as past:
        scheduling.parse_at("2026-12-06 22:30", "--at", now)  # 21:30 UTC: half an hour ago
    assert past.value.field == "--at" and "past" in str(past.value)


async def test_a_scheduled_campaign_waits_for_its_time_then_starts_once_with_two_starters(tmp_path):
    campaign = await scheduled_campaign(tmp_path)
    assert (campaign.status, campaign.state, campaign.scheduled_by) == ("scheduled", "scheduled", "cli:tester")
    assert campaign.scheduled_at == SOON
    assert await scheduled.start_due(now=SOON - timedelta(seconds=1)) == []
    assert (await campaigns.get(campaign.id)).status == "scheduled"
    # Two starters at the same moment, as two workers would be: one claims it, the other finds it claimed.
    first, second = await asyncio.gather(scheduled.start_due(now=SOON + timedelta(seconds=5)),
                                         scheduled.start_due(now=SOON + timedelta(seconds=5)))
    assert sorted(first + second) == [campaign.id]
    started = await campaigns.get(campaign.id)
    assert started.status == "running" and started.audience_built_at is not None
    assert await Delivery.count().where(Delivery.campaign == campaign.id) == 4  # the audience, written once
    assert len(await audit_rows(campaign.id, "campaign.start")) == 1
    assert scheduling.lateness(started) is None
    assert await scheduled.start_due(now=SOON + timedelta(minutes=5)) == []


async def test_the_claim_is_one_conditional_update_that_only_one_of_many_wins(tmp_path):
    campaign = await scheduled_campaign(tmp_path, addresses=1)
    claims = await asyncio.gather(*[scheduling.claim(campaign.id, SOON) for _ in range(6)])
    assert claims.count(True) == 1
    assert not await scheduling.claim(campaign.id, SOON)  # running now: nothing to claim


async def test_a_campaign_whose_time_passed_while_nothing_ran_starts_at_once_and_says_it_is_late(tmp_path, caplog):
    campaign = await scheduled_campaign(tmp_path, addresses=2)
    later = SOON + timedelta(hours=3)  # the senders were down from before its time until now
    with caplog.at_level("WARNING"):
        assert await scheduled.start_due(now=later) == [campaign.id]
    started = await campaigns.get(campaign.id)
    assert started.started_at == later and scheduling.lateness(started) == timedelta(hours=3)
    assert "started late" in caplog.text
    entry = (await audit_rows(campaign.id, "campaign.start"))[0]
    assert entry["actor"] == "system:scheduler" and '"late_by_seconds": 10800' in str(entry["details"]).replace("'", '"')
    steps = await schedule_operations.timeline(started)
    assert [step.action for step in steps] == ["create", "schedule", "start"]


async def test_unschedule_takes_it_back_to_draft_and_a_scheduled_campaign_is_neither_edited_nor_sent(tmp_path):
    campaign = await scheduled_campaign(tmp_path, addresses=1)
    with pytest.raises(ConflictError, match="unschedule"):
        await campaigns.change_status(campaign.id, "start")
    with pytest.raises(ConflictError, match="unschedule"):
        await send_campaign(campaign.id, SendOptions())
    draft = await schedule_operations.unschedule("cli:tester", campaign.id)
    assert (draft.status, draft.scheduled_at) == ("draft", None)
    assert await scheduled.start_due(now=SOON + timedelta(days=1)) == []
    with pytest.raises(ConflictError):
        await schedule_operations.unschedule("cli:tester", campaign.id)  # a draft is not scheduled
    moved = await schedule_operations.schedule("cli:tester", campaign.id, "2031-03-11T10:00")
    assert moved[0].scheduled_at == datetime(2031, 3, 11, 10, 0, tzinfo=PARIS)
    moved_again = await schedule_operations.schedule("cli:tester", campaign.id, "2031-03-12T10:00")  # rescheduled
    assert moved_again[0].scheduled_at == datetime(2031, 3, 12, 10, 0, tzinfo=PARIS)
    assert [row["action"] for row in await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.object_id == str(campaign.id)).order_by(AuditEvent.id)] == [
        "campaign.schedule", "campaign.unschedule", "campaign.schedule", "campaign.schedule"]


# REQ-3: a scheduled campaign checks each address just before its SMTP transaction, as a manual send does:
# an address suppressed after the campaign was scheduled is not mailed.
async def test_req3_an_address_suppressed_after_scheduling_is_not_mailed(tmp_path):
    campaign = await scheduled_campaign(tmp_path, addresses=3)
    await suppression.suppress("j1@presse.example", "unsubscribe", actor="test", channel=Channel.CLI)
    assert await scheduled.start_due(now=SOON) == [campaign.id]
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    assert sorted(received(server)) == ["j0@presse.example", "j2@presse.example"]
    assert (summary.sent, summary.outcome) == (2, "finished")
    assert (await campaigns.progress(campaign.id)).skipped_by_reason == {"suppressed": 1}


# REQ-3, as above, with the suppression landing after the start (the audience built), before the sending.
async def test_req3_a_suppression_after_the_scheduled_start_still_stops_the_message(tmp_path):
    campaign = await scheduled_campaign(tmp_path, addresses=3)
    assert await scheduled.start_due(now=SOON) == [campaign.id]
    await suppression.suppress("j2@presse.example", "objection", actor="test", channel=Channel.CLI)
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    assert sorted(received(server)) == ["j0@presse.example", "j1@presse.example"]


async def test_a_worker_pass_starts_the_due_campaign_and_sends_it(tmp_path, monkeypatch):
    """`contacts worker --once`: the due campaign started, then sent in the same pass."""
    await import_list(tmp_path, "journalists", ["a@presse.example,A,D,fr"])
    campaign = await new_campaign("journalists")
    await scheduling.schedule(campaign.id, datetime.now(UTC) - timedelta(seconds=1), "cli:tester")  # due already
    with TestSmtpServer() as server:
        monkeypatch.setattr("contacts.sending.worker.get_settings", lambda: settings_for(server))
        monkeypatch.setattr("contacts.sending.scheduled.get_settings", lambda: settings_for(server))
        await work_forever(SendOptions(wait_for_retries=False), poll=0.1, once=True)
    assert sorted(received(server)) == ["a@presse.example"]
    assert (await campaigns.get(campaign.id)).status == "finished"


async def test_a_due_campaign_whose_audience_became_undecided_goes_back_to_draft_and_says_why(tmp_path):
    await import_list(tmp_path, "journalists", ["a@presse.example,A,D,fr"])
    campaign = await new_campaign("journalists", missing_language=None)  # French only, no English reader yet
    await schedule_operations.schedule("cli:tester", campaign.id, "2031-03-10 09:30")
    await import_list(tmp_path, "journalists", ["b@press.example,B,E,en"])  # an English reader joins
    assert await scheduled.start_due(now=SOON) == []
    back = await campaigns.get(campaign.id)
    assert (back.status, back.scheduled_at) == ("draft", None)
    refused = await audit_rows(campaign.id, "campaign.start_refused")
    assert len(refused) == 1 and "missing_language" in str(refused[0]["details"])



async def test_two_worker_processes_start_a_due_campaign_once_and_send_each_message_once(cli_env, tmp_path):
    """Two `contacts worker` processes at once, as on two machines: one claims the due campaign, both may send
    its messages, each message goes once, and the audit log has one start."""
    await import_list(tmp_path, "journalists", [f"w{i}@presse.example,W{i},D,fr" for i in range(30)])
    campaign = await new_campaign("journalists")
    await scheduling.schedule(campaign.id, datetime.now(UTC) - timedelta(seconds=1), "cli:tester")
    with TestSmtpServer() as server:
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url}
        workers = [await asyncio.create_subprocess_exec(sys.executable, "-m", "contacts", "worker", "--once",
                                                        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT) for _ in range(2)]
        outputs = [(await worker.communicate())[0].decode() for worker in workers]
        assert [worker.returncode for worker in workers] == [0, 0], outputs
        recipients = [envelope.rcpt_tos[0] for envelope in server.handler.received]
    assert sorted(recipients) == sorted(f"w{i}@presse.example" for i in range(30))  # each once
    assert (await campaigns.get(campaign.id)).status == "finished"
    assert len(await audit_rows(campaign.id, "campaign.start")) == 1
