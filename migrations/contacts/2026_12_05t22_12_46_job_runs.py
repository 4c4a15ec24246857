from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from enum import Enum
from piccolo.columns.column_types import Date
from piccolo.columns.column_types import JSON
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.column_types import Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-05T22:12:46:000000"
VERSION = "1.38.0"
DESCRIPTION = "job runs; the archived contact status, with the choices of earlier changes"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="contacts", description=DESCRIPTION
    )

    manager.add_table(
        class_name="JobRun", tablename="job_run", schema=None, columns=None
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="job",
        db_column_name="job",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="day",
        db_column_name="day",
        column_class_name="Date",
        column_class=Date,
        params={
            "default": DateNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="actor",
        db_column_name="actor",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 100,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="started_at",
        db_column_name="started_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": TimestamptzNow(),
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="finished_at",
        db_column_name="finished_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.add_column(
        table_class_name="JobRun",
        tablename="job_run",
        column_name="summary",
        db_column_name="summary",
        column_class_name="JSON",
        column_class=JSON,
        params={
            "default": "{}",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    manager.alter_column(
        table_class_name="ConsentEvent",
        tablename="consent_event",
        column_name="action",
        db_column_name="action",
        params={
            "choices": Enum(
                "EventAction",
                {
                    "SUBSCRIBED": "subscribed",
                    "PENDING": "pending",
                    "CONFIRMED": "confirmed",
                    "UNSUBSCRIBED": "unsubscribed",
                    "OBJECTED": "objected",
                    "SUPPRESSED": "suppressed",
                    "SUPPRESSION_IMPORTED": "suppression_imported",
                    "SUPPRESSION_LIFTED": "suppression_lifted",
                    "RIGHTS_REQUESTED": "rights_requested",
                    "RECTIFIED": "rectified",
                    "ERASED": "erased",
                    "RESTRICTED": "restricted",
                    "RESTRICTION_LIFTED": "restriction_lifted",
                },
            )
        },
        old_params={
            "choices": Enum(
                "EventAction",
                {
                    "SUBSCRIBED": "subscribed",
                    "PENDING": "pending",
                    "CONFIRMED": "confirmed",
                    "UNSUBSCRIBED": "unsubscribed",
                    "OBJECTED": "objected",
                    "SUPPRESSED": "suppressed",
                    "SUPPRESSION_IMPORTED": "suppression_imported",
                    "SUPPRESSION_LIFTED": "suppression_lifted",
                    "RIGHTS_REQUESTED": "rights_requested",
                    "RECTIFIED": "rectified",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Contact",
        tablename="contact",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "ContactStatus",
                {
                    "ACTIVE": "active",
                    "RESTRICTED": "restricted",
                    "ARCHIVED": "archived",
                    "ERASED": "erased",
                },
            )
        },
        old_params={
            "choices": Enum(
                "ContactStatus",
                {
                    "ACTIVE": "active",
                    "RESTRICTED": "restricted",
                    "ERASED": "erased",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Suppression",
        tablename="suppression",
        column_name="reason",
        db_column_name="reason",
        params={
            "choices": Enum(
                "SuppressionReason",
                {
                    "UNSUBSCRIBE": "unsubscribe",
                    "OBJECTION": "objection",
                    "ERASURE": "erasure",
                    "HARD_BOUNCE": "hard_bounce",
                    "SOFT_BOUNCE": "soft_bounce",
                    "COMPLAINT": "complaint",
                    "MANUAL": "manual",
                },
            )
        },
        old_params={
            "choices": Enum(
                "SuppressionReason",
                {
                    "UNSUBSCRIBE": "unsubscribe",
                    "OBJECTION": "objection",
                    "ERASURE": "erasure",
                    "HARD_BOUNCE": "hard_bounce",
                    "COMPLAINT": "complaint",
                    "MANUAL": "manual",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager
