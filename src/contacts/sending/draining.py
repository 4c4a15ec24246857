"""`contacts worker`, and the sender inside `contacts serve`: the running campaigns drained again and again,
and the scheduled ones started when their time comes (sending/scheduled.py).
Both wait out a database outage (outages.py); past its limit the worker exits with status 2, and the
server's sender says so in one line and tries again later, as the server itself goes on."""

from __future__ import annotations

import contextlib

from contacts.background import repeating
from contacts.outages import Outage, caused_by_outage, unavailable_in
from contacts.sending import stopping
from contacts.sending.options import SendOptions, SendSummary
from contacts.sending.scheduled import start_due, starting_scheduled
from contacts.sending.worker import drain_running


async def work_forever(options: SendOptions, poll: float, *, once: bool = False) -> SendSummary:
    """Drain the running campaigns, then look again every `poll` seconds, until asked to stop. `once`: return
    when a pass finds nothing to send. Returns what it did."""
    async with contextlib.AsyncExitStack() as stack:
        # The scheduled campaigns whose time has come are started beside the sending: once before the one
        # pass of `once`, else every few seconds, even while a long campaign is being sent.
        if once:
            await start_due()
        else:
            await stack.enter_async_context(starting_scheduled())
        return await _drain_until_stopped(options, poll, once)


async def _drain_until_stopped(options: SendOptions, poll: float, once: bool) -> SendSummary:
    outage, total = Outage.from_settings(), SendSummary()
    while not stopping.requested():
        try:
            handled = await drain_running(options, total, outage)
        except Exception as error:
            if unavailable_in(error) is not None or not caused_by_outage(error):
                raise
            await outage.wait(error)
            continue
        outage.over()
        if once and not handled:
            break
        await stopping.pause(0 if handled else poll)
    total.outcome = "stopped" if stopping.requested() else "done"
    return total


def background_sender(poll: float = 2.0):
    """For the life of `contacts serve`: campaigns started from the API or the staff pages are sent by
    the server process itself. A failed pass is logged and tried again; nothing is lost, since the
    ledger holds the state."""
    options = SendOptions(concurrency=4, wait_for_retries=False)
    return repeating(lambda: work_forever(options, poll), pause=poll, what="the background sender")
