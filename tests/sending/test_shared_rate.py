"""A campaign's rate holds across every process sending it (issue 23): two senders at once share one pace
through the database, on SQLite and PostgreSQL. A low rate over a few seconds, so that a loaded machine
makes it late (fewer per second), never early."""

from __future__ import annotations

import asyncio
import time

import pytest

from contacts.db.bulk import bulk_session
from contacts.mail.transport import DELIVERED
from contacts.sending.pace import take_slots
from contacts.sending.worker import SendOptions, send_campaign, start_campaign
from contacts.services.campaigns import core as campaigns
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")
RATE = 20
COUNT = 80  # four seconds at 20 a second


class StampingTransport:
    """Accepts everything, noting when each message went, by whom."""

    def __init__(self, name: str, stamps: list[tuple[float, str, str]]) -> None:
        self.name, self.stamps = name, stamps

    async def send(self, sender, recipient, message, *, smtputf8=False):
        self.stamps.append((time.monotonic(), self.name, recipient))
        return DELIVERED

    async def close(self) -> None:
        pass


async def test_two_senders_keep_the_campaigns_rate_together(tmp_path):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J,D,fr" for i in range(COUNT)])
    campaign = await new_campaign("journalists", rate=RATE)
    await start_campaign(campaign.id)
    stamps: list[tuple[float, str, str]] = []
    summaries = await asyncio.gather(*(
        send_campaign(campaign.id, SendOptions(concurrency=2, batch_size=5),
                      transport=StampingTransport(name, stamps))
        for name in ("first", "second")))
    assert sum(summary.sent for summary in summaries) == COUNT
    assert {name for _, name, _ in stamps} == {"first", "second"}  # both sent a share
    assert len({recipient for _, _, recipient in stamps}) == COUNT
    times = sorted(moment for moment, _, _ in stamps)
    measured = (COUNT - 1) / (times[-1] - times[0])
    assert RATE * 0.9 <= measured <= RATE * 1.1, measured
    # Spread evenly, not in bursts: no 2 seconds hold more than their share, with room for a sender that a
    # loaded machine held up for half a second and whose late slots then all came due at once.
    for start in times:
        assert sum(1 for moment in times if start <= moment < start + 2.0) <= 2 * RATE * 1.1 + RATE / 2


async def test_slots_are_taken_in_turn_and_never_twice():
    """The shared next slot moves on by each taker's count, from the database's time when it lay behind."""
    campaign_id = 1
    async with bulk_session() as first, bulk_session() as second:
        end_a, now_a = await take_slots(first, campaign_id, 5, 0.1)
        end_b, _ = await take_slots(second, campaign_id, 5, 0.1)
        end_c, _ = await take_slots(first, campaign_id, 2, 0.1)
    assert end_a == pytest.approx(now_a + 0.5, abs=0.05)
    assert end_b == pytest.approx(end_a + 0.5) and end_c == pytest.approx(end_b + 0.2)


async def test_the_rate_is_one_integer_everywhere(tmp_path):
    await import_list(tmp_path, "journalists", ["j0@presse.example,J,D,fr"])
    campaign = await new_campaign("journalists", rate=5)
    assert (await campaigns.set_rate(campaign.id, 30)).rate == 30
    for wrong in (0, 2.5, True):
        with pytest.raises(Exception) as refused:
            await campaigns.set_rate(campaign.id, wrong)  # type: ignore[arg-type]
        assert getattr(refused.value, "field", None) == "rate"
