"""What a shared rate-limit count costs a request on PostgreSQL: the upsert every counted request makes,
from 16 concurrent clients of distinct addresses, against the limit measured in the same run on the same
pool: a `SELECT 1` round trip. SQLite counts in memory; its figure is printed beside.

    .venv/bin/python bench/rate_counts.py [--hits 5000]

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts  # noqa: E402

CLIENTS = 16


async def timed(work, hits: int) -> list[float]:
    times: list[float] = []

    async def client(number: int) -> None:
        for n in range(hits // CLIENTS):
            start = time.perf_counter()
            await work(f"198.51.{number}.{n % 250}")
            times.append((time.perf_counter() - start) * 1000)

    await asyncio.gather(*(client(number) for number in range(CLIENTS)))
    return times


async def measure(hits: int) -> None:
    from contacts.db.engine import connected
    from contacts.machinery_tables import RateLimitCount
    from contacts.web.rate_counts import DatabaseRateCounts, MemoryRateCounts

    async with connected():
        database, memory = DatabaseRateCounts(), MemoryRateCounts()
        await timed(lambda client: database.hit("public", client), 500)  # warm the pool

        async def round_trip(client: str) -> None:
            await RateLimitCount.raw("SELECT 1")

        figures = {"SELECT 1 (the limit)": await timed(round_trip, hits),
                   "shared count (upsert)": await timed(lambda client: database.hit("public", client), hits),
                   "memory count (SQLite)": await timed(lambda client: memory.hit("public", client), hits)}
        rows = await RateLimitCount.count()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    print(f"PostgreSQL, {CLIENTS} concurrent clients, {hits:,} hits each way; {rows:,} rows in rate_limit_count")
    for name, values in figures.items():
        p99 = statistics.quantiles(values, n=100)[98]
        print(f"  {name:<22} median {medians[name]:7.3f} ms  p99 {p99:7.3f} ms")
    print(f"  ratio shared count ÷ SELECT 1: {medians['shared count (upsert)'] / medians['SELECT 1 (the limit)']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hits", type=int, default=5000)
    args = parser.parse_args()
    with PostgresDatabase(f"contacts_bench_rate_{os.getpid()}") as database, \
            tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        env = {**os.environ, "CONTACTS_DATABASE_URL": database.url, "CONTACTS_SECRET_KEY": SECRET}
        contacts(["migrate"], env, Path(tmp))
        subprocess.run([sys.executable, __file__, "--hits", str(args.hits), "--measure"], env=env, check=True)


if __name__ == "__main__":
    if "--measure" in sys.argv:
        asyncio.run(measure(int(sys.argv[sys.argv.index("--hits") + 1])))
    else:
        main()
