"""Campaigns say which greeting opens their messages: none (the default, for existing ones too), the
recipient's first name, or the formal one."""

from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "campaign greeting"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="contacts", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="Campaign",
        tablename="campaign",
        column_name="greeting",
        db_column_name="greeting",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 20,
            "default": "none",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": Enum("Greeting", {"NONE": "none", "FIRST_NAME": "first_name", "FORMAL": "formal"}),
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
