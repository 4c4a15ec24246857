"""Composite unique keys as indexes, and the database guard that keeps the consent ledger append-only.

A separate migration because Piccolo runs raw steps before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T01:57:51:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique indexes and the append-only consent ledger"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_raw(create_indexes_and_guards)
    manager.add_raw_backwards(drop_indexes_and_guards)
    return manager


# Composite unique keys are indexes: SQLite cannot ADD CONSTRAINT.
INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS contact_email_canonical_key ON contact (email_canonical)",
    "CREATE UNIQUE INDEX IF NOT EXISTS subscription_contact_list_key ON subscription (contact, mailing_list)",
    "CREATE INDEX IF NOT EXISTS subscription_list_status_idx ON subscription (mailing_list, status)",
    "CREATE UNIQUE INDEX IF NOT EXISTS suppression_hash_scope_key ON suppression (address_hash, scope)",
    "CREATE UNIQUE INDEX IF NOT EXISTS notice_version_language_key ON notice (version, language)",
    "CREATE UNIQUE INDEX IF NOT EXISTS purpose_department_key ON purpose_department (purpose, department)",
]

# The consent ledger is append-only, enforced by the database itself.
SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS consent_event_no_update BEFORE UPDATE ON consent_event "
    "BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS consent_event_no_delete BEFORE DELETE ON consent_event "
    "BEGIN SELECT RAISE(ABORT, 'consent_event is append-only'); END",
]
POSTGRES_GUARDS = [
    "CREATE OR REPLACE FUNCTION contacts_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
    "CREATE TRIGGER consent_event_no_change BEFORE UPDATE OR DELETE ON consent_event "
    "FOR EACH ROW EXECUTE FUNCTION contacts_refuse_change()",
    "CREATE TRIGGER consent_event_no_truncate BEFORE TRUNCATE ON consent_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_refuse_change()",
]


async def create_indexes_and_guards():
    engine = engine_finder()
    guards = SQLITE_GUARDS if engine.engine_type == "sqlite" else POSTGRES_GUARDS
    for statement in INDEXES + guards:
        await engine.run_ddl(statement)


async def drop_indexes_and_guards():
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        statements = [
            "DROP TRIGGER IF EXISTS consent_event_no_update",
            "DROP TRIGGER IF EXISTS consent_event_no_delete",
        ]
    else:
        statements = [
            "DROP TRIGGER IF EXISTS consent_event_no_change ON consent_event",
            "DROP TRIGGER IF EXISTS consent_event_no_truncate ON consent_event",
            "DROP FUNCTION IF EXISTS contacts_refuse_change()",
        ]
    for statement in statements:
        await engine.run_ddl(statement)
    for statement in INDEXES:
        name = statement.split(" EXISTS ")[1].split(" ON ")[0]
        await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")
