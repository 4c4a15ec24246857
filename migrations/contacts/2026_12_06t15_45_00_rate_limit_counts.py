"""Rate-limit counts in the database, shared by every server process: one row per client and limit (SQLite
counts in memory; the table stays empty there). The next migration makes it unlogged on PostgreSQL."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T15:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "rate limit counts"

COLUMN_DEFAULTS = {"null": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
                   "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_table(class_name="RateLimitCount", tablename="rate_limit_count", schema=None, columns=None)
    for name, column_class, params in (
        ("bucket", Varchar, {"length": 200, "default": "", "primary_key": True}),
        ("window_start", BigInt, {"default": 0, "primary_key": False}),
        ("hits", Integer, {"default": 0, "primary_key": False}),
        ("previous_hits", Integer, {"default": 0, "primary_key": False}),
    ):
        manager.add_column(table_class_name="RateLimitCount", tablename="rate_limit_count", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params={**COLUMN_DEFAULTS, **params}, schema=None)
    return manager
