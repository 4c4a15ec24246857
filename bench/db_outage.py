"""A database restart in the middle of a campaign: `contacts worker` (or `contacts campaign send`) sends to N
contacts through a TCP proxy in front of PostgreSQL, which cuts every connection and refuses new ones for
`--outage` seconds once a quarter is sent, then lets them through again. The real server is never touched.

    .venv/bin/python bench/db_outage.py [--count 20000] [--outage 20] [--command worker|send]

Prints, per recipient counted at the SMTP sink, how many got nothing (lost) or more than one message
(doubled, and whether a repeat was the same Message-ID), against the limit of the messages in flight (the
sender's consumers); the time from the database's return to the next message sent, against the longest
retry delay; the ledger's counts and what the sender said. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]
from common import SECRET, PostgresDatabase, contacts, free_port, generate  # noqa: E402

from tests.sending.db_proxy import DatabaseProxy  # noqa: E402

CONCURRENCY = 8
MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.MULTILINE | re.IGNORECASE)


class CountingSink:
    """An aiosmtpd server in a thread that keeps, per recipient, the Message-IDs it accepted, and when."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.by_recipient: dict[str, list[bytes]] = defaultdict(list)
        self.times: list[float] = []
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):
        found = MESSAGE_ID.search(envelope.original_content or b"")
        with self.lock:
            self.by_recipient[envelope.rcpt_tos[0]].append(found.group(1) if found else b"")
            self.times.append(time.monotonic())
        return "250 OK"

    def received(self) -> int:
        with self.lock:
            return len(self.times)

    def first_after(self, moment: float) -> float | None:
        with self.lock:
            return next((at for at in self.times if at > moment), None)


def start_campaign(database_url: str, campaign_id: int) -> None:
    """As the API and the staff pages do; `contacts worker` then sends it."""
    os.environ.update(CONTACTS_DATABASE_URL=database_url, CONTACTS_SECRET_KEY=SECRET)
    from contacts.db.engine import connected
    from contacts.sending.worker import start_campaign as start

    async def run() -> None:
        async with connected():
            await start(campaign_id)

    asyncio.run(run())


def bench(count: int, outage: float, command: str, workdir: Path, csv_path: Path, database_url: str) -> None:
    from contacts.sending.worker import MESSAGES_PER_CONNECTION

    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    contacts(["migrate"], env, workdir)
    contacts(["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"],
             env, workdir)
    campaign_id = contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                            "--subject", "La lettre", "--missing-language", "other"], env, workdir).split()[-1]
    processes = 1 if command == "worker" else max(1, min(os.cpu_count() or 1, 2))
    if command == "worker":
        start_campaign(database_url, int(campaign_id))
        args = ["worker", "--once", "--concurrency", str(CONCURRENCY)]
    else:
        args = ["campaign", "send", campaign_id, "--processes", str(processes),
                "--concurrency", str(CONCURRENCY // processes)]
    sink = CountingSink()
    sink.controller.start()
    print(f"\n`contacts {' '.join(args[:2])}`: {count:,} recipients, {CONCURRENCY} SMTP connections in all; "
          f"PostgreSQL cut for {outage:g} s once a quarter is sent")
    try:
        with DatabaseProxy(database_url) as proxy:
            started = time.monotonic()
            sender = subprocess.Popen([sys.executable, "-m", "contacts", *args], cwd=workdir, text=True,
                                      env={**env, "CONTACTS_DATABASE_URL": proxy.url,
                                           "CONTACTS_SMTP_URL": f"smtp://127.0.0.1:{sink.port}"},
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            while sink.received() < count // 4 and sender.poll() is None:
                time.sleep(0.01)
            proxy.cut()
            cut_at, at_cut = time.monotonic(), sink.received()
            time.sleep(outage)
            during = sink.received() - at_cut
            proxy.let_through()
            back_at = time.monotonic()
            stdout, stderr = sender.communicate(timeout=600)
            ended = time.monotonic()
    finally:
        sink.controller.stop()
    report(count, sink, sender.returncode, stdout, stderr, during, back_at - cut_at, sink.first_after(back_at),
           back_at, ended - started, CONCURRENCY * MESSAGES_PER_CONNECTION)
    print("  ledger: " + ", ".join(line.strip() for line in contacts(["campaign", "status", campaign_id], env,
                                                                        workdir).splitlines()[1:6]))


def report(count, sink, returncode, stdout, stderr, during, outage, resumed_at, back_at, seconds, in_flight) -> None:
    from contacts.outages import LONGEST_DELAY_SECONDS

    counts = Counter({recipient: len(ids) for recipient, ids in sink.by_recipient.items()})
    lost = count - len(counts)
    doubled = [ids for ids in sink.by_recipient.values() if len(ids) > 1]
    other_ids = sum(1 for ids in doubled if len(set(ids)) > 1)
    said = [line for line in stderr.splitlines() if line.strip()]
    print(f"  exit status {returncode} after {seconds:.1f} s; {sum(counts.values()):,} messages received, "
          f"{during} of them during the cut (in flight at its start)")
    print(f"  lost: {lost}   doubled: {len(doubled)} (with another Message-ID: {other_ids}); "
          f"limit: the messages in flight, {in_flight}")
    if resumed_at is None:
        print("  nothing sent after the database came back")
    else:
        resume = resumed_at - back_at
        print(f"  time to resume: {resume:.1f} s from the database's return to the next message "
              f"(ratio {resume / LONGEST_DELAY_SECONDS:.2f} against the longest retry delay, "
              f"{LONGEST_DELAY_SECONDS:g} s); cut lasted {outage:.1f} s")
    tracebacks = sum("Traceback" in line for line in said)
    print(f"  the sender said {len(said)} lines on stderr ({tracebacks} tracebacks), last: "
          f"{said[-1][:110] if said else '-'}")
    print(f"  stdout: {stdout.strip().splitlines()[0] if stdout.strip() else '-'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--outage", type=float, default=20.0, help="seconds the database stays away")
    parser.add_argument("--command", choices=("worker", "send"), default="worker")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "contacts.csv"
        generate(csv_path, args.count)
        with PostgresDatabase(f"contacts_bench_outage_{os.getpid()}") as database:
            bench(args.count, args.outage, args.command, workdir, csv_path, database.url)


if __name__ == "__main__":
    main()
