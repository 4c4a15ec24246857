"""Guests marked "attended" before events existed become accepted and arrived: arriving no longer erases the answer.

A separate migration because Piccolo runs raw steps before the columns of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T21:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "attended is accepted and arrived"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def accepted_and_arrived():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl(
            "UPDATE invitation SET status = 'accepted', arrived_at = updated_at WHERE status = 'attended'")

    manager.add_raw(accepted_and_arrived)
    return manager
