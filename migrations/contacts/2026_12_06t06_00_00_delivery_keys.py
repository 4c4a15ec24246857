"""The ledger's unique key becomes (contact, campaign), so that it also finds a person's deliveries, and the
Message-ID index goes: a bounce matched by its Message-ID is looked up by the campaign it names and the
addresses it was sent to. Every ledger write (a row per recipient, then its claim and its mark) then
updates three indexes instead of five."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-06T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery keys"

FORWARDS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS delivery_contact_campaign_key ON delivery (contact, campaign)",
    "DROP INDEX IF EXISTS delivery_campaign_contact_key",
    "DROP INDEX IF EXISTS delivery_message_id_idx",
)
BACKWARDS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS delivery_campaign_contact_key ON delivery (campaign, contact)",
    "CREATE INDEX IF NOT EXISTS delivery_message_id_idx ON delivery (message_id)",
    "DROP INDEX IF EXISTS delivery_contact_campaign_key",
)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        for statement in FORWARDS:
            await engine_finder().run_ddl(statement)

    async def restore():
        for statement in BACKWARDS:
            await engine_finder().run_ddl(statement)

    manager.add_raw(create)
    manager.add_raw_backwards(restore)
    return manager
