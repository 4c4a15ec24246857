"""The gate's round trips: each consumer's mark and next check go in one, and a round trip waits for the
consumers still in an SMTP transaction, so that one round trip serves them all. No database: a session
that records what it is asked."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from types import SimpleNamespace

from contacts.sending import queue
from contacts.sending.gate import CLAIM_LOST, Gate


class RecordingSession:
    """Answers every renewal (the claim is still ours) and finds no contact; records each round trip."""

    def __init__(self) -> None:
        self.round_trips: list[list[tuple[str, list]]] = []

    def among(self, values):
        return "= ANY(?)", [list(values)]

    async def fetch_together(self, statements):
        self.round_trips.append(statements)
        await asyncio.sleep(0)  # a round trip lets others run
        results = []
        for sql, params in statements:
            if sql.startswith("SELECT id FROM delivery"):  # every claim is young and still ours
                results.append([{"id": delivery_id} for delivery_id in params[0]])
            else:
                results.append([])
        return results


LEASE = timedelta(minutes=5)
CAMPAIGN = SimpleNamespace(lists=())  # facts_from_rows needs only its lists


def claim(delivery_id: int) -> queue.Claim:
    return queue.Claim(delivery_id, delivery_id, 1, f"<m{delivery_id}@example>", 0, None, "host:1:run")


def marks_and_checks(statements) -> tuple[list[int], list[int]]:
    marks = [params for sql, params in statements if sql.startswith("UPDATE delivery SET status = 'sent'")]
    checks = [params for sql, params in statements if sql.startswith("SELECT id FROM delivery")]
    return (marks[0][2] if marks else []), (checks[0][0] if checks else [])


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


async def test_a_round_trip_waits_for_the_consumer_still_in_its_transaction_then_serves_both():
    session = RecordingSession()
    gate = Gate(session, campaign=CAMPAIGN, keyring=None, lease=LEASE, gather=3600)  # never the time limit here
    first, second = await asyncio.gather(gate.check(claim(1), None), gate.check(claim(2), None))
    assert first is None and second is None and len(session.round_trips) == 1  # both checks, one round trip

    # The first consumer's transaction ends: it asks for its mark and its next check...
    mark_1 = gate.mark_sent(claim(1))
    gate.transaction_over()
    check_3 = gate.check(claim(3), None)
    await settle()
    # ...and no round trip goes while the second consumer is still in its transaction.
    assert len(session.round_trips) == 1 and not mark_1.done() and not check_3.done()

    mark_2 = gate.mark_sent(claim(2))
    gate.transaction_over()
    check_4 = gate.check(claim(4), None)
    await asyncio.gather(mark_1, mark_2, check_3, check_4)
    assert len(session.round_trips) == 2
    assert marks_and_checks(session.round_trips[1]) == ([1, 2], [3, 4])


async def test_a_consumer_alone_is_not_kept_waiting():
    """Nobody else in a transaction: the round trip goes at once, the previous mark with the next check."""
    session = RecordingSession()
    gate = Gate(session, campaign=CAMPAIGN, keyring=None, lease=LEASE, gather=3600)
    await gate.check(claim(1), None)
    mark = gate.mark_sent(claim(1))
    gate.transaction_over()
    await asyncio.gather(mark, gate.check(claim(2), None))
    assert [marks_and_checks(statements) for statements in session.round_trips] == [([], [1]), ([1], [2])]


async def test_a_check_asked_at_once_does_not_wait_for_the_others():
    """A consumer asking again while it holds a connection: the round trip goes although another consumer
    is still in its transaction."""
    session = RecordingSession()
    gate = Gate(session, campaign=CAMPAIGN, keyring=None, lease=LEASE, gather=3600)
    await asyncio.gather(gate.check(claim(1), None), gate.check(claim(2), None))
    gate.transaction_over()  # the first consumer is done with its verdict, the second still in its transaction
    gathering = gate.check(claim(3), None)
    await settle()
    assert not gathering.done()  # a plain check waits for the second consumer...
    await asyncio.wait_for(gate.check(claim(1), None, at_once=True), timeout=1)  # ...one asked at once does not
    assert gathering.done() and marks_and_checks(session.round_trips[-1]) == ([], [3, 1])


async def test_without_gathering_each_request_goes_in_the_next_round_trip():
    session = RecordingSession()
    gate = Gate(session, campaign=CAMPAIGN, keyring=None, lease=LEASE, gather=0)
    await asyncio.gather(gate.check(claim(1), None), gate.check(claim(2), None))
    mark = gate.mark_sent(claim(1))
    gate.transaction_over()
    await asyncio.gather(mark, gate.check(claim(3), None))  # the second consumer is still in its transaction
    assert marks_and_checks(session.round_trips[-1]) == ([1], [3])


async def test_a_lost_claim_is_answered_as_such():
    class LosingSession(RecordingSession):
        async def fetch_together(self, statements):
            self.round_trips.append(statements)
            return [[] for _ in statements]  # no renewal: the campaign stopped or the claim was taken over

    gate = Gate(LosingSession(), campaign=CAMPAIGN, keyring=None, lease=LEASE)
    assert await gate.check(claim(1), None) is CLAIM_LOST
