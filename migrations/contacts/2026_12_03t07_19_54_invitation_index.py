"""One invitation per person and invitation list, as a unique index (SQLite cannot ADD CONSTRAINT).

A separate migration because Piccolo runs raw steps before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T07:19:54:000000"
VERSION = "1.38.0"
DESCRIPTION = "one invitation per person and invitation list"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS invitation_list_contact_key "
                                      "ON invitation (invitation_list, contact)")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS invitation_list_contact_key")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
