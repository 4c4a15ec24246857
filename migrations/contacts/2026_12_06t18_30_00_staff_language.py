"""The staff pages' language, chosen per account: French unless the account asks for English."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff language"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_column(table_class_name="StaffUser", tablename="staff_user", column_name="language",
                       db_column_name="language", column_class_name="Varchar", column_class=Varchar,
                       params={"length": 2, "default": "fr", "null": False, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    return manager
