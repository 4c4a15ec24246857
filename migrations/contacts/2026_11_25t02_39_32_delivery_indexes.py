"""Unique keys and the work-queue index of the delivery ledger (a migration of its own: Piccolo runs raw
steps before the tables of the same migration exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T02:39:32:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery ledger indexes"

INDEXES = {
    "delivery_campaign_contact_key": "CREATE UNIQUE INDEX IF NOT EXISTS delivery_campaign_contact_key ON delivery (campaign, contact)",
    "delivery_queue_idx": "CREATE INDEX IF NOT EXISTS delivery_queue_idx ON delivery (campaign, status, next_attempt_at)",
    "campaign_list_key": "CREATE UNIQUE INDEX IF NOT EXISTS campaign_list_key ON campaign_list (campaign, mailing_list)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        for statement in INDEXES.values():
            await engine_finder().run_ddl(statement)

    async def drop():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
