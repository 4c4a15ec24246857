"""Is the service able to work: the database answers."""

from __future__ import annotations

from dataclasses import dataclass

from contacts.settings import get_settings
from contacts.tables import Purpose


@dataclass(frozen=True)
class HealthReport:
    ok: bool
    database: str

    @property
    def status(self) -> str:
        return "ok" if self.ok else "unavailable"


async def health() -> HealthReport:
    try:
        await Purpose.raw("SELECT 1")
        ok = True
    except Exception:  # noqa: BLE001 - any failure to reach the database means unhealthy
        ok = False
    return HealthReport(ok=ok, database=get_settings().database_kind)
