"""The last check before each SMTP transaction, and the record after it, coalesced across consumers.

Every consumer asks for its message's check immediately before its SMTP transaction, and records the
outcome right after it. Asking costs no round trip of its own: the requests that arrive while the
previous round trip runs go together in the next one (a group commit), so each check is at most one
round trip old when the transaction starts, never a claimed batch old. A consumer sends its next
message only once its previous mark is written, so a crash repeats no more than what was in flight.
"""

from __future__ import annotations

import asyncio

from contacts.sending import queue
from contacts.services import audience
from contacts.services.bulk import BulkSession
from contacts.services.campaigns import CampaignInfo
from contacts.services.keyring import Keyring


class ClaimLost:
    """The campaign is no longer running, or the claim is no longer ours: do not send."""


CLAIM_LOST = ClaimLost()


class Gate:
    def __init__(self, session: BulkSession, campaign: CampaignInfo, keyring: Keyring) -> None:
        self.session = session
        self.campaign = campaign
        self.keyring = keyring
        self._checks: list[tuple[tuple[queue.Claim, str | None], asyncio.Future]] = []
        self._marks: list[tuple[queue.Claim, asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    def check(self, claim: queue.Claim, canonical: str | None) -> asyncio.Future:
        """Resolves to the contact's facts (None if they are gone), or CLAIM_LOST; renews the claim's lease.
        `canonical`: the address the message goes to, whose suppressions are looked up."""
        return self._enqueue(self._checks, (claim, canonical))

    def mark_sent(self, claim: queue.Claim) -> asyncio.Future:
        """Resolves once the mark is written."""
        return self._enqueue(self._marks, claim)

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
                marks, self._marks = self._marks, []
                checks, self._checks = self._checks, []
                try:
                    verdicts = await self._round_trip([claim for claim, _ in marks], [item for item, _ in checks])
                except Exception as error:  # the consumers waiting for this round trip get it
                    for _, future in marks + checks:
                        if not future.done():
                            future.set_exception(error)
                    continue
                _resolve(marks, lambda claim: None)
                _resolve(checks, lambda item: verdicts[item[0].delivery_id])
        finally:
            self._flusher = None

    async def _round_trip(self, marks: list[queue.Claim], checks: list[tuple[queue.Claim, str | None]]) -> dict:
        """Writes the marks, then returns the checks' verdicts by delivery id: the contact's facts (None if
        they are gone), or CLAIM_LOST. Marks first: a consumer's check then also vouches for its previous mark."""
        session, claims = self.session, [claim for claim, _ in checks]
        contact_by_hash = {digest: claim.contact_id for claim, canonical in checks if canonical
                           for digest in self.keyring.hashes(canonical)}
        statements = [queue.mark_sent_statement(session, marks)] if marks else []
        if checks:
            statements += [queue.renew_statement(session, claims),
                           audience.subscriptions_query(session, [claim.contact_id for claim in claims]),
                           audience.suppressions_query(session, list(contact_by_hash))]
        results = await session.fetch_together(statements)
        if not checks:
            return {}
        renewed, subscriptions, suppressions = ({row["id"] for row in results[-3]}, results[-2], results[-1])
        facts = audience.facts_from_rows(subscriptions, self.campaign)
        audience.add_suppressions(facts, contact_by_hash, suppressions)
        return {claim.delivery_id: facts.get(claim.contact_id) if claim.delivery_id in renewed else CLAIM_LOST
                for claim in claims}

    async def flushed(self) -> None:
        """Wait for what is pending to be written."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)


def _resolve(pending: list[tuple[object, asyncio.Future]], verdict) -> None:
    for item, future in pending:
        if not future.done():  # a consumer that was cancelled meanwhile
            future.set_result(verdict(item))

