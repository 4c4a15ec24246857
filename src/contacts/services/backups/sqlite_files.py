"""SQLite files as a backup sees them: a consistent copy of a live database, and the checks that a file is
a whole contacts database (integrity, tables, migrations), with the row counts that matter."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from contacts.errors import ValidationError
from contacts.i18n import N_

BUSY_TIMEOUT_SECONDS = 30
SQLITE_HEADER = b"SQLite format 3\x00"
# The tables whose rows a backup exists for, in the order they are printed.
COUNTED_TABLES = ("contact", "subscription", "consent_event", "suppression", "delivery", "audit_event")
MIGRATIONS_TABLE = "migration"  # Piccolo's record of the migrations applied


@dataclass(frozen=True)
class FileCheck:
    """What is in a checked file: its size, rows per counted table, and the migrations that made it."""

    size: int
    counts: dict[str, int]
    migrations: frozenset[str]


def connect(path: Path) -> sqlite3.Connection:
    """Autocommit, so that VACUUM and PRAGMAs run outside a transaction."""
    return sqlite3.connect(path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)


def copy_live(database: Path, target: Path) -> None:
    """A consistent copy of a database others keep writing: VACUUM INTO reads one snapshot in one read
    transaction, which in WAL mode (the mode `contacts migrate` sets) never blocks a writer, and never
    restarts as the backup API does when another process writes. The copy keeps no WAL of its own."""
    with contextlib.closing(connect(database)) as source:
        source.execute("VACUUM INTO ?", (str(target),))
    with contextlib.closing(connect(target)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")
    _flush(target)


def copy_into_place(source: Path, database: Path) -> None:
    """Writes `source` over the database through a connection to the database itself (SQLite's backup API),
    so what a stale -wal held is replaced too instead of replayed onto the restored pages."""
    with contextlib.closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as origin, \
            contextlib.closing(connect(database)) as destination:
        origin.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
        destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _flush(database)


def check(path: Path, *, known_migrations: frozenset[str] | None = None) -> FileCheck:
    """Raises ValidationError naming the file when it is not a whole contacts database, or when it was made
    by a newer version of contacts than this one (a migration this code does not know)."""
    name = str(path)
    if not path.is_file():
        raise ValidationError(name, N_("no such file"))
    if not _starts_as_sqlite(path):
        raise ValidationError(name, N_("not a SQLite database"))
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            verdict = [row[0] for row in connection.execute("PRAGMA integrity_check(20)")]
            if verdict != ["ok"]:
                raise ValidationError(name, N_("damaged: %(verdict)s"), verdict="; ".join(verdict)[:300])
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {MIGRATIONS_TABLE, *COUNTED_TABLES} <= tables:
                raise ValidationError(name, N_("not a contacts database (its tables are missing)"))
            migrations = frozenset(row[0] for row in connection.execute(
                f"SELECT name FROM {MIGRATIONS_TABLE} WHERE app_name = 'contacts'"))
            counts = {table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in COUNTED_TABLES}
    except sqlite3.DatabaseError as problem:  # "file is not a database", "disk image is malformed"
        raise ValidationError(name, N_("damaged: %(verdict)s"), verdict=str(problem)) from None
    if known_migrations is not None and (unknown := sorted(migrations - known_migrations)):
        raise ValidationError(name, N_("made by a newer version of contacts (migration %(migration)s): upgrade "
                                       "this one first"), migration=unknown[-1])
    return FileCheck(size=path.stat().st_size, counts=counts, migrations=migrations)


def readable(path: Path) -> bool:
    """Whether SQLite can open the file and finds it sound (quick_check: the structure, not every index). A
    file without SQLite's header is not opened: SQLite could take it for an empty database and drop its -wal."""
    if not _starts_as_sqlite(path):
        return False
    try:
        with contextlib.closing(connect(path)) as connection:
            return connection.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError:
        return False


def holds_any(path: Path, secrets: tuple[str, ...]) -> bool:
    """Whether any of these strings appears in the file, read in blocks that overlap by the longest one."""
    needles = [secret.encode() for secret in secrets if secret]
    overlap = max((len(needle) for needle in needles), default=0)
    tail = b""
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            window = tail + block
            if any(needle in window for needle in needles):
                return True
            tail = window[-overlap:] if overlap else b""
    return False


def _starts_as_sqlite(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def _flush(path: Path) -> None:
    """On disk before it is renamed or reported: a power cut must not leave a name on a half-written file."""
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())
