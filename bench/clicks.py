"""Counted links under load (issue 24, REQ-48): wrk drives `GET /l/{token}` of `contacts serve` across the
links of a campaign in both languages, against the limit measured in the same run on the same server:
`GET /health` with the same connections. Then the server is stopped with SIGTERM at once, before its
counter's next write, and the clicks in link_click are compared with what wrk sent and what it counted.

    .venv/bin/python bench/clicks.py [--seconds 10] [--links 10] [--engine sqlite|postgresql|both]

PostgreSQL runs with 64 connections, SQLite with 16. Goals on this machine: at least 0.5 of /health on
PostgreSQL with p99 under 50 ms, and p99 under 200 ms on SQLite, no error, and counts exact (every request
wrk sent is counted; wrk's own count leaves out those still in flight when it stopped, at most one per
connection). Needs Debian's wrk. Figures are printed, never asserted.
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
from common import SECRET, PostgresDatabase, contacts, free_port, serve

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
BASE_URL = "https://contacts.example"
# Each thread counts what it sent; `done` adds them up (wrk's summary counts only the answers it read).
LUA = """
local paths = {}
for line in io.lines(os.getenv("TOKENS_FILE")) do paths[#paths + 1] = line end
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  sent = 0
  counter = math.random(#paths)
  wrk.headers["User-Agent"] = os.getenv("BROWSER_AGENT")
end
function request()
  counter = counter + 1
  sent = sent + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("sent") end
  io.write(string.format("SENT %d\\n", total))
end
"""


def wrk(url: str, connections: int, seconds: int, script: Path | None = None,
        tokens: Path | None = None) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if script:
        args += ["-s", str(script)]
    output = subprocess.run([*args, url], capture_output=True, text=True, check=True,
                            env={**os.environ, "TOKENS_FILE": str(tokens or ""), "BROWSER_AGENT": BROWSER}).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
               "requests": float(re.search(r"(\d+) requests in", output).group(1))}
    for label, key in (("50%", "p50"), ("99%", "p99")):
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", output).groups()
        figures[key] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    figures["errors"] = (sum(int(n) for n in errors.groups()) if errors else 0) + (int(non_2xx.group(1)) if non_2xx else 0)
    sent = re.search(r"SENT (\d+)", output)
    figures["sent"] = float(sent.group(1)) if sent else figures["requests"]
    return figures


def body(language: str, links: int) -> str:
    return "\n\n".join(f"Lien {n} : [l'exposition {n}](https://musee.example/{language}/expo/{n}?ref=lettre)"
                       for n in range(links))


def click_paths(campaign_id: int, links: int) -> list[str]:
    from contacts.mail.click_links import LANGUAGE_NUMBERS, link_key
    from contacts.tokens import ClickToken, TokenCodec

    codec = TokenCodec((SECRET,))
    return [f"/l/{codec.seal_click(ClickToken(campaign_id, LANGUAGE_NUMBERS[language], link_key(url)))}"
            for language in ("fr", "en") for url in
            (f"https://musee.example/{language}/expo/{n}?ref=lettre" for n in range(links))]


def counted(database_url: str, campaign_id: int) -> tuple[int, int]:
    sql = f"SELECT COALESCE(SUM(clicks), 0), COUNT(*) FROM link_click WHERE campaign = {campaign_id}"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as connection:
            return tuple(connection.execute(sql).fetchone())

    async def fetch() -> tuple[int, int]:
        import asyncpg

        connection = await asyncpg.connect(database_url)
        try:
            return tuple(await connection.fetchrow(sql))
        finally:
            await connection.close()

    return asyncio.run(fetch())


def bench(engine: str, database_url: str, connections: int, seconds: int, links: int, workdir: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0",
           "CONTACTS_ENV": "production", "CONTACTS_BASE_URL": BASE_URL, "CONTACTS_RETENTION_DAILY": "false"}
    contacts(["migrate"], env, workdir)
    for language in ("fr", "en"):
        (workdir / f"body-{language}.md").write_text(body(language, links), encoding="utf-8")
    created = contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                        "--subject-fr", "La lettre", "--body-fr", str(workdir / "body-fr.md"),
                        "--subject-en", "The letter", "--body-en", str(workdir / "body-en.md")], env, workdir)
    campaign_id = int(created.strip().splitlines()[-1])
    tokens = workdir / f"clicks-{engine}.txt"
    tokens.write_text("\n".join(click_paths(campaign_id, links)) + "\n")
    script = workdir / "clicks.lua"
    script.write_text(LUA)
    print(f"\n{engine}: {2 * links} links (French and English), {connections} connections, {seconds} s each")
    server = serve(env, workdir, port)
    try:
        url = f"http://127.0.0.1:{port}"
        wrk(f"{url}/health", connections, 2)  # warm up
        limit = wrk(f"{url}/health", connections, seconds)
        before, _ = counted(database_url, campaign_id)
        follow = wrk(url, connections, seconds, script, tokens)
    finally:
        server.terminate()  # SIGTERM at once: what the counter holds is written as the server stops
        server.wait()
    clicks, rows = counted(database_url, campaign_id)
    clicks -= before
    print(f"  limit: GET /health      {limit['rps']:8,.0f} requests/s  p50 {limit['p50']:6.1f} ms  "
          f"p99 {limit['p99']:6.1f} ms  errors {limit['errors']:.0f}")
    print(f"  GET /l/{{token}}          {follow['rps']:8,.0f} requests/s  p50 {follow['p50']:6.1f} ms  "
          f"p99 {follow['p99']:6.1f} ms  errors {follow['errors']:.0f}")
    print(f"  ratio {follow['rps'] / limit['rps']:.2f}")
    # Exact: every answer wrk read was counted, and nothing beyond what it sent. Between the two are requests
    # in flight when wrk stopped: answered (and counted) after it stopped reading, or never read by the server.
    exact = follow["requests"] <= clicks <= follow["sent"]
    print(f"  counted after SIGTERM: {clicks:,} clicks in {rows} rows; wrk read {follow['requests']:,.0f} answers "
          f"and sent {follow['sent']:,.0f} requests: {'exact' if exact else 'NOT EXACT'} "
          f"({clicks - follow['requests']:+,.0f} answered after wrk stopped reading, "
          f"{follow['sent'] - clicks:,.0f} never reached a handler)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--links", type=int, default=10, help="links per language")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    print(f"cores: {os.cpu_count()}; ratio = /l/ requests/s ÷ /health requests/s on the same server")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'clicks.db'}", 16, args.seconds, args.links, workdir)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_clicks_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, 64, args.seconds, args.links, workdir)


if __name__ == "__main__":
    main()
