"""Serving a media-library image against the limit measured in the same run on the same server: `GET /health`
(one query, a small JSON body).

    .venv/bin/python bench/media.py [--requests 2000] [--engine sqlite|postgresql|both]

`contacts media add` stores a 1,200 × 800 photograph (about 100 KB once re-encoded); one client then asks, on one
keep-alive connection, one request at a time and interleaved: `GET /health`, `GET /media/<name>` (the image's
bytes, read from the database), and the same with `If-None-Match` (a cache revalidating: 304, no body).
It prints each one's p50 and p99 latency and their ratios to /health, and the upload's duration through the
command. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, free_port, percentile, serve  # noqa: E402

BASE_URL = "https://contacts.example"


def photograph(path: Path) -> None:
    """A 3,000 × 2,000 JPEG with detail, as a camera would give (resized to 1,200 px on upload)."""
    from PIL import Image, ImageFilter

    noise = Image.effect_noise((3000, 2000), 40).filter(ImageFilter.GaussianBlur(2))
    gradient = Image.linear_gradient("L").resize((3000, 2000))
    Image.merge("RGB", (gradient, noise, gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT))).save(
        path, "JPEG", quality=92)


async def timed(reader, writer, request: bytes) -> tuple[float, int, bytes]:
    start = time.perf_counter()
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    match = re.search(rb"(?i)content-length:\s*(\d+)", head)
    body = await reader.readexactly(int(match.group(1))) if match else b""
    status = int(head.split(b" ", 2)[1])
    return (time.perf_counter() - start) * 1000, status, body


async def measure(port: int, path: str, requests: int) -> dict[str, list[float]]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    host = f"Host: 127.0.0.1:{port}\r\n"
    health = f"GET /health HTTP/1.1\r\n{host}\r\n".encode()
    image = f"GET {path} HTTP/1.1\r\n{host}\r\n".encode()
    _, status, body = await timed(reader, writer, image)
    etag = path.rsplit("/", 1)[1].split(".")[0]
    revalidate = f'GET {path} HTTP/1.1\r\n{host}If-None-Match: "{etag}"\r\n\r\n'.encode()
    if status != 200 or not body:
        raise SystemExit(f"GET {path} answered {status}: the bench measures nothing")
    size = len(body)
    figures: dict[str, list[float]] = {"GET /health (limit)": [], f"GET /media/… ({size // 1024} KB)": [],
                                       "GET /media/… If-None-Match (304)": []}
    try:
        for _ in range(requests):
            for (label, values), request, expected in zip(figures.items(), (health, image, revalidate), (200, 200, 304)):
                milliseconds, status, _ = await timed(reader, writer, request)
                if status != expected:
                    raise SystemExit(f"{label} answered {status}, not {expected}")
                values.append(milliseconds)
    finally:
        writer.close()
    return figures


def bench(engine: str, database_url: str, requests: int, workdir: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_ENV": "production", "CONTACTS_BASE_URL": BASE_URL,
           "CONTACTS_RETENTION_DAILY": "false", "CONTACTS_PUBLIC_RATE_LIMIT": "0"}
    contacts(["migrate"], env, workdir)
    photograph(workdir / "photo.jpg")
    start = time.perf_counter()
    url = contacts(["media", "add", "photo.jpg", "--alt", "Une photographie"], env, workdir).strip().splitlines()[-1]
    added = time.perf_counter() - start
    server = serve(env, workdir, port)
    try:
        figures = asyncio.run(measure(port, url.removeprefix(BASE_URL), requests))
    finally:
        server.terminate()
        server.wait()
    limit = figures["GET /health (limit)"]
    print(f"\n{engine}: {requests} rounds on one connection; `contacts media add` of a 3,000 × 2,000 JPEG: "
          f"{added:.2f} s (the command's start-up included)")
    for label, values in figures.items():
        print(f"  {label:36s} p50 {statistics.median(values):6.2f} ms  p99 {percentile(values, 0.99):6.2f} ms  "
              f"ratio p50 {statistics.median(values) / statistics.median(limit):5.2f}  "
              f"p99 {percentile(values, 0.99) / percentile(limit, 0.99):5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; ratio = the route's latency ÷ /health's, on the same server and connection")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'media.db'}", args.requests, workdir)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_media_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.requests, workdir)


if __name__ == "__main__":
    main()
