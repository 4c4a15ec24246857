"""Data migration: the seeded marketing purposes (direct marketing: newsletters, invitations, partnership
offers) send on weekdays from 08:00 to 20:00, Paris time, never on a French public holiday (REQ-54). A window
someone has set since is kept; press information, sent to journalists at their request, keeps none."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T22:10:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "sending windows of the seeded marketing purposes"

CODES = ("pr-invitations", "communications-newsletter", "mediation-newsletter", "partnership-offers",
         "public-newsletter")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    codes = ", ".join(f"'{code}'" for code in CODES)

    async def fill():
        await engine_finder().run_ddl(
            "UPDATE purpose SET window_days = 'mon,tue,wed,thu,fri', window_opens = 480, window_closes = 1200, "
            f"window_skips_holidays = TRUE WHERE code IN ({codes}) AND is_direct_marketing AND window_days = ''")

    async def empty():
        await engine_finder().run_ddl(f"UPDATE purpose SET window_days = '' WHERE code IN ({codes})")

    manager.add_raw(fill)
    manager.add_raw_backwards(empty)
    return manager
