"""Tests that count requests per minute, against the clock."""

from __future__ import annotations

import time


def clear_of_a_minute_boundary(seconds_needed: float = 15) -> None:
    """The counts weigh the last minute by the part of it still within 60 s: attempts that straddle a
    minute's turn may count a fraction under their number. A test that expects the limit at an exact attempt
    starts early enough in a minute."""
    into_minute = time.time() % 60
    if into_minute > 60 - seconds_needed:
        time.sleep(60.5 - into_minute)
