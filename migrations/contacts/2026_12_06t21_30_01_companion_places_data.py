"""Guests who named a companion before companions had a place of their own keep it.

A separate migration because Piccolo runs raw steps before the columns of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T21:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "companion places data"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def named_companions_take_a_place():
        engine = engine_finder()
        assert engine is not None
        await engine.run_ddl("UPDATE invitation SET with_companion = TRUE WHERE companion_name IS NOT NULL")

    manager.add_raw(named_companions_take_a_place)
    return manager
