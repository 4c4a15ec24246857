"""Data-subject rights requests (REQ-14/15): recording them and computing when they are due.

The desk that answers them (identity checks, exports, erasure, extensions) is services/rights/rights_operations.py.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from contacts.db.engine import write_transaction
from contacts.domain import Channel, EventAction, RightsRequestStatus, RightsRequestType
from contacts.services.people import ledger
from contacts.tables import RightsRequest

PARIS = ZoneInfo("Europe/Paris")


@cache
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _french_holidays(day.year)


def months_later(day: date, months: int) -> date:
    """The same day `months` later, or that month's last day when it has no such day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: date) -> date:
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def due_date(received_at: datetime, paused_days: int = 0) -> date:
    """REQ-14: the same day one month later, in Paris; the month's last day when that day does not exist
    (received 31 January, due 28 February); then the next working day after a weekend or a holiday.
    REQ-15: the days spent awaiting identity push the start on."""
    received = received_at.astimezone(PARIS).date() + timedelta(days=paused_days)
    return next_working_day(months_later(received, 1))


def extended_due(received_at: datetime, paused_days: int, months: int) -> date:
    """REQ-14: an extension of up to two more months counts from the same start."""
    received = received_at.astimezone(PARIS).date() + timedelta(days=paused_days)
    return next_working_day(months_later(received, 1 + months))


def paris_day(moment: datetime) -> date:
    return moment.astimezone(PARIS).date()


async def record_request(
    contact_id: int | None,
    request_type: RightsRequestType,
    channel: Channel,
    *,
    details: dict | None = None,
    identity_method: str | None = None,
    received_at: datetime | None = None,
    requester_email: str | None = None,
    requester_name: str | None = None,
    language: str = "fr",
    actor: str = "recipient",
) -> dict:
    """A new request, received now. `identity_method`: how the person was recognised through a known channel
    (REQ-15), e.g. a link mailed to their address; None leaves the identity to be checked, and the clock
    paused until it is."""
    received_at = received_at or datetime.now(UTC)
    verified = identity_method is not None
    async with write_transaction():
        row = (
            await RightsRequest.insert(
                RightsRequest(
                    contact=contact_id,
                    request_type=request_type,
                    status=RightsRequestStatus.RECEIVED if verified else RightsRequestStatus.AWAITING_IDENTITY,
                    channel=channel,
                    received_at=received_at,
                    due_on=due_date(received_at),
                    details=details or {},
                    identity_verified=verified,
                    identity_method=identity_method,
                    identity_verified_at=received_at if verified else None,
                    awaiting_identity_since=None if verified else received_at,
                    requester_email=requester_email,
                    requester_name=requester_name,
                    language=language,
                )
            ).returning(RightsRequest.id, RightsRequest.due_on)
        )[0]
        await ledger.record(ledger.consent_event(
            EventAction.RIGHTS_REQUESTED, channel, actor, reason=str(request_type), contact=contact_id,
            details={"rights_request": row["id"]},
        ))
    return {"id": row["id"], "due_on": row["due_on"], "received_at": received_at}
