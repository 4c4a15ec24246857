"""Each connection has its next messages checked and composed while it sends one: never more transactions at
once than connections, and no check older than the limit when its transaction starts (REQ-3)."""

from __future__ import annotations

import asyncio

import pytest

from contacts.db.engine import write_transaction
from contacts.sending import worker
from contacts.sending.worker import SendOptions, send_campaign
from contacts.tables import Contact, Subscription
from tests.sending.smtp_server import Recorder
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")


class SlowRecorder(Recorder):
    """A relay that takes `seconds` per transaction, and counts how many it had at once."""

    def __init__(self, seconds: float, on_send=None) -> None:
        super().__init__(on_send)
        self.seconds = seconds
        self.at_once = self.most_at_once = 0

    async def send(self, sender, recipient, message, *, smtputf8=False):
        self.at_once += 1
        self.most_at_once = max(self.most_at_once, self.at_once)
        try:
            await asyncio.sleep(self.seconds)
            return await super().send(sender, recipient, message, smtputf8=smtputf8)
        finally:
            self.at_once -= 1


async def unsubscribe(*addresses: str) -> None:
    async with write_transaction():
        for address in addresses:
            contact = await Contact.select(Contact.id).where(Contact.email_canonical == address).first()
            await Subscription.update({Subscription.status: "unsubscribed"}).where(Subscription.contact == contact["id"])


async def test_no_more_transactions_at_once_than_connections(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(12)])
    campaign = await new_campaign("journalists")
    transport = SlowRecorder(0.01)
    summary = await send_campaign(campaign.id, SendOptions(concurrency=2), transport=transport)
    assert summary.sent == 12 and sorted(transport.sent) == sorted(f"j{i}@presse.example" for i in range(12))
    assert transport.most_at_once == 2


def unsubscribing_the_next_two():
    async def on_send(sent):
        if sent == 1:  # the next two were checked in the same round trip as the first, before this
            await unsubscribe("j1@presse.example", "j2@presse.example")
    return on_send


# REQ-3: a message that waited for its connection longer than the limit is checked again, so an unsubscribe
# that landed meanwhile stops it.
async def test_req3_a_check_older_than_the_limit_is_asked_again_before_the_transaction(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await new_campaign("journalists")
    transport = SlowRecorder(2 * worker.CHECK_AGE_LIMIT_SECONDS, unsubscribing_the_next_two())
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1), transport=transport)
    assert transport.sent == ["j0@presse.example"]
    assert (summary.sent, summary.skipped) == (1, 2)


async def test_within_the_limit_a_check_made_ahead_stands(tmp_path, monkeypatch):
    """The counterpart of the test above: the messages were indeed checked while the first was sent, so
    it is the age limit that stopped them there."""
    monkeypatch.setattr(worker, "CHECK_AGE_LIMIT_SECONDS", 60.0)
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(3)])
    campaign = await new_campaign("journalists")
    transport = SlowRecorder(0.1, unsubscribing_the_next_two())
    summary = await send_campaign(campaign.id, SendOptions(concurrency=1), transport=transport)
    assert transport.sent == [f"j{i}@presse.example" for i in range(3)] and summary.sent == 3
