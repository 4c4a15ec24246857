"""A guest is reminded once by each reminder: one "reminded" step per guest and reminder campaign.

A separate migration because Piccolo runs raw steps before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T21:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "reminded once"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS invitation_step_reminded_once ON "
                                      "invitation_step (invitation, campaign) WHERE step = 'reminded'")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS invitation_step_reminded_once")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
