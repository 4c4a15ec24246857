"""One run of each daily job per day, whichever server process claims it first."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-05T22:12:47:000000"
VERSION = "1.38.0"
DESCRIPTION = "job run day index"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl("CREATE UNIQUE INDEX IF NOT EXISTS job_run_day_key ON job_run (job, day)")

    async def drop():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS job_run_day_key")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
