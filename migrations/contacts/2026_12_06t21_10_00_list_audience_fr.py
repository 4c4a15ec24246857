"""Who a list is for, in French too (audience_fr): the record of processing names its categories of persons
in the reader's language. The next migration fills it for the seeded lists (Piccolo runs a migration's raw
steps before its new columns exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T21:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "lists' audience in French"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_column(table_class_name="MailingList", tablename="mailing_list", column_name="audience_fr",
                       db_column_name="audience_fr", column_class_name="Text", column_class=Text,
                       params={"default": "", "null": False, "primary_key": False, "unique": False,
                               "index": False, "index_method": IndexMethod.btree, "choices": None,
                               "db_column_name": None, "secret": False}, schema=None)
    return manager
