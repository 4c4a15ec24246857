"""Recipients while staff preview a large import, on SQLite: one-click unsubscribes (`POST /u/{token}`) and
signups (`POST /subscribe/public-newsletter`) arrive at a steady rate while a member of staff previews a
500,000-row CSV on `/staff/import/preview` of the same `contacts serve`.

    .venv/bin/python bench/import_alongside.py [--rows 500000] [--rate 40] [--idle-seconds 10]

The limit is the one-click latency measured in the same run on the same server with nothing else going on;
the figure is the one-click latency while the preview runs (the target: p99 under 500 ms). Requests go at a
fixed rate, each on its own, whatever the answers' delays (an open loop: a slow answer does not slow the
next request). The public and signup rate limits are turned off for the run: every request comes from one
address here. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, contacts, free_port, generate, percentile, serve  # noqa: E402
from unsubscribe import unsubscribe_paths  # noqa: E402

PASSWORD = "bench-password-0123456789"
EXISTING_ROWS = 5_000  # contacts already on the list: the one-click targets, and rows the preview finds


class Load:
    """Requests sent at a fixed rate; the latency of each, and the answers that were not 200."""

    def __init__(self, client: httpx.AsyncClient, rate: float) -> None:
        self.client = client
        self.rate = rate
        self.latencies: dict[str, list[float]] = {"one-click": [], "signup": []}
        self.errors: dict[str, list[str]] = {"one-click": [], "signup": []}
        self.sent = 0

    async def run_until(self, done: asyncio.Event, one_clicks: list[str]) -> None:
        tasks = set()
        start = time.perf_counter()
        while not done.is_set():
            # Eight one-clicks for each signup, at `rate` requests per second in all.
            if self.sent % 9 == 8:
                task = asyncio.create_task(self._one("signup", "/subscribe/public-newsletter", data={
                    "email": f"signup.{os.getpid()}.{self.sent}@example.org", "first_name": "Léa",
                    "last_name": "Martin", "language": "fr", "lists": ["public-newsletter"]}))
            else:
                path = one_clicks.pop()
                task = asyncio.create_task(self._one("one-click", path, data={"List-Unsubscribe": "One-Click"}))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            self.sent += 1
            await asyncio.sleep(max(0.0, start + self.sent / self.rate - time.perf_counter()))
        await asyncio.gather(*tasks)

    async def _one(self, kind: str, path: str, data: dict) -> None:
        began = time.perf_counter()
        try:
            answer = await self.client.post(path, data=data)
            if answer.status_code != 200:
                self.errors[kind].append(str(answer.status_code))
        except httpx.HTTPError as error:
            self.errors[kind].append(type(error).__name__)
        self.latencies[kind].append((time.perf_counter() - began) * 1000)



def line(label: str, load: Load, kind: str) -> str:
    values = load.latencies[kind]
    return (f"  {label:34} {len(values):6,} requests  p50 {percentile(values, 0.5):7.1f} ms  "
            f"p99 {percentile(values, 0.99):7.1f} ms  max {max(values, default=float('nan')):7.1f} ms  "
            f"errors {len(load.errors[kind])}{' ' + ','.join(sorted(set(load.errors[kind]))) if load.errors[kind] else ''}")


async def signed_in(client: httpx.AsyncClient) -> str:
    """Sign in as the bench's member of staff; returns the import form's CSRF token."""
    csrf = re.compile(r'name="_csrf_token" value="([^"]+)"')
    token = csrf.search((await client.get("/staff/login")).text).group(1)
    answer = await client.post("/staff/login", data={"_csrf_token": token, "username": "bench", "password": PASSWORD})
    assert answer.status_code == 303, answer.text
    return csrf.search((await client.get("/staff/import/")).text).group(1)


async def measure(url: str, csv_path: Path, one_clicks: list[str], rate: float, idle_seconds: float) -> None:
    limits = httpx.Limits(max_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as public, \
            httpx.AsyncClient(base_url=url, timeout=None) as staff:
        idle = Load(public, rate)
        stop = asyncio.Event()
        asyncio.get_running_loop().call_later(idle_seconds, stop.set)
        await idle.run_until(stop, one_clicks)

        token = await signed_in(staff)
        form = {"_csrf_token": token, "list_slug": "journalists", "source_type": "third_party", "source_name": "bench"}
        busy = Load(public, rate)
        finished = asyncio.Event()

        async def preview() -> tuple[float, int, str]:
            began = time.perf_counter()
            try:
                with open(csv_path, "rb") as handle:
                    answer = await staff.post("/staff/import/preview", data=form,
                                              files={"file": ("bench.csv", handle, "text/csv")})
                return time.perf_counter() - began, answer.status_code, answer.text
            finally:
                finished.set()

        (seconds, status, page), _ = await asyncio.gather(preview(), busy.run_until(finished, one_clicks))
    rows = re.search(r"(\d+) rows\.</p>", page)
    print(f"  preview: {seconds:.1f} s, answer {status}" + (f", {int(rows.group(1)):,} rows" if rows else ""))
    print(line("one-click, idle (the limit)", idle, "one-click"))
    print(line("one-click, during the preview", busy, "one-click"))
    print(line("signup, idle", idle, "signup"))
    print(line("signup, during the preview", busy, "signup"))
    p99_idle = percentile(idle.latencies["one-click"], 0.99)
    p99_busy = percentile(busy.latencies["one-click"], 0.99)
    print(f"  ratio: one-click p99 during ÷ idle = {p99_busy / p99_idle:.1f}; target p99 under 500 ms: "
          f"{p99_busy:.0f} ms ({p99_busy / 500:.2f} of it)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=500_000)
    parser.add_argument("--rate", type=float, default=40.0, help="recipients' requests per second")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "preview.csv"
        generate(csv_path, args.rows)
        with open(csv_path, encoding="utf-8") as whole:
            (workdir / "existing.csv").write_text("".join(next(whole) for _ in range(EXISTING_ROWS + 1)))
        database_url = f"sqlite:///{workdir / 'alongside.db'}"
        env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
               "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0",
               "CONTACTS_SIGNUP_RATE_LIMIT": "0", "CONTACTS_SIGNUP_CHECK_DNS": "false",
               "CONTACTS_ENV": "development", "CONTACTS_BASE_URL": "http://contacts.example",  # cookies over http
               "CONTACTS_RETENTION_DAILY": "false", "CONTACTS_SERVE_SENDS": "false"}
        contacts(["migrate"], env, workdir)
        contacts(["import", str(workdir / "existing.csv"), "--list", "journalists", "--source-type", "third-party",
                  "--source", "bench"], env, workdir)
        subprocess.run([sys.executable, "-m", "contacts", "user", "create", "bench", "--role", "communications"],
                       input=PASSWORD + "\n", env=env, cwd=workdir, check=True, capture_output=True, text=True)
        one_clicks = unsubscribe_paths(database_url) * 100  # each request for another recipient, mostly
        size = csv_path.stat().st_size / 2**20
        print(f"cores: {os.cpu_count()}; SQLite; {args.rows:,}-row preview ({size:.0f} MiB) beside "
              f"{args.rate:.0f} recipients' requests/s (8 one-clicks to 1 signup); {EXISTING_ROWS:,} contacts")
        port = free_port()
        server = serve(env, workdir, port)
        try:
            asyncio.run(measure(f"http://127.0.0.1:{port}", csv_path, one_clicks, args.rate, args.idle_seconds))
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
