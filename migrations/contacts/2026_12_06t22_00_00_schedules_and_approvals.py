"""Scheduled sends and approvals (REQ-53): a campaign's start time and who scheduled it, who approved which
content and when, and whether a purpose's campaigns need approval.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T22:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "schedules and approvals"


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    campaign = {"table_class_name": "Campaign", "tablename": "campaign", "schema": None}
    for name, kind, params in (
        ("scheduled_at", Timestamptz, _params(null=True, default=None)),
        ("scheduled_by", Varchar, _params(length=100, null=True, default=None)),
        ("approved_by", Varchar, _params(length=100, null=True, default=None)),
        ("approved_at", Timestamptz, _params(null=True, default=None)),
        ("approved_content", Varchar, _params(length=64, null=True, default=None)),
    ):
        manager.add_column(**campaign, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    manager.add_column(table_class_name="Purpose", tablename="purpose", schema=None, column_name="approval_required",
                       db_column_name="approval_required", column_class_name="Boolean", column_class=Boolean,
                       params=_params(default=False))
    return manager
