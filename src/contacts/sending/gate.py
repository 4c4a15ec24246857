"""The last check before each SMTP transaction, and the record after it, coalesced across consumers.

Every consumer asks for its message's check shortly before its SMTP transaction, and records the outcome
right after it. Asking costs no round trip of its own: the requests of the process's consumers go together
in one round trip (a group commit), so each check is a round trip old when the transaction starts, plus
the wait for a free connection (which the worker bounds), never a claimed batch old. A consumer sends its
next message only once its previous mark is written, so a crash repeats no more than what was in flight.

A round trip waits, a few milliseconds at most, for the consumers whose checks were answered (in an SMTP
transaction, or waiting for a connection) to end theirs and ask too: the round trip then carries every
consumer's mark and check, instead of one or two (left to themselves, consumers drift apart and each pays
a round trip of its own). The database's work and the sender's per round trip are paid once per group,
which is most of what the check costs. A consumer that asks while it holds a connection does not wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from contacts.db.bulk import BulkSession
from contacts.keyring import Keyring
from contacts.sending import queue
from contacts.services.campaigns import audience
from contacts.services.campaigns.core import CampaignInfo

# How long a round trip waits for the consumers still in an SMTP transaction (a fast relay takes about a
# millisecond per message; one that takes longer should not hold the others up for long).
GATHER_SECONDS = 0.01


class ClaimLost:
    """The campaign is no longer running, or the claim is no longer ours: do not send."""


CLAIM_LOST = ClaimLost()


class Gate:
    def __init__(self, session: BulkSession, campaign: CampaignInfo, keyring: Keyring, lease: timedelta,
                 gather: float = GATHER_SECONDS) -> None:
        self.session = session
        self.lease = lease
        self.campaign = campaign
        self.keyring = keyring
        self.gather = gather
        self._checks: list[tuple[tuple[queue.Claim, str | None], asyncio.Future]] = []
        self._marks: list[tuple[queue.Claim, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None
        self._in_transaction = 0  # consumers whose check passed and who have not called `transaction_over` yet
        self._all_asked: asyncio.Future | None = None  # what a round trip that gathers waits for
        self._hurried = False  # a check is waiting that holds a connection: the next round trip goes at once

    def check(self, claim: queue.Claim, canonical: str | None, *, at_once: bool = False) -> asyncio.Future:
        """Resolves to the contact's facts (None if they are gone), or CLAIM_LOST; renews the claim's lease
        when half of it is gone.
        `canonical`: the address the message goes to, whose suppressions are looked up.
        `at_once`: the asker holds an SMTP connection, idle until the answer: the next round trip does not
        wait to gather the others."""
        future = self._enqueue(self._checks, (claim, canonical))
        if at_once:
            self._hurried = True
            self._end_gathering()
        return future

    def mark_sent(self, claim: queue.Claim) -> asyncio.Future:
        """Resolves once the mark is written."""
        return self._enqueue(self._marks, claim)

    def transaction_over(self) -> None:
        """A consumer whose check was answered is done with that message, whatever came of it (its mark
        asked for first, if it was sent). Round trips no longer wait for it."""
        self._in_transaction -= 1
        if not self._in_transaction:
            self._end_gathering()

    def _end_gathering(self) -> None:
        """A round trip that waits for the others goes now."""
        if self._all_asked is not None and not self._all_asked.done():
            self._all_asked.set_result(None)

    def _enqueue(self, pending: list, item) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        pending.append((item, future))
        if self._flusher is None:
            # A task, not a call: it first runs after every consumer ready in this loop tick has asked.
            self._flusher = asyncio.create_task(self._flush())
        return future

    async def _flush(self) -> None:
        try:
            while self._marks or self._checks:
                if self._in_transaction and self.gather and not self._hurried:
                    await self._gathered()
                self._hurried = False
                marks, self._marks = self._marks, []
                checks, self._checks = self._checks, []
                try:
                    verdicts = await self._round_trip([claim for claim, _ in marks], [item for item, _ in checks])
                except Exception as error:  # the consumers waiting for this round trip get it
                    for _, future in marks + checks:
                        if not future.done():
                            future.set_exception(error)
                            future.exception()  # retrieved: a consumer stopped meanwhile would never await it
                    continue
                _resolve(marks, lambda claim: None)
                # Answered: those consumers are in their transactions until they say they are over.
                self._in_transaction += _resolve(checks, lambda item: verdicts[item[0].delivery_id])
        finally:
            self._flusher = None

    async def _gathered(self) -> None:
        """Until every consumer in a transaction has ended it, or `gather` seconds."""
        loop = asyncio.get_running_loop()
        self._all_asked = waiter = loop.create_future()
        timer = loop.call_later(self.gather, lambda: None if waiter.done() else waiter.set_result(None))
        try:
            await waiter
        finally:
            timer.cancel()
            self._all_asked = None

    async def _round_trip(self, marks: list[queue.Claim], checks: list[tuple[queue.Claim, str | None]]) -> dict:
        """Writes the marks, then returns the checks' verdicts by delivery id: the contact's facts (None if
        they are gone), or CLAIM_LOST. Marks first: a consumer's check then also vouches for its previous mark."""
        session, claims = self.session, [claim for claim, _ in checks]
        contact_by_hash = {digest: claim.contact_id for claim, canonical in checks if canonical
                           for digest in self.keyring.hashes(canonical)}
        statements = [queue.mark_sent_statement(session, marks)] if marks else []
        if not checks:
            await session.fetch_together(statements)
            return {}
        hold = queue.hold_statements(session, claims, self.lease)
        statements += [*hold, audience.subscriptions_query(session, [claim.contact_id for claim in claims]),
                       audience.suppressions_query(session, list(contact_by_hash))]
        *_, subscriptions, suppressions = results = await session.fetch_together(statements)
        held = {row["id"] for rows in results[-2 - len(hold):-2] for row in rows}
        facts = audience.facts_from_rows(subscriptions, self.campaign)
        audience.add_suppressions(facts, contact_by_hash, suppressions)
        return {claim.delivery_id: facts.get(claim.contact_id) if claim.delivery_id in held else CLAIM_LOST
                for claim in claims}

    async def flushed(self) -> None:
        """Wait for what is pending to be written."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)


Item = TypeVar("Item")


def _resolve(pending: list[tuple[Item, asyncio.Future]], verdict: Callable[[Item], Any]) -> int:
    """How many were still awaited."""
    resolved = 0
    for item, future in pending:
        if not future.done():  # a consumer that was cancelled meanwhile
            future.set_result(verdict(item))
            resolved += 1
    return resolved

