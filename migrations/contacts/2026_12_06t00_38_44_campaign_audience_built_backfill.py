"""Campaigns started before `audience_built_at` existed built their audience before starting: say so, or a
resume would build it again and add whoever subscribed since."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T00:38:44:000000"
VERSION = "1.38.0"
DESCRIPTION = "campaign audience built backfill"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def backfill():
        await engine_finder().run_ddl(
            "UPDATE campaign SET audience_built_at = COALESCE(started_at, created_at) "
            "WHERE status <> 'draft' AND audience_built_at IS NULL"
        )

    manager.add_raw(backfill)
    return manager
