"""One row per (campaign, language, link, hour): the key every count is added to (a separate migration:
Piccolo runs a migration's raw steps before its tables are created)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T22:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "link click slot"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS link_click_slot ON link_click (campaign, language, link_key, hour)")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS link_click_slot")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
