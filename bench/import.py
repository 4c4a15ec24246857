"""Import speed: `contacts import` of generated contacts into SQLite and PostgreSQL, against the limit
measured in the same run: email-validator alone validating the same addresses in one process.

    .venv/bin/python bench/import.py              # 100,000 rows
    .venv/bin/python bench/import.py --million    # 1,000,000 rows, and the 100,000 run for memory comparison

PostgreSQL is the server at CONTACTS_BENCH_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test);
the bench creates and drops its own database. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ADMIN_URL = os.environ.get("CONTACTS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
FIRST = ["Jean", "Marie", "Émile", "Hélène", "François", "Zoé", "Loïc", "Anaïs", "Noël", "Chloé", "Paul", "Inès"]
LAST = ["Dupont", "Durand", "Lefèvre", "Moreau", "Girard", "Bonnaud", "Fournier", "Mercier", "Gauthier", "Perrin"]
ORGS = ["Le Monde", "Libération", "Le Figaro", "France Culture", "Télérama", "Les Échos", "Ouest-France", "AFP"]
DOMAINS = ["lemonde.fr", "liberation.fr", "lefigaro.fr", "radiofrance.com", "telerama.fr", "lesechos.fr", "afp.com"]


def generate(path: Path, rows: int) -> list[str]:
    random.seed(42)
    addresses = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["email", "prénom", "nom", "société", "fonction", "téléphone", "langue"])
        for i in range(rows):
            first, last = random.choice(FIRST), random.choice(LAST)
            address = f"{first.lower()}.{last.lower()}.{i}@{random.choice(DOMAINS)}"
            addresses.append(address)
            writer.writerow([address, first, last, random.choice(ORGS), "Journaliste",
                             f"+33 1 {random.randint(10, 99)} {random.randint(10, 99)} {random.randint(10, 99)} {i % 100:02d}",
                             random.choice(["fr", "en"])])
    return addresses


def validator_alone(addresses: list[str]) -> float:
    from email_validator import validate_email

    start = time.perf_counter()
    for address in addresses:
        validate_email(address, check_deliverability=False)
    return len(addresses) / (time.perf_counter() - start)


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants (the validation workers), from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(child) for child in children.read().split())
        except OSError:
            continue  # it ended between two reads
    return total / 2**20


def run_import(database_url: str, csv_path: Path, workdir: Path) -> tuple[float, float, int]:
    """(seconds, peak resident MiB of the import and its workers, exit code) of a real `contacts import`."""
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": "bench-secret-key-0123456789"}
    subprocess.run([sys.executable, "-m", "contacts", "migrate"], env=env, cwd=workdir, check=True, capture_output=True)
    start = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "contacts", "import", str(csv_path), "--list", "journalists",
         "--source-type", "third-party", "--source", "bench"],
        env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, tree_rss_mib(process.pid))
        time.sleep(0.2)
    elapsed = time.perf_counter() - start
    if process.returncode != 0:
        print(process.stderr.read(), file=sys.stderr)
    return elapsed, peak, process.returncode


async def admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


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

    name = f"contacts_bench_{os.getpid()}_{rows}"
    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        seconds, peak, code = run_import(ADMIN_URL.rsplit("/", 1)[0] + "/" + name, csv_path, workdir)
        print(f"  PostgreSQL: {rows / seconds:,.0f} rows/s  ratio {rows / seconds / limit:.2f}  peak RSS {peak:,.0f} MiB (import and workers)"
              + ("" if code == 0 else f"  (exit {code})"))
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


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
