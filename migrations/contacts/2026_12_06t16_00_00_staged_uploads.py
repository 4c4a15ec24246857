"""Uploaded import files kept in the database between their preview and their import, in chunks."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staged uploads"


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    upload = {"table_class_name": "StagedUpload", "tablename": "staged_upload", "schema": None}
    chunk = {"table_class_name": "StagedUploadChunk", "tablename": "staged_upload_chunk", "schema": None}
    manager.add_table(class_name="StagedUpload", tablename="staged_upload", schema=None, columns=None)
    manager.add_table(class_name="StagedUploadChunk", tablename="staged_upload_chunk", schema=None, columns=None)
    for table, name, kind, params in (
        (upload, "key", Varchar, _params(length=32, default="", unique=True)),
        (upload, "owner", Integer, _params(default=0)),
        (upload, "size", Integer, _params(default=0)),
        (upload, "created_at", Timestamptz, _params(default=TimestamptzNow())),
        (upload, "expires_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
        (chunk, "upload_key", Varchar, _params(length=32, default="")),
        (chunk, "number", Integer, _params(default=0)),
        (chunk, "content", Bytea, _params(default=b"")),
        (chunk, "expires_at", Timestamptz, _params(default=TimestamptzNow(), index=True)),
    ):
        manager.add_column(**table, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    return manager
