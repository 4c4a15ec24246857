"""The rate-limit counts are unlogged on PostgreSQL: no WAL for a count that matters for a minute, at one
write per request. A crash or a failover forgets them, which lets a client start its minute again."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T15:45:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "rate limit counts unlogged"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def persistence(mode: str) -> None:
        if engine_finder().engine_type == "postgres":
            await engine_finder().run_ddl(f"ALTER TABLE rate_limit_count SET {mode}")

    async def unlogged():
        await persistence("UNLOGGED")

    async def logged():
        await persistence("LOGGED")

    manager.add_raw(unlogged)
    manager.add_raw_backwards(logged)
    return manager
