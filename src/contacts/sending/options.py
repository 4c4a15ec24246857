"""What a sending run is given (its options, its transport) and what it returns (its summary)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from contacts.mail.transport import Outcome
from contacts.sending.clock import Clock

log = logging.getLogger("contacts.sending")


class Transport(Protocol):
    async def send(self, sender: str, recipient: str, message: bytes, *, smtputf8: bool = False) -> Outcome: ...

    async def close(self) -> None: ...


@dataclass(frozen=True)
class SendOptions:
    concurrency: int = 4
    batch_size: int = 50
    lease: timedelta = timedelta(minutes=5)
    retry_base: timedelta = timedelta(seconds=30)
    retry_max: timedelta = timedelta(minutes=30)
    retry_window: timedelta = timedelta(hours=6)
    wait_for_retries: bool = True
    processes: int = 1  # sending processes on this machine: composing and SMTP use one core each
    parent_pid: int | None = None  # a helper process stops claiming when the process that started it died
    build: bool = True  # build the audience alongside, if it is not built yet (a helper leaves it to its parent)
    clock: Clock = Clock()  # what keeps the sending windows' time (a test's moves at will)


@dataclass
class SendSummary:
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    outcome: str = ""  # finished, paused, cancelled, retries-pending or stopped

    @property
    def handled(self) -> int:
        return self.sent + self.failed + self.skipped + self.retried

    def log_run(self, campaign_id: int) -> None:
        """One line for a sending run that did something: a campaign's log says what its runs did, never a
        line per message (contacts.logs)."""
        if self.handled:
            log.info("campaign %s: %d sent, %d failed, %d skipped, %d to retry; %s", campaign_id, self.sent,
                     self.failed, self.skipped, self.retried, self.outcome or "done", extra={
                         "campaign": campaign_id, "sent": self.sent, "failed": self.failed, "skipped": self.skipped,
                         "retried": self.retried})
