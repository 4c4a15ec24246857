"""`contacts backup`: a checked copy of the live database, written beside its destination and renamed only
once checked, then recorded in the live database's audit log (REQ-8)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from contacts.errors import ConfigurationError, ConflictError, ValidationError
from contacts.i18n import N_
from contacts.services import audit
from contacts.services.backups import sqlite_files
from contacts.settings import Settings

EXISTS = N_("%(path)s exists already: choose another file, or add --force to replace it")


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    counts: dict[str, int]  # rows per counted table; empty for a pg_dump archive, which this does not read


async def back_up(settings: Settings, output: Path, *, actor: str, replace: bool = False) -> Backup:
    """SQLite: a consistent copy taken while the database is in use. PostgreSQL: `pg_dump --format=custom`."""
    output = output.absolute()
    _refuse_existing(output, replace)
    partial = output.with_name(f".{output.name}.partial-{os.getpid()}")
    try:
        if settings.database_kind == "postgresql":
            counts = await asyncio.to_thread(_dump_postgresql, settings.database_url, partial)
        else:
            counts = await asyncio.to_thread(_copy_sqlite, settings.sqlite_path, partial, settings.secret_keys)
        _put_in_place(partial, output, replace)
    finally:
        partial.unlink(missing_ok=True)
    made = Backup(path=output, size=output.stat().st_size, counts=counts)
    await audit.record(actor, "database.backup", "database", settings.database_kind, details={
        "file": str(output), "size": made.size, "counts": counts, "engine": settings.database_kind})
    return made


def _copy_sqlite(database: Path, partial: Path, secret_keys: tuple[str, ...]) -> dict[str, int]:
    if not database.exists():
        raise ConfigurationError(N_("there is no database at %(path)s"), path=str(database))
    sqlite_files.copy_live(database, partial)
    checked = sqlite_files.check(partial)
    if sqlite_files.holds_any(partial, secret_keys):  # never expected: the key lives in the settings alone
        raise ConfigurationError(N_("the secret key was found in the copy: it was not kept"))
    return checked.counts


def _dump_postgresql(database_url: str, partial: Path) -> dict[str, int]:
    if shutil.which("pg_dump") is None:
        raise ConfigurationError(N_("pg_dump is not installed (or not on PATH): install PostgreSQL's client "
                                    "programs, e.g. the postgresql-client package"))
    done = subprocess.run(["pg_dump", "--format=custom", "--file", str(partial), database_url],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ConfigurationError(N_("pg_dump failed: %(reason)s"), reason=done.stderr.strip()[-500:])
    if shutil.which("pg_restore") is not None:  # reads the archive's table of contents: a whole archive
        listed = subprocess.run(["pg_restore", "--list", str(partial)], capture_output=True, text=True)
        if listed.returncode != 0 or "TABLE DATA public delivery" not in listed.stdout:
            raise ConfigurationError(N_("pg_dump made an archive pg_restore cannot read: %(reason)s"),
                                     reason=listed.stderr.strip()[-500:])
    return {}


def _refuse_existing(output: Path, replace: bool) -> None:
    if output.is_dir():
        raise ValidationError(str(output), N_("is a folder: name the backup file"))
    if not output.parent.is_dir():
        raise ValidationError(str(output), N_("its folder does not exist"))
    if output.exists() and not replace:
        raise ConflictError(EXISTS, path=str(output))


def _put_in_place(partial: Path, output: Path, replace: bool) -> None:
    """A link fails if the name was taken meanwhile: nothing is overwritten unless asked."""
    if replace:
        os.replace(partial, output)
    else:
        try:
            os.link(partial, output)
        except FileExistsError:
            raise ConflictError(EXISTS, path=str(output)) from None
    with contextlib.suppress(OSError):  # the rename itself on disk; not every file system lets a folder open
        folder = os.open(output.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)
