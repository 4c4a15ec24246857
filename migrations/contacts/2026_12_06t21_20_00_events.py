"""Events: an event behind each guest list, a guest's companion, waitlist place and arrival, and their history.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T21:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events"


class Event(Table, tablename="event", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class Invitation(Table, tablename="invitation", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


class Campaign(Table, tablename="campaign", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


def _foreign_key(references, **overrides):
    return _params(references=references, on_delete=OnDelete.restrict, on_update=OnUpdate.cascade,
                   target_column=None, **overrides)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_table(class_name="Event", tablename="event", schema=None, columns=None)
    event = {"table_class_name": "Event", "tablename": "event", "schema": None}
    for name, kind, params in (
        ("title_fr", Varchar, _params(length=300, default="")),
        ("title_en", Varchar, _params(length=300, default="")),
        ("description_fr", Text, _params(default="")),
        ("description_en", Text, _params(default="")),
        ("starts_at", Timestamptz, _params(default=TimestamptzNow())),
        ("ends_at", Timestamptz, _params(default=TimestamptzNow())),
        ("place_name", Varchar, _params(length=200, default="")),
        ("place_address", Text, _params(default="")),
        ("capacity", Integer, _params(null=True, default=None)),
        ("rsvp_deadline", Timestamptz, _params(null=True, default=None)),
        ("companions_allowed", Boolean, _params(default=False)),
        ("calendar_uid", Varchar, _params(length=100, default="", unique=True)),
        ("calendar_sequence", Integer, _params(default=0)),
        ("cancelled_at", Timestamptz, _params(null=True, default=None)),
        ("companions_deleted_at", Timestamptz, _params(null=True, default=None)),
        ("created_by", Varchar, _params(length=100, default="")),
        ("created_at", Timestamptz, _params(default=TimestamptzNow())),
        ("updated_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(**event, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)

    manager.add_column(table_class_name="InvitationList", tablename="invitation_list", schema=None,
                       column_name="event", db_column_name="event", column_class_name="ForeignKey",
                       column_class=ForeignKey, params=_foreign_key(Event, null=True, default=None, index=True))
    invitation = {"table_class_name": "Invitation", "tablename": "invitation", "schema": None}
    for name, kind, params in (
        ("waitlisted_at", Timestamptz, _params(null=True, default=None)),
        ("companion_name", Varchar, _params(length=200, null=True, default=None)),
        ("arrived_at", Timestamptz, _params(null=True, default=None)),
        ("companion_arrived_at", Timestamptz, _params(null=True, default=None)),
    ):
        manager.add_column(**invitation, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)

    manager.add_table(class_name="InvitationStep", tablename="invitation_step", schema=None, columns=None)
    step = {"table_class_name": "InvitationStep", "tablename": "invitation_step", "schema": None}
    for name, kind, params in (
        ("invitation", ForeignKey, {**_foreign_key(Invitation, index=True), "on_delete": OnDelete.cascade}),
        ("step", Varchar, _params(length=30, default="")),
        ("actor", Varchar, _params(length=100, default="")),
        ("campaign", ForeignKey, _foreign_key(Campaign, null=True, default=None)),
        ("at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(**step, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)

    return manager
