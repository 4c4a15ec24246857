"""Does the signup answer's time tell whether an address is new (REQ-25)? `contacts serve` on SQLite answers
POST /subscribe/public-newsletter for addresses nobody has asked for and for addresses already subscribed,
interleaved, one at a time, on one kept-alive connection, with a pause between requests so that each answer
is timed on an idle server (the work done after an answer would otherwise fall in the next one's time).

    .venv/bin/python bench/signup_timing.py [--samples 60] [--pause 0.1] [--engine sqlite|postgresql|both]

Prints each kind's median and the ratio new ÷ subscribed, against the limit measured in the same run: the
ratio between two halves of the subscribed addresses, which do the same work, so their ratio is the noise.
The rate limits are off for the run (every request comes from one address), and mail goes nowhere (the
confirmation is sent after the answer in any case). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, free_port, serve  # noqa: E402

FORM = {"first_name": "Léa", "last_name": "Martin", "language": "fr", "lists": "public-newsletter"}



def subscribed_csv(path: Path, count: int) -> list[str]:
    addresses = [f"known{n}@example.org" for n in range(count)]
    lines = ["email;consent_at;consent_channel;notice_version;confirmed_at"]
    lines += [f"{address};2026-11-01T10:00:00+00:00;web_form;2026-11;2026-11-01T10:05:00+00:00"
              for address in addresses]
    path.write_text("\n".join(lines) + "\n")
    return addresses


def timed_post(client: httpx.Client, address: str, pause: float) -> float:
    time.sleep(pause)
    start = time.perf_counter()
    answer = client.post("/subscribe/public-newsletter", data={**FORM, "email": address})
    elapsed = (time.perf_counter() - start) * 1000
    if answer.status_code != 200:
        raise SystemExit(f"unexpected answer {answer.status_code} for {address}")
    return elapsed


def bench(engine: str, database_url: str, samples: int, pause: float, workdir: Path) -> None:
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0",
           "CONTACTS_SIGNUP_RATE_LIMIT": "0", "CONTACTS_SIGNUP_CHECK_DNS": "false",
           "CONTACTS_RETENTION_DAILY": "false", "CONTACTS_SERVE_SENDS": "false"}
    contacts(["migrate"], env, workdir)
    known = subscribed_csv(workdir / "known.csv", samples * 2)
    contacts(["import", str(workdir / "known.csv"), "--list", "public-newsletter", "--source-type", "given",
              "--source", "bench"], env, workdir)
    port = free_port()
    server = serve(env, workdir, port)
    times: dict[str, list[float]] = {"new": [], "subscribed A": [], "subscribed B": []}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            for n in range(min(20, len(known))):  # warm up: both kinds, not counted
                timed_post(client, f"warm{n}@example.org", pause)
                timed_post(client, known[n], pause)
            for n in range(samples):
                times["new"].append(timed_post(client, f"new{n}@example.org", pause))
                times["subscribed A"].append(timed_post(client, known[2 * n], pause))
                times["subscribed B"].append(timed_post(client, known[2 * n + 1], pause))
    finally:
        server.terminate()
        server.wait()
    medians = {kind: statistics.median(values) for kind, values in times.items()}
    subscribed = statistics.median(times["subscribed A"] + times["subscribed B"])
    print(f"\n{engine}: {samples} samples of each kind, {pause * 1000:.0f} ms apart")
    for kind, median in medians.items():
        print(f"  median {kind:<13} {median:6.2f} ms")
    halves = (medians["subscribed A"], medians["subscribed B"])
    noise = max(halves) / min(halves)
    print(f"  ratio new ÷ subscribed {medians['new'] / subscribed:.3f}  "
          f"(limit, subscribed A ÷ B, the same work: {noise:.3f} either way)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=60)
    parser.add_argument("--pause", type=float, default=0.1, help="seconds between two requests")
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'signup.db'}", args.samples, args.pause, workdir)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_signup_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.samples, args.pause, workdir)


if __name__ == "__main__":
    main()
