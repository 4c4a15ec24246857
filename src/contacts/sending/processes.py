"""The sending processes of one machine: `campaign send --processes N` starts N - 1 helpers beside itself,
each a spawned interpreter running the same campaign; they share the work through the ledger's claims.
The sender hands over the function each helper runs (worker.send_campaign): this module does not import it."""

from __future__ import annotations

import asyncio
import dataclasses
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from multiprocessing.process import BaseProcess

from contacts.db.engine import connected
from contacts.logs import configure_logging
from contacts.outages import DatabaseUnavailable, Outage
from contacts.sending import stopping
from contacts.sending.options import SendOptions, SendSummary

# What a helper runs: worker.send_campaign(campaign_id, options, outage=...). A module-level function, which
# the spawned interpreter finds again by its name.
SendCampaign = Callable[..., Awaitable[SendSummary]]


def start_helpers(campaign_id: int, options: SendOptions,
                  send: SendCampaign) -> list[tuple[BaseProcess, asyncio.Future]]:
    """More sending processes for the same campaign; they share the work through the ledger's claims.
    Each with the future of its summary."""
    context = multiprocessing.get_context("spawn")  # not fork: the parent runs threads and an event loop
    helper_options = dataclasses.replace(options, processes=1, parent_pid=os.getpid(), build=False)
    helpers: list[tuple[BaseProcess, asyncio.Future]] = []
    for _ in range(options.processes - 1):
        results = context.SimpleQueue()
        process = context.Process(target=_helper, args=(send, campaign_id, helper_options, results), daemon=True)
        process.start()
        helpers.append((process, asyncio.ensure_future(asyncio.to_thread(_collect, process, results))))
    return helpers


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop for a sending process, where it is installed (not on Windows): its socket writes and
    callbacks cost less than asyncio's, and a sender spends most of its time in them."""
    try:  # an optional dependency, so imported where it is asked for
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def _collect(process, results) -> SendSummary:
    process.join()
    return results.get() if not results.empty() else SendSummary(outcome=f"helper exited with {process.exitcode}")


def _helper(send: SendCampaign, campaign_id: int, options: SendOptions, results) -> None:
    configure_logging()  # a spawned interpreter: the sender's log format, anew
    async def connected_send(outage: Outage) -> SendSummary:
        async with connected():
            return await send(campaign_id, options, outage=outage)

    async def work() -> SendSummary:
        stopping.install()  # SIGTERM from the sender that started it, or Ctrl-C in its terminal
        outage = Outage.from_settings()
        return await outage.call(connected_send, outage)  # started as the database went away, it waits too

    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        try:
            results.put(runner.run(work()))
        except DatabaseUnavailable:  # the sender that started it says so, and exits with status 2
            results.put(SendSummary(outcome="database unavailable"))
