"""Reminders of a guest list: each a campaign, to the guests who have not answered or to those who accepted."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T21:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "invitation reminders"


class InvitationList(Table, tablename="invitation_list", schema=None):
    pass


class Campaign(Table, tablename="campaign", schema=None):
    pass


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


def _foreign_key(references, **overrides):
    return _params(references=references, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade,
                   target_column=None, **overrides)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_table(class_name="InvitationReminder", tablename="invitation_reminder", schema=None, columns=None)
    reminder = {"table_class_name": "InvitationReminder", "tablename": "invitation_reminder", "schema": None}
    for name, kind, params in (
        ("invitation_list", ForeignKey, _foreign_key(InvitationList, index=True)),
        ("campaign", ForeignKey, _foreign_key(Campaign, unique=True)),
        ("kind", Varchar, _params(length=20, default="")),
        ("created_by", Varchar, _params(length=100, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(**reminder, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    return manager
