"""Wrong sign-ins against the rest of the server: `GET /health` latency of `contacts serve` while 30 wrong
passwords arrive on `POST /staff/login` within 4 s, against the limit measured in the same run on the same
server: `/health` with nothing else to do.

    .venv/bin/python bench/login_burst.py [--attempts 30] [--seconds 4] [--engine sqlite|postgresql|both]

One client asks `/health` every 10 ms on one connection, one request at a time, first idle and then while the
sign-ins arrive, evenly spread, until the last is answered. Each sign-in comes from its own loopback address
(127.0.0.2, 127.0.0.3, …), as a spread-out guesser's would, so that the per-address limit of 10 a minute
lets every one reach argon2. Figures are printed, never asserted; the aim is a /health p99 under 20 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, free_port, percentile, serve  # noqa: E402

PROBE_EVERY = 0.010
PASSWORD = "correct horse battery staple"


async def probe_health(port: int, until: asyncio.Event) -> list[float]:
    """Milliseconds of each `GET /health` on one keep-alive connection, until the event is set."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET /health HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
    latencies = []
    try:
        while not until.is_set():
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            await asyncio.sleep(PROBE_EVERY)
    finally:
        writer.close()
    return latencies


def sign_in_client(port: int, number: int) -> httpx.AsyncClient:
    """A client on its own loopback address. Made before the clock runs: making one (its TLS context) takes
    tens of milliseconds of this process's loop, which the /health probe shares."""
    transport = httpx.AsyncHTTPTransport(local_address=f"127.0.0.{2 + number % 250}")
    return httpx.AsyncClient(transport=transport, base_url=f"http://127.0.0.1:{port}", timeout=60)


async def wrong_sign_in(client: httpx.AsyncClient, number: int, csrf_cookie: str, csrf_token: str) -> tuple[int, float]:
    """A wrong password; the answer's status and milliseconds."""
    async with client:
        start = time.perf_counter()
        answer = await client.post("/staff/login", headers={"Cookie": f"contacts_csrf={csrf_cookie}"}, data={
            "_csrf_token": csrf_token, "username": "camille" if number % 2 else "nobody",
            "password": f"guess {number}"})
        return answer.status_code, (time.perf_counter() - start) * 1000


async def measure(port: int, attempts: int, seconds: float) -> dict[str, list[float]]:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
        page = await client.get("/staff/login")
    csrf_cookie = re.search(r"contacts_csrf=([^;]+)", page.headers["set-cookie"]).group(1)
    csrf_token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)
    clients = [sign_in_client(port, number) for number in range(attempts)]

    done = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, done.set)
    idle = await probe_health(port, done)

    done = asyncio.Event()
    probing = asyncio.create_task(probe_health(port, done))
    sign_ins = []
    for number in range(attempts):
        sign_ins.append(asyncio.create_task(wrong_sign_in(clients[number], number, csrf_cookie, csrf_token)))
        await asyncio.sleep(seconds / attempts)
    answers = await asyncio.gather(*sign_ins)
    done.set()
    statuses = sorted({status for status, _ in answers})
    if statuses != [401]:
        raise SystemExit(f"the sign-ins were answered {statuses}, not all 401: the bench measures nothing")
    return {"idle": idle, "burst": await probing, "sign_ins": [ms for _, ms in answers]}



def bench(engine: str, database_url: str, attempts: int, seconds: float, workdir: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_ENV": "production",
           "CONTACTS_BASE_URL": "https://contacts.example", "CONTACTS_RETENTION_DAILY": "false"}
    contacts(["migrate"], env, workdir)
    _create_user(env, workdir)
    server = serve(env, workdir, port)
    try:
        figures = asyncio.run(measure(port, attempts, seconds))
    finally:
        server.terminate()
        server.wait()
    idle, burst, sign_ins = figures["idle"], figures["burst"], figures["sign_ins"]
    print(f"\n{engine}: {attempts} wrong sign-ins in {seconds:g} s, /health every {PROBE_EVERY * 1000:.0f} ms")
    for label, values in (("limit: GET /health idle      ", idle), ("GET /health during the burst ", burst)):
        print(f"  {label} {len(values):5d} requests  p50 {statistics.median(values):6.1f} ms  "
              f"p99 {percentile(values, 0.99):6.1f} ms  max {max(values):6.1f} ms")
    print(f"  POST /staff/login (401)       {len(sign_ins):5d} requests  p50 {statistics.median(sign_ins):6.1f} ms  "
          f"max {max(sign_ins):6.1f} ms")
    print(f"  ratio p99 {percentile(burst, 0.99) / percentile(idle, 0.99):.2f}  "
          f"p50 {statistics.median(burst) / statistics.median(idle):.2f}  (target: /health p99 under 20 ms)")


def _create_user(env: dict[str, str], workdir: Path) -> None:
    subprocess.run([sys.executable, "-m", "contacts", "user", "create", "camille", "--role", "communications"],
                   env=env, cwd=workdir, input=PASSWORD + "\n", capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attempts", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=4)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; ratio = /health during the burst ÷ /health idle on the same server")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'login.db'}", args.attempts, args.seconds, workdir)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_login_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.attempts, args.seconds, workdir)


if __name__ == "__main__":
    main()
