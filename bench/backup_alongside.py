"""`contacts backup`'s copy (services.backups.sqlite_files.copy_live, VACUUM INTO) of a SQLite database in WAL
mode while a writer goes on committing small transactions, as the server and the sender do: the copy's time,
and the writer's slowest commit during the copy against a limit measured in the same run: twice its slowest
commit in the second before the copy (a copy that blocked writers would hold a commit for the whole copy).
Figures are printed, never asserted.

    .venv/bin/python bench/backup_alongside.py [--rows 300000]
"""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from contacts.services.backups.sqlite_files import copy_live  # noqa: E402

LIMIT_FACTOR = 2.0  # times the slowest commit before the copy


def fill(path: Path, rows: int) -> None:
    with contextlib.closing(sqlite3.connect(path)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("CREATE TABLE row (id INTEGER PRIMARY KEY, text TEXT, at REAL)")
        with connection:
            connection.executemany("INSERT INTO row (text, at) VALUES (?, ?)",
                                   ((f"row {n} " + "x" * 180, n) for n in range(rows)))


def write_until(path: Path, stop: threading.Event, commits: list[tuple[float, float]]) -> None:
    """Commits one row at a time; each commit's start and how long it took."""
    with contextlib.closing(sqlite3.connect(path, timeout=30, isolation_level=None)) as connection:
        while not stop.is_set():
            started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO row (text, at) VALUES ('new', ?)", (started,))
            connection.execute("COMMIT")
            commits.append((started, time.perf_counter() - started))
            time.sleep(0.002)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=300_000)
    rows = parser.parse_args().rows
    with tempfile.TemporaryDirectory() as folder:
        database, copy = Path(folder) / "live.db", Path(folder) / "copy.sqlite3"
        fill(database, rows)
        stop, commits = threading.Event(), []
        writer = threading.Thread(target=write_until, args=(database, stop, commits))
        writer.start()
        time.sleep(1.0)
        began = time.perf_counter()
        copy_live(database, copy)
        ended = time.perf_counter()
        time.sleep(0.2)
        stop.set()
        writer.join()
        before = [took for at, took in commits if at < began]
        during = [took for at, took in commits if began <= at < ended]
        print(f"database: {rows:,} rows, {database.stat().st_size / 1e6:.1f} MB; copy: {copy.stat().st_size / 1e6:.1f} MB "
              f"in {ended - began:.2f} s")
        print(f"writer: {len(during)} commits during the copy, slowest {max(during, default=0) * 1000:.1f} ms; "
              f"{len(before)} in the second before, slowest {max(before) * 1000:.1f} ms")
        slowest, limit = max(during, default=0), LIMIT_FACTOR * max(before)
        print(f"slowest commit during the copy: {slowest / limit:.2f} of the limit ({limit * 1000:.1f} ms, "
              f"{LIMIT_FACTOR:.0f}x the slowest before); the copy took {(ended - began) / limit:.1f}x the limit")


if __name__ == "__main__":
    main()
