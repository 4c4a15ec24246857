"""The audit log is append-only (REQ-8), enforced by the database itself, as the consent ledger is.

A separate migration because Piccolo runs raw steps before the tables of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T06:48:39:000000"
VERSION = "1.38.0"
DESCRIPTION = "the append-only audit log"

SQLITE_GUARDS = [
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
]
# contacts_refuse_change() was created with the consent ledger's guards.
POSTGRES_GUARDS = [
    "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION contacts_refuse_change()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event "
    "FOR EACH STATEMENT EXECUTE FUNCTION contacts_refuse_change()",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_raw(create_guards)
    manager.add_raw_backwards(drop_guards)
    return manager


async def create_guards():
    engine = engine_finder()
    for statement in SQLITE_GUARDS if engine.engine_type == "sqlite" else POSTGRES_GUARDS:
        await engine.run_ddl(statement)


async def drop_guards():
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        statements = ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"]
    else:
        statements = ["DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event",
                      "DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event"]
    for statement in statements:
        await engine.run_ddl(statement)
