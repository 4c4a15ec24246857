"""The audience is built while the first pages are already being sent (issue 3's send speed), without
letting anyone through twice, finishing early, or writing rows for a cancelled campaign. Both engines."""

from __future__ import annotations

import asyncio

import pytest

from contacts.sending import queue
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import audience
from contacts.services.campaigns import core as campaigns
from contacts.tables import Delivery
from tests.sending.smtp_server import Recorder
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")

ADDRESSES = [f"j{i}@presse.example" for i in range(7)]


@pytest.fixture
async def campaign(tmp_path, monkeypatch):
    await import_list(tmp_path, "journalists", [f"{address},J,D,fr" for address in ADDRESSES])
    monkeypatch.setattr(audience, "PAGE", 3)  # three pages
    return await new_campaign("journalists")


def pages_after_the_first(monkeypatch, before_page) -> None:
    """`before_page()` runs before every page of the audience but the first."""
    original = queue.candidates

    async def candidates(session, campaign, after):
        if after:
            await before_page()
        return await original(session, campaign, after)

    monkeypatch.setattr(queue, "candidates", candidates)


async def test_sending_starts_from_the_first_page_while_the_rest_is_built(campaign, monkeypatch):
    first_sent = asyncio.Event()
    # The build waits for a message to go out: without sending alongside it, this would never end.
    pages_after_the_first(monkeypatch, lambda: asyncio.wait_for(first_sent.wait(), 10))

    async def on_send(count):
        first_sent.set()

    transport = Recorder(on_send)
    summary = await send_campaign(campaign.id, SendOptions(concurrency=2, batch_size=2), transport=transport)
    assert sorted(transport.sent) == ADDRESSES  # each person once
    assert (summary.sent, summary.outcome) == (7, "finished")
    after = await campaigns.get(campaign.id)
    assert after.status == "finished" and after.audience_built_at is not None


async def test_a_build_cut_short_finishes_nothing_and_the_next_send_builds_and_sends_the_rest(campaign, monkeypatch):
    async def crash():
        raise RuntimeError("the sender was killed while building")

    pages_after_the_first(monkeypatch, crash)
    transport = Recorder()
    with pytest.raises(ExceptionGroup):
        await send_campaign(campaign.id, SendOptions(concurrency=1, batch_size=1), transport=transport)
    stopped = await campaigns.get(campaign.id)
    assert stopped.status == "running" and stopped.audience_built_at is None
    assert set(transport.sent) <= set(ADDRESSES[:3])  # only the first page was written
    # With nothing queued or in flight, a campaign whose audience is not built is still not finished.
    waiting = Delivery.campaign == campaign.id, Delivery.status.is_in(["queued", "sending"])
    held = [row["id"] for row in await Delivery.select(Delivery.id).where(*waiting)]
    await Delivery.update({Delivery.status: "skipped"}).where(Delivery.id.is_in(held or [0]))
    assert not await campaigns.finish_if_done(campaign.id)
    await Delivery.update({Delivery.status: "queued", Delivery.claimed_by: None}).where(Delivery.id.is_in(held or [0]))

    monkeypatch.undo()
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1), transport=transport)
    assert summary.outcome == "finished"
    # Every message once; at most the one in flight when the build failed went twice.
    assert set(transport.sent) == set(ADDRESSES) and len(transport.sent) <= len(ADDRESSES) + 1


async def test_a_campaign_cancelled_while_its_audience_is_built_gets_no_more_rows(campaign, monkeypatch):
    async def cancel():
        await campaigns.change_status(campaign.id, "cancel")

    pages_after_the_first(monkeypatch, cancel)
    transport = Recorder()
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1, batch_size=1), transport=transport)
    assert summary.outcome == "cancelled"
    rows = await Delivery.select(Delivery.status, Delivery.skip_reason).where(Delivery.campaign == campaign.id)
    assert len(rows) <= 3 and all(row["status"] in ("sent", "skipped") for row in rows)
    assert set(transport.sent) <= set(ADDRESSES[:3])
    assert (await campaigns.get(campaign.id)).audience_built_at is None
