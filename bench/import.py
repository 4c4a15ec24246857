"""Import speed: `contacts import` of generated contacts into SQLite and PostgreSQL, against the limit
measured in the same run: email-validator alone validating the same addresses in one process.

    .venv/bin/python bench/import.py              # 100,000 rows
    .venv/bin/python bench/import.py --million    # 1,000,000 rows, and the 100,000 run for memory comparison

PostgreSQL is the server at CONTACTS_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
the bench creates and drops its own database. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, generate, run_measured  # noqa: E402


def validator_alone(addresses: list[str]) -> float:
    from email_validator import validate_email

    start = time.perf_counter()
    for address in addresses:
        validate_email(address, check_deliverability=False)
    return len(addresses) / (time.perf_counter() - start)


def run_import(database_url: str, csv_path: Path, workdir: Path) -> tuple[float, float, int]:
    """(seconds, peak resident MiB of the import and its workers, exit code) of a real `contacts import`."""
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET}
    contacts(["migrate"], env, workdir)
    run = run_measured(
        ["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"], env, workdir
    )
    if run.returncode != 0:
        print(run.stderr, file=sys.stderr)
    return run.seconds, run.peak_mib, run.returncode


def bench(rows: int, workdir: Path) -> None:
    csv_path = workdir / f"contacts-{rows}.csv"
    addresses = generate(csv_path, rows)
    limit = validator_alone(addresses)
    del addresses
    print(f"\n{rows:,} rows ({csv_path.stat().st_size / 2**20:.1f} MiB of CSV)")
    print(f"  limit: email-validator alone, one process: {limit:,.0f} addresses/s")

    sqlite_url = f"sqlite:///{workdir / f'bench-{rows}.db'}"
    seconds, peak, code = run_import(sqlite_url, csv_path, workdir)
    print(f"  SQLite:     {rows / seconds:,.0f} rows/s  ratio {rows / seconds / limit:.2f}  peak RSS {peak:,.0f} MiB (import and workers)"
          + ("" if code == 0 else f"  (exit {code})"))

    with PostgresDatabase(f"contacts_bench_{os.getpid()}_{rows}") as database:
        seconds, peak, code = run_import(database.url, csv_path, workdir)
        print(f"  PostgreSQL: {rows / seconds:,.0f} rows/s  ratio {rows / seconds / limit:.2f}  peak RSS {peak:,.0f} MiB (import and workers)"
              + ("" if code == 0 else f"  (exit {code})"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--million", action="store_true", help="also import 1,000,000 rows")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; ratio = import rows/s ÷ email-validator addresses/s (goal ≥ 0.7)")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        bench(100_000, Path(tmp))
        if args.million:
            bench(1_000_000, Path(tmp))


if __name__ == "__main__":
    main()
