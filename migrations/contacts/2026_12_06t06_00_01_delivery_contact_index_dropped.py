"""The contact's own index on the ledger goes: the unique key (contact, campaign) made the migration before
this one serves the same lookups."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-06T06:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery contact index folded into the unique key"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="contacts", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Delivery",
        tablename="delivery",
        column_name="contact",
        db_column_name="contact",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager
