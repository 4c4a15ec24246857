"""A sending command asked to stop, by SIGTERM (a service manager, `kill`) or Ctrl-C: it starts no new
message, lets those in their SMTP transactions end and be recorded, gives the other claims back, and
prints what it did; the campaign resumes where it stopped. A second signal acts as it would by default."""

from __future__ import annotations

import asyncio
import contextlib
import signal

_requested: asyncio.Event | None = None
received: int | None = None  # the first signal's number


def install() -> None:
    """In a sending process, on its event loop: the first SIGTERM or SIGINT asks the senders to stop."""
    global _requested
    loop = asyncio.get_running_loop()
    _requested = asyncio.Event()
    for number in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # not on this platform, thread
            loop.add_signal_handler(number, _request, loop, number)


def _request(loop: asyncio.AbstractEventLoop, number: int) -> None:
    global received
    received = received or number
    if _requested is not None:
        _requested.set()
    loop.remove_signal_handler(number)  # the next one stops at once, as by default


def requested() -> bool:
    return _requested is not None and _requested.is_set()


async def pause(seconds: float) -> None:
    """Sleep, unless asked to stop meanwhile."""
    if _requested is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(_requested.wait(), seconds)
