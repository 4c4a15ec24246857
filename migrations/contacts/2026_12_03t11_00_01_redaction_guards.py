"""The ledgers stay append-only, with one exception that erasure needs (REQ-19): an entry's free text
(reason, details) may be blanked, once, with everything else left as it was. The database enforces that
shape, so no code path can rewrite history: it can only forget the person in it.

A separate migration because Piccolo runs raw steps before the columns of the same migration exist.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-03T11:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "append-only ledgers that erasure may redact"

REDACTED = '{"redacted": true}'
# The columns a redaction must leave alone, per ledger.
KEPT = {
    "consent_event": ["id", "occurred_at", "action", "channel", "actor", "contact", "subscription", "mailing_list",
                      "purpose", "suppression"],
    "audit_event": ["id", "occurred_at", "actor", "role", "action", "object_type", "object_id", "purpose"],
}


def _sqlite_guards(table: str) -> list[str]:
    kept = " AND ".join(f"NEW.{column} IS OLD.{column}" for column in KEPT[table])
    blanked = "NEW.reason IS NULL AND " if table == "consent_event" else ""
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_update",
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN NOT ("
        f"OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL AND {blanked}NEW.details = '{REDACTED}' "
        f"AND {kept}) BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END",
    ]


POSTGRES_FUNCTION = (
    "CREATE OR REPLACE FUNCTION contacts_allow_redaction_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN "
    "IF OLD.redacted_at IS NULL AND NEW.redacted_at IS NOT NULL "
    "AND (to_jsonb(NEW) ->> 'reason') IS NULL "
    f"AND (to_jsonb(NEW) -> 'details') = '{REDACTED}'::jsonb "
    "AND (to_jsonb(NEW) - 'reason' - 'details' - 'redacted_at') = (to_jsonb(OLD) - 'reason' - 'details' - 'redacted_at') "
    "THEN RETURN NEW; END IF; "
    "RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; "
    "END $$"
)


def _postgres_guards(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION contacts_refuse_change()",
        f"CREATE TRIGGER {table}_redaction_only BEFORE UPDATE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION contacts_allow_redaction_only()",
    ]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_raw(create_guards)
    manager.add_raw_backwards(restore_guards)
    return manager


async def create_guards():
    engine = engine_finder()
    if engine.engine_type == "sqlite":
        statements = [*_sqlite_guards("consent_event"), *_sqlite_guards("audit_event")]
    else:
        statements = [POSTGRES_FUNCTION, *_postgres_guards("consent_event"), *_postgres_guards("audit_event")]
    for statement in statements:
        await engine.run_ddl(statement)


async def restore_guards():
    """Back to refusing every UPDATE."""
    engine = engine_finder()
    for table in KEPT:
        if engine.engine_type == "sqlite":
            statements = [f"DROP TRIGGER IF EXISTS {table}_no_update",
                          f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                          f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"]
        else:
            statements = [f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}",
                          f"DROP TRIGGER IF EXISTS {table}_redaction_only ON {table}",
                          f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                          "FOR EACH ROW EXECUTE FUNCTION contacts_refuse_change()"]
        for statement in statements:
            await engine.run_ddl(statement)
    if engine.engine_type != "sqlite":
        await engine.run_ddl("DROP FUNCTION IF EXISTS contacts_allow_redaction_only()")
