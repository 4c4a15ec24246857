"""One chunk per number of an upload (a separate migration: Piccolo runs a migration's raw steps before its
tables are created)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T16:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "staged upload chunk index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS staged_upload_chunk_key ON staged_upload_chunk (upload_key, number)")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS staged_upload_chunk_key")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
