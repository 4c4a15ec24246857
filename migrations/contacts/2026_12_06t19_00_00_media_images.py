"""The media library: images re-encoded without metadata, kept in the database and named by their hash."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Bytea, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T19:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "media images"


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    image = {"table_class_name": "MediaImage", "tablename": "media_image", "schema": None}
    manager.add_table(class_name="MediaImage", tablename="media_image", schema=None, columns=None)
    for name, kind, params in (
        ("name", Varchar, _params(length=40, default="", unique=True)),
        ("content_type", Varchar, _params(length=20, default="")),
        ("content", Bytea, _params(default=b"")),
        ("width", Integer, _params(default=0)),
        ("height", Integer, _params(default=0)),
        ("size", Integer, _params(default=0)),
        ("alt_fr", Varchar, _params(length=300, default="")),
        ("alt_en", Varchar, _params(length=300, default="")),
        ("uploaded_by", Varchar, _params(length=100, default="")),
        ("uploaded_at", Timestamptz, _params(default=TimestamptzNow())),
    ):
        manager.add_column(**image, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    return manager
