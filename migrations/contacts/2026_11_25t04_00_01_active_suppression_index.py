"""One active suppression per address and scope: a lifted entry (REQ-43) stays, and the address can be
suppressed again later. A separate migration because Piccolo runs raw steps before a migration's columns."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-25T04:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique active suppression per address and scope; pending consents by expiry"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)
    manager.add_raw(partial_index)
    manager.add_raw_backwards(full_index)
    return manager


async def partial_index():
    for statement in (
        "DROP INDEX IF EXISTS suppression_hash_scope_key",
        "CREATE UNIQUE INDEX IF NOT EXISTS suppression_hash_scope_active_key ON suppression (address_hash, scope) "
        "WHERE lifted_at IS NULL",
        "CREATE INDEX IF NOT EXISTS suppression_hash_idx ON suppression (address_hash)",
        "CREATE INDEX IF NOT EXISTS pending_consent_expires_idx ON pending_consent (expires_at)",
    ):
        await engine_finder().run_ddl(statement)


async def full_index():
    for statement in (
        "DROP INDEX IF EXISTS pending_consent_expires_idx",
        "DROP INDEX IF EXISTS suppression_hash_idx",
        "DROP INDEX IF EXISTS suppression_hash_scope_active_key",
        "CREATE UNIQUE INDEX IF NOT EXISTS suppression_hash_scope_key ON suppression (address_hash, scope)",
    ):
        await engine_finder().run_ddl(statement)
