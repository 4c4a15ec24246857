"""A guest's companion as a place, apart from their name: retention deletes the name a few days after the
event (REQ-51), and the place it took still counts.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "companion places"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_column(table_class_name="Invitation", tablename="invitation", schema=None,
                       column_name="with_companion", db_column_name="with_companion", column_class_name="Boolean",
                       column_class=Boolean, params={
                           "default": False, "null": False, "primary_key": False, "unique": False, "index": False,
                           "index_method": IndexMethod.btree, "choices": None, "db_column_name": None,
                           "secret": False})
    return manager
