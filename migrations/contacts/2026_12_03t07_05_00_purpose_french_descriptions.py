"""French descriptions of purposes: the consent wording and the pages speak the person's language whole,
not a French sentence around an English description. Written by hand (SQLite: ADD COLUMN only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T07:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "French descriptions of purposes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    manager.add_column(
        table_class_name="Purpose",
        tablename="purpose",
        column_name="description_fr",
        db_column_name="description_fr",
        column_class_name="Text",
        column_class=Text,
        params={
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
