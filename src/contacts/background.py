"""Work that runs for the life of `contacts serve`, beside the requests: the sender, the daily jobs."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable

from contacts.outages import caused_by_outage, unavailable_in

log = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def repeating(work: Callable[[], Awaitable[object]], *, pause: float, what: str) -> AsyncIterator[None]:
    """Run `work` again and again, `pause` seconds apart, until the block ends. A failure is logged and
    tried again after the pause: the state lives in the database, so nothing is lost. A database that
    stayed away past its limit (the work waits for it meanwhile) is said in one line, not a traceback."""
    async def keep_going() -> None:
        while True:
            try:
                await work()
            except Exception as error:
                if unavailable_in(error) is None and not caused_by_outage(error):
                    log.exception("%s failed; trying again in %s s", what, pause)
                else:
                    log.error("%s: %s; trying again in %s s", what, unavailable_in(error) or error, pause)
            await asyncio.sleep(pause)

    task = asyncio.create_task(keep_going())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
