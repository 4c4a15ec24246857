"""A campaign's rate, kept across every process that sends it (the command, `contacts serve`, each `contacts
worker`, on any machine): they share one next free slot in the database (table sending_pace), and each takes a
few slots at a time by moving it on with one UPDATE, so that the slots of all of them are spread evenly at
the campaign's rate. Slots are counted by the database's clock (on PostgreSQL), so machines whose clocks
differ still share them; a slot taken and not used (a sender that stopped) is lost, never given twice.
A campaign without a rate is not paced, and costs no statement."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable

from contacts.db.bulk import BulkSession, PostgresBulkSession

# Each UPDATE takes this long's worth of slots (at least one, at most SLOTS_AT_MOST): at 50 messages a
# second, 10 slots, five statements a second for all the senders together.
SLOTS_SECONDS = 0.2
SLOTS_AT_MOST = 20

_POSTGRES = (
    "INSERT INTO sending_pace (campaign, next_slot) "
    "VALUES (?, EXTRACT(EPOCH FROM statement_timestamp())::float8 + ?::float8) "
    "ON CONFLICT (campaign) DO UPDATE SET next_slot = "
    "GREATEST(sending_pace.next_slot, EXTRACT(EPOCH FROM statement_timestamp())::float8) + ?::float8 "
    "RETURNING next_slot, EXTRACT(EPOCH FROM statement_timestamp())::float8 AS now"
)
_SQLITE = (  # one machine: its clock is the database's
    "INSERT INTO sending_pace (campaign, next_slot) VALUES (?, ? + ?) "
    "ON CONFLICT (campaign) DO UPDATE SET next_slot = MAX(sending_pace.next_slot, ?) + ? "
    "RETURNING next_slot, ? AS now"
)


async def take_slots(session: BulkSession, campaign_id: int, count: int, interval: float) -> tuple[float, float]:
    """Move the campaign's next free slot on by `count` slots; returns the new next slot and the database's
    time, both in seconds since the epoch. The slots taken are the `count` before the new next slot."""
    span = count * interval
    if isinstance(session, PostgresBulkSession):
        rows = await session.fetch(_POSTGRES, campaign_id, span, span)
    else:
        now = time.time()
        rows = await session.fetch(_SQLITE, campaign_id, now, span, now, span, now)
    return float(rows[0]["next_slot"]), float(rows[0]["now"])


class SharedPace:
    """The slots of one campaign that this process took, handed to its messages one by one."""

    def __init__(self, campaign_id: int, rate: int | None,
                 take: Callable[[int, int, float], Awaitable[tuple[float, float]]]) -> None:
        self.campaign_id = campaign_id
        self.rate = rate  # messages per second, for all senders together; the sender updates it as staff change it
        self.take = take  # take_slots on a session of the caller's
        self.slots: deque[float] = deque()  # this process's clock (time.monotonic)
        self.lock = asyncio.Lock()

    async def wait(self) -> None:
        """Until this message's slot."""
        if not self.rate:
            return
        async with self.lock:
            if not self.slots:
                await self._take(self.rate)
            at = self.slots.popleft()
        delay = at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)

    async def _take(self, rate: int) -> None:
        interval = 1.0 / rate
        count = max(1, min(SLOTS_AT_MOST, round(rate * SLOTS_SECONDS)))
        next_slot, database_now = await self.take(self.campaign_id, count, interval)
        here = time.monotonic()
        first = next_slot - count * interval
        self.slots.extend(here + (first + i * interval - database_now) for i in range(count))
