"""The time a sender keeps its campaigns' sending windows by (REQ-54): the real one, or, in tests, one that
jumps from a Friday evening to the Monday morning at once."""

from __future__ import annotations

from datetime import UTC, datetime

from contacts.sending import stopping


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, moment: datetime, at_most: float) -> None:
        """Until `moment`, or `at_most` seconds, or until asked to stop, whichever comes first."""
        await stopping.pause(max(0.0, min(at_most, (moment - self.now()).total_seconds())))
