"""A campaign's rate with two senders at once: `contacts campaign send ID --rate 50` and a `contacts worker`
beside it, both sending the same campaign, against an SMTP sink that notes each message's second. Prints
the messages per second measured at the sink, over the whole run and over every 10-second span, against
the 45 to 55 asked for (the rate within 10%), and what each sender sent.

    .venv/bin/python bench/shared_rate.py [--count 1500] [--rate 50] [--engine sqlite|postgresql|both]

The sink is Postfix's /usr/sbin/smtp-sink (Debian package postfix; the daemon is never started), dumping
each message to a file named by its second (`-d %H%M%S.`), or an aiosmtpd sink noting the same when
smtp-sink is missing. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts, free_port, generate  # noqa: E402

SPAN = 10  # seconds: the rate is to hold within 10% over any such span


def start_sink(port: int, dump: Path) -> subprocess.Popen:
    """A sink that leaves one file per message, named by the second it arrived (HHMMSS.)."""
    binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    if Path(binary).exists():
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        command = [binary, *user, "-d", f"{dump}/%H%M%S.", f"127.0.0.1:{port}", "256"]
        name = "smtp-sink"
    else:
        code = ("import asyncio, os, time\nfrom aiosmtpd.controller import Controller\n"
                "class Sink:\n    async def handle_DATA(self, s, ses, env):\n"
                f"        open(os.path.join({str(dump)!r}, time.strftime('%H%M%S.') + os.urandom(4).hex()), 'w')"
                ".close()\n        return '250 OK'\n"
                f"c = Controller(Sink(), hostname='127.0.0.1', port={port}); c.start()\n"
                "asyncio.get_event_loop().run_forever()\n")
        command, name = [sys.executable, "-c", code], "aiosmtpd sink"
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            print(f"  sink: {name} on port {port}")
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP sink did not start")


def per_second(dump: Path) -> list[int]:
    """Messages arrived in each second, from the first to the last (a run crossing midnight is not read)."""
    seconds = Counter(int(name[:2]) * 3600 + int(name[2:4]) * 60 + int(name[4:6]) for name in os.listdir(dump))
    first, last = min(seconds), max(seconds)
    return [seconds.get(second, 0) for second in range(first, last + 1)]


def bench(engine: str, database_url: str, count: int, rate: int, workdir: Path, csv_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": f"smtp://127.0.0.1:{port}", "CONTACTS_SENDING_WINDOWS": "false"}
    contacts(["migrate"], env, workdir)
    contacts(["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"],
             env, workdir)
    campaign_id = contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                            "--subject", "La lettre", "--body", str(workdir / "body.md"), "--missing-language",
                            "other"], env, workdir).split()[-1]
    dump = Path(tempfile.mkdtemp(prefix="contacts-bench-sink-", dir="/tmp"))
    dump.chmod(0o777)  # smtp-sink writes as nobody
    print(f"\n{engine}: {count:,} recipients at --rate {rate}, two senders: `campaign send` and `contacts worker`")
    sink = start_sink(port, dump)
    command = [sys.executable, "-m", "contacts"]
    try:
        worker = subprocess.Popen([*command, "worker", "--poll", "0.5"], env=env, cwd=workdir,
                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        send = subprocess.run([*command, "campaign", "send", campaign_id, "--rate", str(rate), "--yes",
                               "--processes", "1"], env=env, cwd=workdir, capture_output=True, text=True)
        worker.send_signal(signal.SIGTERM)
        worker_output, _ = worker.communicate(timeout=60)
        if send.returncode != 0:
            print(send.stderr, file=sys.stderr)
        for name, output in (("campaign send", send.stdout), ("contacts worker", worker_output)):
            line = next((line for line in output.splitlines() if line.startswith("this run:")), "(nothing printed)")
            print(f"  {name}: {line}")
        counts = per_second(dump)
        total = sum(counts)
        # The first and last seconds are partial: the spans are read between them.
        inner = counts[1:-1]
        spans = [sum(inner[start:start + SPAN]) / SPAN for start in range(0, len(inner) - SPAN + 1)]
        print(f"  at the sink: {total:,} messages over {len(counts)} s; whole seconds between the first and last: "
              f"{sum(inner) / max(1, len(inner)):.1f} messages/s")
        if spans:
            low, high = rate * 0.9, rate * 1.1
            inside = sum(1 for value in spans if low <= value <= high)
            print(f"  every {SPAN}-second span ({len(spans)}): min {min(spans):.1f}, max {max(spans):.1f} messages/s; "
                  f"{inside} of {len(spans)} within {low:.0f}-{high:.0f} (the limit)")
    finally:
        sink.terminate()
        sink.wait()
        shutil.rmtree(dump, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1500)
    parser.add_argument("--rate", type=int, default=50)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; limit: {args.rate * 0.9:.0f} to {args.rate * 1.1:.0f} messages/s over any "
          f"{SPAN} s at the sink")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "contacts.csv"
        generate(csv_path, args.count)
        (workdir / "body.md").write_text("Premier paragraphe.\n\nSecond paragraphe.\n", encoding="utf-8")
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'rate.db'}", args.count, args.rate, workdir, csv_path)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_rate_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.count, args.rate, workdir, csv_path)


if __name__ == "__main__":
    main()
