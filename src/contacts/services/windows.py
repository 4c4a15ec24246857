"""Sending windows (REQ-54): the days and hours, in Paris time, when a purpose's campaigns may go out, by
default without French public holidays. Only campaigns keep them; transactional mail (rights-desk notices,
double opt-in confirmations, export links, event confirmations) never asks. Pure rules: the clock is the
caller's, so a test can run a Friday evening in a second."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

from contacts.errors import ValidationError
from contacts.i18n import N_

PARIS = ZoneInfo("Europe/Paris")
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # by Python's weekday()
# Far enough for any window that opens at all: a week, and the longest run of public holidays after it.
_LOOK_AHEAD_DAYS = 31
_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


@cache
def _french_holidays(year: int) -> holidays.HolidayBase:
    return holidays.France(years=year)


@dataclass(frozen=True)
class SendingWindow:
    days: frozenset[int]  # weekday() numbers: 0 is Monday
    opens: int  # minutes after midnight, Paris time
    closes: int  # minutes after midnight, after `opens`; 1440 is midnight at the end of the day
    skips_holidays: bool = True  # no French public holiday

    def is_open(self, moment: datetime) -> bool:
        return self.next_opening(moment) == moment

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when the window is open then, else when it next opens (aware, Paris time)."""
        opening, _ = self._span_from(moment)
        return max(opening, moment.astimezone(PARIS))

    def closing(self, moment: datetime) -> datetime:
        """When the opening that `moment` falls in (or the next one) ends."""
        return self._span_from(moment)[1]

    def _span_from(self, moment: datetime) -> tuple[datetime, datetime]:
        local = moment.astimezone(PARIS)
        for offset in range(_LOOK_AHEAD_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self.sends_on(day):
                continue
            closing = _at(day, self.closes)
            if local < closing:
                return _at(day, self.opens), closing
        raise ValidationError("window", N_("this sending window never opens"))

    def sends_on(self, day: date) -> bool:
        return day.weekday() in self.days and not (self.skips_holidays and day in _french_holidays(day.year))

    @property
    def days_text(self) -> str:
        """`mon-fri`, or `mon,wed,sat`: as the command line takes them."""
        ordered = sorted(self.days)
        if len(ordered) > 2 and ordered == list(range(ordered[0], ordered[-1] + 1)):
            return f"{DAY_CODES[ordered[0]]}-{DAY_CODES[ordered[-1]]}"
        return ",".join(DAY_CODES[day] for day in ordered)

    @property
    def hours_text(self) -> str:
        return f"{clock_text(self.opens)}-{clock_text(self.closes)}"

    @property
    def stored_days(self) -> str:
        return ",".join(DAY_CODES[day] for day in sorted(self.days))


def _at(day: date, minutes: int) -> datetime:
    if minutes >= 1440:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=PARIS)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=PARIS)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def window_from(days: str, opens: str, closes: str, skips_holidays: bool = True) -> SendingWindow:
    """From what staff write: days as `mon-fri` or `mon,tue,sat` (or both: `mon-wed,sat`), hours as `08:00`
    and `20:00`. A window that would never open, or whose hours run backwards, is refused by its field."""
    chosen: set[int] = set()
    for part in filter(None, (piece.strip().lower() for piece in days.replace(" ", ",").split(","))):
        first, _, last = part.partition("-")
        if first not in DAY_CODES or (last and last not in DAY_CODES):
            raise ValidationError("days", N_("%(value)s is not a day; write mon, tue, wed, thu, fri, sat, sun, "
                                             "or a range such as mon-fri"), value=repr(part))
        start, end = DAY_CODES.index(first), DAY_CODES.index(last or first)
        if end < start:
            raise ValidationError("days", N_("%(value)s runs backwards; write a range such as mon-fri"),
                                  value=repr(part))
        chosen.update(range(start, end + 1))
    if not chosen:
        raise ValidationError("days", N_("name at least one day"))
    start_minutes, end_minutes = _minutes("opens", opens), _minutes("closes", closes)
    if end_minutes <= start_minutes:
        raise ValidationError("closes", N_("must be after the opening time"))
    if end_minutes > 1440:
        raise ValidationError("closes", N_("must be 24:00 at the latest"))
    return SendingWindow(frozenset(chosen), start_minutes, end_minutes, skips_holidays)


def _minutes(field: str, text: str) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise ValidationError(field, N_("%(value)s is not a time; write it as 08:00"), value=repr(text))
    return int(match.group(1)) * 60 + int(match.group(2))


def stored_window(days: str, opens: int, closes: int, skips_holidays: bool) -> SendingWindow | None:
    """From a purpose's columns: no days, no window (any time)."""
    chosen = frozenset(DAY_CODES.index(code) for code in days.split(",") if code in DAY_CODES)
    return SendingWindow(chosen, opens, closes, skips_holidays) if chosen else None
