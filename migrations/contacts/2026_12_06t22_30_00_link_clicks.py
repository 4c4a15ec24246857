"""Link clicks counted in aggregate (REQ-48): a campaign's switch, and one row of counts per (campaign,
language, link, hour), with nothing about who clicked.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-06T22:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "link clicks"


class Campaign(Table, tablename="campaign", schema=None):
    id = Serial(null=False, primary_key=True, db_column_name="id")


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_column(table_class_name="Campaign", tablename="campaign", schema=None, column_name="count_clicks",
                       db_column_name="count_clicks", column_class_name="Boolean", column_class=Boolean,
                       params=_params(default=True))
    manager.add_table(class_name="LinkClick", tablename="link_click", schema=None, columns=None)
    table = {"table_class_name": "LinkClick", "tablename": "link_click", "schema": None}
    for name, kind, params in (
        # Counts are statistics, not a ledger: deleting a draft whose test was clicked takes them along.
        ("campaign", ForeignKey, _params(references=Campaign, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                                         target_column=None)),
        ("language", Varchar, _params(length=2, default="fr")),
        ("link_key", Varchar, _params(length=16, default="")),
        ("url", Text, _params(default="")),
        ("hour", Timestamptz, _params(default=None)),
        ("clicks", Integer, _params(default=0)),
        ("scanner_fetches", Integer, _params(default=0)),
    ):
        manager.add_column(**table, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    return manager
