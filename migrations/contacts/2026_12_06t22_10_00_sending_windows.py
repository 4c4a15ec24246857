"""Sending windows (REQ-54): each purpose's days and hours, Paris time, when its campaigns may go out, and a
table of each running campaign's next free sending slot, which every sending process shares so that the
campaign's rate holds across them. The next migration gives the seeded marketing purposes their window."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, DoublePrecision, Integer, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "sending windows and shared pacing"

COLUMN_DEFAULTS = {"null": False, "primary_key": False, "unique": False, "index": False,
                   "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    for name, column_class, params in (
        ("window_days", Varchar, {"length": 30, "default": ""}),
        ("window_opens", Integer, {"default": 0}),
        ("window_closes", Integer, {"default": 1440}),
        ("window_skips_holidays", Boolean, {"default": True}),
    ):
        manager.add_column(table_class_name="Purpose", tablename="purpose", column_name=name, db_column_name=name,
                           column_class_name=column_class.__name__, column_class=column_class,
                           params={**COLUMN_DEFAULTS, **params}, schema=None)
    manager.add_column(table_class_name="Campaign", tablename="campaign", column_name="outside_window",
                       db_column_name="outside_window", column_class_name="Boolean", column_class=Boolean,
                       params={**COLUMN_DEFAULTS, "default": False}, schema=None)
    manager.add_table(class_name="SendingPace", tablename="sending_pace", schema=None, columns=None)
    for name, column_class, params in (
        ("campaign", Integer, {"default": 0, "primary_key": True}),
        ("next_slot", DoublePrecision, {"default": 0.0}),
    ):
        manager.add_column(table_class_name="SendingPace", tablename="sending_pace", column_name=name,
                           db_column_name=name, column_class_name=column_class.__name__, column_class=column_class,
                           params={**COLUMN_DEFAULTS, **params}, schema=None)
    return manager
