"""Data-subject rights requests (REQ-14/15): recording them and computing when they are due.

The desk that answers them (identity checks, exports, erasure, extensions) builds on this.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from contacts.domain import Channel, EventAction, RightsRequestType
from contacts.services import ledger
from contacts.tables import RightsRequest

PARIS = ZoneInfo("Europe/Paris")


@cache
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def due_date(received_at: datetime) -> date:
    """REQ-14: the same day one month later, in Paris; the month's last day when that day does not exist
    (received 31 January, due 28 February); then the next working day after a weekend or a holiday."""
    received = received_at.astimezone(PARIS).date()
    year, month = (received.year + 1, 1) if received.month == 12 else (received.year, received.month + 1)
    due = date(year, month, min(received.day, calendar.monthrange(year, month)[1]))
    while not is_working_day(due):
        due += timedelta(days=1)
    return due


async def record_request(
    contact_id: int | None,
    request_type: RightsRequestType,
    channel: Channel,
    *,
    details: dict | None = None,
    identity_method: str | None = None,
    received_at: datetime | None = None,
) -> dict:
    """A new request, received now. `identity_method`: how the person was recognised through a known channel
    (REQ-15), e.g. a link mailed to their address; None leaves the identity to be checked."""
    received_at = received_at or datetime.now(UTC)
    row = (
        await RightsRequest.insert(
            RightsRequest(
                contact=contact_id,
                request_type=request_type,
                channel=channel,
                received_at=received_at,
                due_on=due_date(received_at),
                details=details or {},
                identity_verified=identity_method is not None,
                identity_method=identity_method,
                identity_verified_at=received_at if identity_method else None,
            )
        ).returning(RightsRequest.id, RightsRequest.due_on)
    )[0]
    await ledger.record(ledger.consent_event(
        EventAction.RIGHTS_REQUESTED, channel, "recipient", reason=str(request_type), contact=contact_id,
        details={"rights_request": row["id"]},
    ))
    return {"id": row["id"], "due_on": row["due_on"], "received_at": received_at}
