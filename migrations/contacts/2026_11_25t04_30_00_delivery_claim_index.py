"""The work-queue index in claiming order: a claim reads its batch straight from the index, instead of
sorting every queued row of the campaign, which made each claim cost as much as the campaign is large."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T04:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery claim index"

OLD = "CREATE INDEX IF NOT EXISTS delivery_queue_idx ON delivery (campaign, status, next_attempt_at)"
NEW = "CREATE INDEX IF NOT EXISTS delivery_claim_idx ON delivery (campaign, status, id)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(NEW)
        await engine_finder().run_ddl("DROP INDEX IF EXISTS delivery_queue_idx")

    async def drop():
        await engine_finder().run_ddl(OLD)
        await engine_finder().run_ddl("DROP INDEX IF EXISTS delivery_claim_idx")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
