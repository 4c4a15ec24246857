"""One-click unsubscribe under load: wrk POSTs `List-Unsubscribe=One-Click` to `/u/{token}` of `contacts serve`,
each request for another recipient, against the limit measured in the same run on the same server: `GET /health`
with the same connections.

    .venv/bin/python bench/unsubscribe.py [--contacts 30000] [--seconds 10] [--engine sqlite|postgresql|both]
                                          [--workers 1]

PostgreSQL runs with 64 connections, SQLite with 16. Needs Debian's wrk (apt-get install wrk). The public rate
limit is turned off for the run (CONTACTS_PUBLIC_RATE_LIMIT=0): every request comes from one address here.
Figures are printed, never asserted. `--workers N` runs N server processes on PostgreSQL (SQLite has one
writer, so one process); the run prints how many. One is the default: on a machine of two cores, which wrk
and PostgreSQL share with the server, a second process gains little.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, free_port, generate, serve  # noqa: E402

LUA = """
local paths = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do paths[#paths + 1] = line end
local counter = 0
wrk.method = "POST"
wrk.body = "List-Unsubscribe=One-Click"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
function init(args)
  -- each wrk thread starts at its own place, so that most requests unsubscribe somebody new
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
  counter = math.random(#paths)
end
function request()
  counter = counter + 1
  return wrk.format(nil, paths[(counter % #paths) + 1])
end
"""


def subscriptions(database_url: str) -> list[tuple[int, int]]:
    sql = "SELECT contact, mailing_list FROM subscription ORDER BY contact"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return list(connection.execute(sql))

    async def fetch() -> list[tuple[int, int]]:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            return [tuple(row) for row in await connection.fetch(sql)]
        finally:
            await connection.close()

    return asyncio.run(fetch())


def unsubscribe_paths(database_url: str) -> list[str]:
    from contacts.tokens import LinkToken, TokenAction, TokenCodec

    codec = TokenCodec((SECRET,))
    return [f"/u/{codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, contact, list_id, 1))}"
            for contact, list_id in subscriptions(database_url)]


def wrk(url: str, connections: int, seconds: int, script: Path | None, tokens: Path | None) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True,
                            env={**os.environ, "TOKENS_FILE": str(tokens or "")}).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))}
    for label, key in (("50%", "p50"), ("99%", "p99")):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
        figures[key] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = (sum(int(n) for n in errors.groups()) if errors else 0) + (int(non_2xx.group(1)) if non_2xx else 0)
    return figures



def bench(engine: str, database_url: str, count: int, connections: int, seconds: int, workdir: Path,
          csv_path: Path, workers: int = 1) -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0",
           "CONTACTS_ENV": "production", "CONTACTS_BASE_URL": "https://contacts.example",
           # The daily retention run would scan every contact while the load runs; it runs once a day.
           "CONTACTS_RETENTION_DAILY": "false"}
    contacts(["migrate"], env, workdir)
    contacts(["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"],
             env, workdir)
    tokens = workdir / f"tokens-{engine}.txt"
    tokens.write_text("\n".join(unsubscribe_paths(database_url)) + "\n")
    script = workdir / "one-click.lua"
    script.write_text(LUA)
    print(f"\n{engine}: {count:,} subscribers, {connections} connections, {seconds} s each, "
          f"{workers} server process{'es' if workers > 1 else ''}")
    server = serve(env, workdir, port, workers)
    try:
        url = f"http://127.0.0.1:{port}"
        wrk(f"{url}/health", connections, 2, None, None)  # warm up
        limit = wrk(f"{url}/health", connections, seconds, None, None)
        one_click = wrk(url, connections, seconds, script, tokens)
    finally:
        server.terminate()
        server.wait()
    print(f"  limit: GET /health            {limit['rps']:8,.0f} requests/s  p50 {limit['p50']:6.1f} ms  "
          f"p99 {limit['p99']:6.1f} ms  errors {limit['errors']:.0f}")
    print(f"  POST /u/{{token}} one-click    {one_click['rps']:8,.0f} requests/s  p50 {one_click['p50']:6.1f} ms  "
          f"p99 {one_click['p99']:6.1f} ms  errors {one_click['errors']:.0f}")
    print(f"  ratio {one_click['rps'] / limit['rps']:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=30_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--workers", type=int, default=1, help="server processes on PostgreSQL (SQLite: always 1)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    print(f"cores: {os.cpu_count()}; ratio = one-click requests/s ÷ /health requests/s on the same server")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "contacts.csv"
        generate(csv_path, args.contacts)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'unsubscribe.db'}", args.contacts, 16, args.seconds, workdir,
                  csv_path)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_unsubscribe_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.contacts, 64, args.seconds, workdir, csv_path, args.workers)


if __name__ == "__main__":
    main()
