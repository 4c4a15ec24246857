"""What GET /metrics costs (issue 25): a scrape that reads the database, and one the cache answers, at N
delivery-ledger rows, against GET /health on the same app in the same run; and what the request counters cost
every other request (/health with metrics on against off).

    .venv/bin/python bench/metrics.py [--rows 200000] [--engine sqlite|postgresql|both] [--explain]

The ledger is written straight in SQL: 20 campaigns (one running, half its rows still queued), N/20 contacts,
N deliveries (sent, failed, skipped, retried, bounced) and N/2 consent events (one in ten an opt-out). Each
figure is the median of sequential requests through the app in this process (httpx's ASGI transport, no
network). Goals on this machine: a scrape that reads the database within 25 times /health at 200,000 rows
(the first of a process counts the whole ledger, once: printed apart), a cached one within 3 times, the
counters adding under 10% to /health (measured apart too, around an app that answers at once, since two
/health medians differ by more than that from run to run), and 20 scrapes at once making one database read. `--explain` prints PostgreSQL's plan of each query. Figures are printed, never asserted.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase

TOKEN = "bench-metrics-token-0123456789"
CAMPAIGNS = 20
SERIES = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {count}) "


def fill_statements(rows: int) -> list[str]:
    """The ledger, in SQL both engines read; `?` is the moment the queued rows came due."""
    contacts = rows // CAMPAIGNS
    return [
        SERIES.format(count=contacts) + "INSERT INTO contact (email, email_canonical, source_name, address_kind, "
        "source_type) SELECT 'b' || n || '@bench.example', 'b' || n || '@bench.example', 'bench', 'professional', "
        "'given' FROM g",
        SERIES.format(count=CAMPAIGNS) + "INSERT INTO campaign (subject_fr, template, purpose, status, created_by) "
        "SELECT 'Bench ' || n, 'newsletter-communications', (SELECT purpose FROM mailing_list WHERE slug = "
        f"'journalists'), CASE WHEN n = {CAMPAIGNS} THEN 'running' ELSE 'finished' END, 'bench' FROM g",
        "INSERT INTO delivery (campaign, contact, mailing_list, status, message_id, attempts, next_attempt_at, "
        "first_attempt_at, bounce_kind, complained_at) "
        "SELECT c.id, t.id, (SELECT id FROM mailing_list WHERE slug = 'journalists'), "
        "CASE WHEN c.status = 'running' AND t.id % 2 = 0 THEN 'queued' WHEN t.id % 50 = 0 THEN 'failed' "
        "WHEN t.id % 20 = 0 THEN 'skipped' ELSE 'sent' END, '<' || c.id || '.' || t.id || '@bench>', "
        "CASE WHEN t.id % 30 = 0 THEN 2 ELSE 1 END, ?, CASE WHEN t.id % 30 = 0 THEN ? END, "
        "CASE WHEN t.id % 100 = 0 THEN 'hard' WHEN t.id % 101 = 0 THEN 'soft' END, "
        "CASE WHEN t.id % 1000 = 0 THEN ? END FROM campaign c CROSS JOIN contact t",
        SERIES.format(count=rows // 2) + "INSERT INTO consent_event (action, channel, actor, contact) "
        "SELECT CASE WHEN n % 10 = 0 THEN 'unsubscribed' ELSE 'subscribed' END, "
        "CASE WHEN n % 10 = 0 THEN 'one_click' ELSE 'import' END, 'bench', "
        f"(n % {contacts}) + 1 FROM g",
    ]


async def fill(url: str, rows: int) -> None:
    due = datetime.now(UTC) - timedelta(minutes=10)
    if url.startswith("postgresql"):
        import asyncpg

        connection = await asyncpg.connect(url)
        try:
            for statement in fill_statements(rows):
                parts = statement.split("?")
                sql = "".join(part + (f"${i}::timestamptz" if i < len(parts) else "") for i, part in enumerate(parts, 1))
                await connection.execute(sql, *[due] * (len(parts) - 1))
            await connection.execute("VACUUM ANALYZE")  # as autovacuum would have by now
        finally:
            await connection.close()
    else:
        import sqlite3

        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
        stamp = due.isoformat(sep=" ")  # as Piccolo's adapter writes timestamps
        with connection:
            for statement in fill_statements(rows):
                connection.execute(statement, [stamp] * statement.count("?"))
        connection.execute("ANALYZE")
        connection.close()


async def timed(client, path: str, count: int, headers=None) -> list[float]:
    seconds = []
    for _ in range(count):
        started = time.perf_counter()
        response = await client.get(path, headers=headers)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    return seconds


async def measure(rows: int, explain: bool) -> None:
    import dataclasses

    import httpx

    from contacts.app import create_app
    from contacts.db.engine import connected, migrate
    from contacts.services import monitoring
    from contacts.settings import get_settings
    from contacts.web import metrics

    await migrate()
    started = time.perf_counter()
    await fill(os.environ["CONTACTS_DATABASE_URL"], rows)
    print(f"  ledger of {rows:,} rows written in {time.perf_counter() - started:.1f} s")
    authorized = {"Authorization": f"Bearer {TOKEN}"}
    settings = get_settings()
    async with connected():
        if explain:
            await print_plans()
        plain, measured = create_app(dataclasses.replace(settings, metrics_token="")), create_app(settings)
        async with plain.lifespan(), measured.lifespan():
            async with (httpx.AsyncClient(transport=httpx.ASGITransport(app=plain), base_url="http://b") as off,
                        httpx.AsyncClient(transport=httpx.ASGITransport(app=measured), base_url="http://b") as on):
                await timed(on, "/health", 50)  # warm up both, and the pools
                await timed(off, "/health", 50)
                health_off, health_on = [], []
                for turn in range(10):  # interleaved, each first in turn, so that load falls on both alike
                    for client, seconds in ((off, health_off), (on, health_on))[::1 if turn % 2 else -1]:
                        seconds += await timed(client, "/health", 50)
                cached = await timed(on, "/metrics", 200, authorized)
                metrics.FRESH_FOR_SECONDS = 0.0  # every scrape from now on reads the database
                measured_app = create_app(settings)
                async with measured_app.lifespan(), httpx.AsyncClient(
                        transport=httpx.ASGITransport(app=measured_app), base_url="http://b") as fresh:
                    first = await timed(fresh, "/metrics", 1, authorized)  # counts the ended campaigns' rows
                    reading = await timed(fresh, "/metrics", 30, authorized)
                reads = await concurrent_reads(monitoring)
    bare, counted = await middleware_cost()
    health = statistics.median(health_off)
    cold, warm = statistics.median(reading), statistics.median(cached)
    print(f"  GET /health            median {health * 1000:7.2f} ms (metrics off)")
    print(f"  GET /health            median {statistics.median(health_on) * 1000:7.2f} ms (metrics on): the counters add "
          f"{(statistics.median(health_on) - health) * 1e6:+.0f} µs, {statistics.median(health_on) / health:.2f}x")
    print(f"  the counters alone     {(counted - bare) * 1e6:7.1f} µs a request (an app that answers at once: "
          f"{bare * 1e6:.1f} µs bare, {counted * 1e6:.1f} µs counted), {(counted - bare) / health * 100:.1f}% of /health")
    print(f"  GET /metrics, first    {first[0] * 1000:7.2f} ms: the process counts the whole ledger once")
    print(f"  GET /metrics, read     median {cold * 1000:7.2f} ms, p95 {sorted(reading)[28] * 1000:.2f} ms: "
          f"{cold / health:.1f}x /health (goal: within 25x)")
    print(f"  GET /metrics, cached   median {warm * 1000:7.2f} ms: {warm / health:.1f}x /health (goal: within 3x)")
    print(f"  20 scrapes at once     {reads} database read(s) (goal: 1)")


async def middleware_cost(count: int = 20_000) -> tuple[float, float]:
    """Seconds per request of an app that answers at once, bare and inside the request counters."""
    from contacts.web.request_metrics import RequestMetrics

    async def answer(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def nothing(message):
        pass

    scope = {"type": "http", "method": "GET", "path": "/u/AVkkvpRUjZFVXptZxFwfguB-2vfnE5MDJoEdzUA3lh1nIyi6EdO8"}
    timings = []
    for app in (answer, RequestMetrics().middleware(answer)):
        started = time.perf_counter()
        for _ in range(count):
            await app(scope, None, nothing)
        timings.append((time.perf_counter() - started) / count)
    return timings[0], timings[1]


async def concurrent_reads(monitoring) -> int:
    reads = 0

    async def read():
        nonlocal reads
        reads += 1
        return await monitoring.read_figures()

    cache = monitoring.FiguresCache(5.0, read)  # each read counts the whole ledger, as a process's first does
    await asyncio.gather(*(cache.get() for _ in range(20)))
    return reads


async def print_plans() -> None:
    from contacts.services.monitoring import BY_CAMPAIGN, FIRST_DUE, STATEMENTS
    from contacts.tables import Campaign

    running = (await Campaign.raw("SELECT id FROM campaign WHERE status = 'running' LIMIT 1"))[0]["id"]
    statements = {**STATEMENTS, "a campaign's rows by status": BY_CAMPAIGN.format(ids=running),
                  "its first queued message": FIRST_DUE.format(id=running)}
    for name, sql in statements.items():
        plan = await Campaign.raw("EXPLAIN ANALYZE " + sql)
        print(f"  plan of {name}:")
        for row in plan:
            print("    " + row["QUERY PLAN"])


def run_engine(engine: str, rows: int, explain: bool) -> None:
    print(f"{engine}, {rows:,} ledger rows")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-metrics-") as workdir:
        env = {**os.environ, "CONTACTS_SECRET_KEY": SECRET, "CONTACTS_SMTP_URL": "smtp://127.0.0.1:2525",
               "CONTACTS_METRICS_TOKEN": TOKEN, "CONTACTS_SERVE_SENDS": "false", "CONTACTS_RETENTION_DAILY": "false",
               "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1] / "src"),
                                                          os.environ.get("PYTHONPATH")]))}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        args = [sys.executable, __file__, "--inside", "--rows", str(rows)] + (["--explain"] if explain else [])
        if engine == "postgresql":
            with PostgresDatabase(f"contacts_bench_metrics_{os.getpid()}") as database:
                subprocess.run(args, env={**env, "CONTACTS_DATABASE_URL": database.url}, cwd=workdir, check=True)
        else:
            url = f"sqlite:///{workdir}/bench.db"
            subprocess.run(args, env={**env, "CONTACTS_DATABASE_URL": url}, cwd=workdir, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--engine", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)  # one engine, in this process
    options = parser.parse_args()
    if options.inside:
        asyncio.run(measure(options.rows, options.explain))
        return
    for engine in ("sqlite", "postgresql") if options.engine == "both" else (options.engine,):
        run_engine(engine, options.rows, options.explain and engine == "postgresql")


if __name__ == "__main__":
    main()
