"""A list's subscriptions by status in contact order: building a campaign's audience reads each page
straight from it, instead of sorting every subscription of the lists for every page (quadratic: minutes
for a million recipients). It covers the old (mailing_list, status) index, which it replaces."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T04:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "subscription page index"

OLD = "CREATE INDEX IF NOT EXISTS subscription_list_status_idx ON subscription (mailing_list, status)"
NEW = "CREATE INDEX IF NOT EXISTS subscription_list_status_contact_idx ON subscription (mailing_list, status, contact)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(NEW)
        await engine_finder().run_ddl("DROP INDEX IF EXISTS subscription_list_status_idx")

    async def drop():
        await engine_finder().run_ddl(OLD)
        await engine_finder().run_ddl("DROP INDEX IF EXISTS subscription_list_status_contact_idx")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
