"""Small partial indexes that let GET /metrics count what came back, what was retried and who opted out, and
find how long the queue's oldest message has waited, without reading the whole delivery ledger or consent
ledger (contacts.services.monitoring): each holds only the rows it counts. A message that goes at its first
attempt adds one entry, to the queued rows' index, as its audience is built."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-12-07T02:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "metrics indexes"

INDEXES = {
    "delivery_retried_idx": "CREATE INDEX IF NOT EXISTS delivery_retried_idx ON delivery (status, attempts) "
                            "WHERE first_attempt_at IS NOT NULL",
    "delivery_returned_idx": "CREATE INDEX IF NOT EXISTS delivery_returned_idx ON delivery (bounce_kind, "
                             "complained_at) WHERE bounce_kind IS NOT NULL OR complained_at IS NOT NULL",
    # The queued rows alone, by when they came due: a campaign's oldest waiting message is one entry away.
    "delivery_waiting_idx": "CREATE INDEX IF NOT EXISTS delivery_waiting_idx ON delivery (campaign, next_attempt_at) "
                            "WHERE status = 'queued'",
    "consent_event_opt_out_idx": "CREATE INDEX IF NOT EXISTS consent_event_opt_out_idx ON consent_event (channel, "
                                 "action) WHERE action IN ('unsubscribed', 'objected', 'suppressed')",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="contacts", description=DESCRIPTION)

    async def create():
        for statement in INDEXES.values():
            await engine_finder().run_ddl(statement)

    async def drop():
        for name in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager
