"""What a purpose is for, in the words its public consent box shows (the staff description speaks of
"people who asked to receive it"): public_description and public_description_fr. The next migration seeds
them (Piccolo runs a migration's raw steps before its new columns exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "public descriptions of purposes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    for name in ("public_description", "public_description_fr"):
        manager.add_column(table_class_name="Purpose", tablename="purpose", column_name=name, db_column_name=name,
                           column_class_name="Text", column_class=Text,
                           params={"default": "", "null": False, "primary_key": False, "unique": False,
                                   "index": False, "index_method": IndexMethod.btree, "choices": None,
                                   "db_column_name": None, "secret": False}, schema=None)
    return manager
