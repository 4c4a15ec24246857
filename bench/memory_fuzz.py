"""Does a server's memory stay bounded under a fuzz? `contacts serve` on SQLite (development settings, the
mail catcher on, rate limits as shipped) gets requests from many client addresses (half the connections
come each from another 127.x.y.z, half from 127.0.0.1 claiming another address in X-Forwarded-For), to
varied paths with varied bodies: recipients' links with forged tokens, signups of new addresses, sign-in
pages and attempts, unknown paths, malformed forms, and one request in a hundred with a body of 2 to 8 MB.

    .venv/bin/python bench/memory_fuzz.py [--requests 50000] [--concurrency 32]

Prints the server's resident memory after start, after a first tenth of the requests (the warm-up: caches
filled, pools open), and after all of them, and the ratio of the growth over the rest against the warm-up's
size (a server that keeps something per request grows with the requests: 9 times the warm-up's growth if
it grows linearly). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import free_port, serve, tree_rss_mib  # noqa: E402

PREFIXES = ("/u/", "/o/", "/p/", "/confirm/", "/d/", "/rsvp/")



def a_request(n: int, rng: random.Random) -> bytes:
    kind = n % 8
    if n % 100 == 99:
        body = b"email=" + b"x" * rng.randrange(2_000_000, 8_000_000)
        head = f"POST {rng.choice(('/rights', '/subscribe/public-newsletter', '/staff/login'))} HTTP/1.1\r\n" \
               "Content-Type: application/x-www-form-urlencoded\r\n"
        return (head + f"Host: bench\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode() + body
    forwarded = f"X-Forwarded-For: 10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(256)}\r\n"
    if kind == 0:
        name = secrets.token_urlsafe(rng.randrange(1, 200))
        body = (f"email=fuzz{n}.{secrets.token_hex(3)}%40example.org&first_name={name}"
                "&lists=public-newsletter&language=fr").encode()
        head = "POST /subscribe/public-newsletter HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    elif kind == 1:
        body = (b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n" + os.urandom(rng.randrange(1, 300))
                + b"\r\n--x--\r\n")
        head = f"POST {rng.choice(('/rights', '/subscribe/public-newsletter', '/staff/login'))} HTTP/1.1\r\n" \
               "Content-Type: multipart/form-data; boundary=x\r\n"
    elif kind == 2:
        body = f"username=u{n}&password={secrets.token_hex(8)}&_csrf_token={secrets.token_hex(16)}".encode()
        head = "POST /staff/login HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    elif kind == 3:
        body, head = b"", "GET /staff/login HTTP/1.1\r\n"
    elif kind == 4:
        body, head = b"", f"GET /{secrets.token_urlsafe(rng.randrange(1, 120))}?q={n} HTTP/1.1\r\n"
    else:
        body, head = b"", f"GET {rng.choice(PREFIXES)}{secrets.token_urlsafe(rng.randrange(8, 90))} HTTP/1.1\r\n"
    head += f"Host: bench\r\n{forwarded}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    return head.encode() + body


async def one(port: int, n: int, rng: random.Random) -> int:
    source = f"127.{1 + n // 65536 % 250}.{n // 256 % 256}.{1 + n % 250}" if n % 2 else "127.0.0.1"
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
    try:
        writer.write(a_request(n, rng))
        await writer.drain()
        status = (await reader.readline()).split(b" ")[1]
        await reader.read()
        return int(status)
    finally:
        writer.close()


async def fuzz(port: int, first: int, count: int, concurrency: int) -> dict[int, int]:
    rng, codes, queue = random.Random(first), {}, iter(range(first, first + count))

    async def worker() -> None:
        for n in queue:
            try:
                status = await one(port, n, rng)
            except (OSError, IndexError, ValueError):  # a server may close on a body it refuses
                status = 0
            codes[status] = codes.get(status, 0) + 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return codes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith("CONTACTS_")}
        env.update({"CONTACTS_DATABASE_URL": f"sqlite:///{workdir / 'fuzz.db'}", "CONTACTS_RETENTION_DAILY": "false",
                    "CONTACTS_MAIL_CATCHER_PORT": str(free_port()), "CONTACTS_BASE_URL": f"http://127.0.0.1:{port}"})
        server = serve(env, workdir, port)
        try:
            time.sleep(1)
            started = tree_rss_mib(server.pid)
            warm_up = args.requests // 10
            start = time.perf_counter()
            codes = asyncio.run(fuzz(port, 0, warm_up, args.concurrency))
            warmed = tree_rss_mib(server.pid)
            rest = asyncio.run(fuzz(port, warm_up, args.requests - warm_up, args.concurrency))
            seconds = time.perf_counter() - start
            time.sleep(1)
            finished = tree_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    for status, count in rest.items():
        codes[status] = codes.get(status, 0) + count
    print(f"{args.requests:,} requests in {seconds:.0f} s from as many client addresses; answers: "
          + ", ".join(f"{status or 'no answer'} × {count:,}" for status, count in sorted(codes.items())))
    print(f"  resident memory: {started:.0f} MiB after start, {warmed:.0f} MiB after {warm_up:,} requests, "
          f"{finished:.0f} MiB after {args.requests:,}")
    growth, warm_growth = finished - warmed, max(warmed - started, 0.1)
    print(f"  growth over the last {args.requests - warm_up:,} requests {growth:.0f} MiB; ratio against the "
          f"warm-up's growth {growth / warm_growth:.2f} (9 if it grew linearly)")


if __name__ == "__main__":
    main()
