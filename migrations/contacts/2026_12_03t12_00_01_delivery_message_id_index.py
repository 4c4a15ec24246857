"""A bounce without its VERP id is matched to its delivery by the Message-ID it returns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T12:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery message id index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl("CREATE INDEX IF NOT EXISTS delivery_message_id_idx ON delivery (message_id)")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS delivery_message_id_idx")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
