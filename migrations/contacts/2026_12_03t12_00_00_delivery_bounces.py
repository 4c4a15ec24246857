"""Bounces and complaints on the delivery row (REQ-41): counts per campaign, and soft bounces per contact."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T12:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "delivery bounces and complaints"


def _params(**extra):
    return {"null": True, "default": None, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False, **extra}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    for name, column_class, params in (
        ("bounce_kind", Varchar, _params(length=10)),  # hard or soft
        ("bounce_status", Varchar, _params(length=20)),  # the RFC 3463 status, e.g. 5.1.1; no diagnostic text
        ("bounced_at", Timestamptz, _params()),
        ("complained_at", Timestamptz, _params()),
    ):
        manager.add_column(table_class_name="Delivery", tablename="delivery", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class, params=params,
                           schema=None)
    return manager
