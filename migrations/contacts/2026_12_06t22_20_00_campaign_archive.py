"""A campaign may be published in the public archive (issue 23, item 5): `archive` (never by default, so
every existing campaign stays out of it), and its withdrawal, when and by whom."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "campaign archive"


def _params(**given):
    return {"primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **given}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    for name, column_class, params in (
        ("archive", Boolean, _params(default=False, null=False)),
        ("archive_withdrawn_at", Timestamptz, _params(default=None, null=True)),
        ("archive_withdrawn_by", Varchar, _params(length=100, default=None, null=True)),
    ):
        manager.add_column(
            table_class_name="Campaign", tablename="campaign", column_name=name, db_column_name=name,
            column_class_name=column_class.__name__, column_class=column_class, params=params, schema=None,
        )
    return manager
