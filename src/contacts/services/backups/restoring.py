"""`contacts restore` (SQLite): with no other process on the database, a checked backup is written into
place, migrated if it is older than the code, checked again and recorded in its own audit log (REQ-8)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from contacts.db.engine import migrate, pending_migrations, write_transaction
from contacts.db.in_use import sole_use
from contacts.domain import CampaignStatus, DeliveryStatus
from contacts.errors import ConfigurationError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.backups import sqlite_files
from contacts.services.backups.sqlite_files import FileCheck
from contacts.settings import Settings
from contacts.tables import Campaign, Delivery

# Why a message the backup saw in flight is not sent again: whether the SMTP server took it is not known.
IN_FLIGHT_AT_BACKUP = "in flight when the backup was taken: not sent again, the SMTP server may have accepted it"


@dataclass(frozen=True)
class Restored:
    counts: dict[str, int]
    size: int
    migrations_applied: int
    kept: Path | None  # the database as it was before, unless asked not to keep it
    settled_in_flight: int  # ledger rows the backup saw in flight, marked failed rather than sent twice
    running_campaigns: list[int]  # they go on when a worker or the server starts


async def restore(settings: Settings, backup: Path, *, actor: str, keep_previous: bool = True,
                  confirm: Callable[[FileCheck], bool] = lambda checked: True) -> Restored | None:
    """None when `confirm`, shown the checked backup, says no: then nothing was changed."""
    if settings.database_kind != "sqlite":
        raise ConfigurationError(N_("restore works on the embedded SQLite database; on PostgreSQL use pg_restore"))
    database = settings.sqlite_path.absolute()
    backup = backup.absolute()
    if backup == database:
        raise ConfigurationError(N_("%(path)s is the database itself"), path=str(backup))
    with sole_use(database):
        known = frozenset(await _known_migrations())
        checked = sqlite_files.check(backup, known_migrations=known)
        if not await asyncio.to_thread(confirm, checked):
            return None
        kept = await asyncio.to_thread(_set_aside, database, keep_previous)
        database.parent.mkdir(parents=True, exist_ok=True)
        await asyncio.to_thread(sqlite_files.copy_into_place, backup, database)
        pending = await pending_migrations()
        if pending:
            await migrate()
        after = await asyncio.to_thread(sqlite_files.check, database, known_migrations=known)
        settled = await _settle_in_flight()
        running = [row["id"] for row in await Campaign.select(Campaign.id).where(
            Campaign.status == CampaignStatus.RUNNING.value).order_by(Campaign.id)]
        restored = Restored(counts=after.counts, size=checked.size, migrations_applied=len(pending), kept=kept,
                            settled_in_flight=settled, running_campaigns=running)
        await audit.record(actor, "database.restore", "database", "sqlite", details={
            "file": str(backup), "size": checked.size, "counts": after.counts, "migrations_applied": len(pending),
            "kept": str(kept) if kept else None, "in_flight_not_resent": settled})
        return restored


def _set_aside(database: Path, keep: bool) -> Path | None:
    """The database about to be replaced, copied as it is (unless not to be kept). One SQLite cannot read (the
    very reason for many a restore) is moved aside whole, -wal and -shm with it, kept or not: the backup is
    then written into a fresh file."""
    if not database.exists():
        return None
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    if not sqlite_files.readable(database):
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{database}{suffix}").exists():
                os.replace(f"{database}{suffix}", f"{kept}{suffix}")
        return kept
    if keep:
        sqlite_files.copy_live(database, kept)
        return kept
    return None


async def _known_migrations() -> list[str]:
    """Every migration this code has, applied to the live database or not."""
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.conf.apps import Finder

    manager = BaseMigrationManager()
    folder = Finder().get_app_config("contacts").resolved_migrations_folder_path
    return manager.get_migration_ids(manager.get_migration_modules(folder))


async def _settle_in_flight() -> int:
    """The messages the backup saw being sent were sent or not after it: the ledger cannot tell. Sending them
    again when the campaign resumes could send a person the same message twice; they are marked failed."""
    async with write_transaction():
        rows = await Delivery.update({
            Delivery.status: DeliveryStatus.FAILED.value, Delivery.last_error: IN_FLIGHT_AT_BACKUP,
            Delivery.claimed_by: None, Delivery.updated_at: datetime.now(timezone.utc),
        }).where(Delivery.status == DeliveryStatus.SENDING.value).returning(Delivery.id)
    return len(rows)
