"""What staff do with the purposes' sending windows (REQ-54): see them, and (admins) set or remove one,
each change in the audit log with the window before and after."""

from __future__ import annotations

from collections.abc import Iterable

from contacts.db.engine import write_transaction
from contacts.domain import Permission
from contacts.errors import NotFoundError
from contacts.i18n import N_
from contacts.services import audit, catalogue
from contacts.services.catalogue import PurposeInfo
from contacts.services.staff.accounts import Staff
from contacts.services.windows import DAY_CODES, SendingWindow, clock_text, window_from
from contacts.tables import Purpose


async def purposes(staff: Staff) -> list[PurposeInfo]:
    """The purposes this account is empowered for, with their windows."""
    staff.require(Permission.VIEW)
    return [purpose for purpose in await catalogue.purposes() if staff.empowered_for(purpose)]


def described(window: SendingWindow | None) -> str | None:
    return f"{window.days_text} {window.hours_text}{'' if window.skips_holidays else ' +holidays'}" if window else None


async def set_window(actor: Staff | str, code: str, days: Iterable[str], opens: str = "08:00",
                     closes: str = "20:00", skips_holidays: bool = True) -> PurposeInfo:
    """The purpose's window; no day at all: no window, its campaigns go out at any time. `actor`: an admin's
    account, or the command line's cli:<login>. `days`: codes (mon … sun) or ranges (mon-fri)."""
    if isinstance(actor, Staff):
        actor.require(Permission.SET_SENDING_WINDOWS)
    purpose = next((item for item in await catalogue.purposes() if item.code == code), None)
    if purpose is None:
        raise NotFoundError(N_("no purpose %(purpose_code)s"), purpose_code=repr(code))
    chosen = ",".join(day for day in days if day.strip())
    window = window_from(chosen, opens, closes, skips_holidays) if chosen else None
    async with write_transaction():
        await Purpose.update({
            Purpose.window_days: window.stored_days if window else "",
            Purpose.window_opens: window.opens if window else 0,
            Purpose.window_closes: window.closes if window else 1440,
            Purpose.window_skips_holidays: window.skips_holidays if window else True,
        }).where(Purpose.id == purpose.id)
    await audit.record(actor, "purpose.window", "purpose", code, purpose=code,
                       details={"before": described(purpose.window), "after": described(window)})
    return next(item for item in await catalogue.purposes() if item.code == code)


def form_values(window: SendingWindow | None) -> dict[str, object]:
    """What the staff form shows for a window: its day codes, hours and holiday choice."""
    if window is None:
        return {"days": [], "opens": "08:00", "closes": "20:00", "skips_holidays": True}
    return {"days": [DAY_CODES[day] for day in sorted(window.days)], "opens": clock_text(window.opens),
            "closes": clock_text(window.closes), "skips_holidays": window.skips_holidays}
