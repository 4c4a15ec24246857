"""A campaign has a version per language: the subject and body it had become the French version (the
columns are renamed, so nothing is copied), and the English version, the preheaders and the choice for
recipients whose language has no version are added."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "campaign languages"


def _params(**overrides):
    return {"null": False, "primary_key": False, "unique": False, "index": False, "index_method": IndexMethod.btree,
            "choices": None, "db_column_name": None, "secret": False, **overrides}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    campaign = {"table_class_name": "Campaign", "tablename": "campaign", "schema": None}
    for old, new in (("subject", "subject_fr"), ("body", "body_fr")):
        manager.rename_column(**campaign, old_column_name=old, new_column_name=new, old_db_column_name=old,
                              new_db_column_name=new)
    for name, kind, params in (
        ("subject_en", Varchar, _params(length=300, default="")),
        ("preheader_fr", Varchar, _params(length=300, default="")),
        ("preheader_en", Varchar, _params(length=300, default="")),
        ("body_en", Text, _params(default="")),
        ("missing_language", Varchar, _params(length=10, default=None, null=True)),
    ):
        manager.add_column(**campaign, column_name=name, db_column_name=name, column_class_name=kind.__name__,
                           column_class=kind, params=params)
    return manager
