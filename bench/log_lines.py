"""How many log lines a campaign costs: `contacts serve` in development (SQLite, its mail catcher, its own
sender: CONTACTS_SERVE_SENDS) sends a campaign of N messages, and its standard error is counted, at the
default level and, as the limit measured in the same run, at CONTACTS_LOG_LEVEL=debug, which shows what every
line of the libraries' chatter (the mail catcher's SMTP dialogue above all) would be, as before contacts.logs.

    .venv/bin/python bench/log_lines.py [--count 1600]

Prints the lines of each run, per 1,000 messages, the ratio of the default to the debug level, the loggers that
wrote the default run's lines, and whether an address of the audience appears in either. Figures are printed,
never asserted; the quiet run's lines do not grow with N (tests/web/test_logs_privacy.py checks the one line
a sending run writes).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, contacts, free_port, generate  # noqa: E402

BEFORE = (8_285, 1_600)  # lines and messages, as issue 25 counted them on uvicorn's and Litestar's own set-up
# Makes the campaign running, as the staff pages and the API do; the server's sender then sends it.
START = "import asyncio, sys\nfrom contacts.cli.runner import run\nfrom contacts.sending.worker import start_campaign\n" \
        "run(lambda: start_campaign(int(sys.argv[1])))\n"


def one_run(level: str, count: int, workdir: Path, csv_path: Path) -> tuple[list[str], float]:
    """The server's stderr lines while it sends the campaign, and how long the sending took."""
    workdir.mkdir()
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": f"sqlite:///{workdir / 'contacts.db'}", "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_MAIL_CATCHER_PORT": str(free_port()), "CONTACTS_SERVE_SENDS": "true", "CONTACTS_LOG_LEVEL": level,
           "CONTACTS_BASE_URL": f"http://127.0.0.1:{port}", "CONTACTS_LANGUAGE": "en"}
    for name in ("CONTACTS_SMTP_URL", "CONTACTS_LOG_FORMAT"):
        env.pop(name, None)
    contacts(["migrate"], env, workdir)
    contacts(["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"],
             env, workdir)
    campaign_id = contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                            "--subject", "La lettre", "--missing-language", "other"], env, workdir).split()[-1]
    log_path = workdir / "serve.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "contacts", "serve", "--port", str(port)], env=env,
                                  cwd=workdir, stdout=subprocess.DEVNULL, stderr=log)
    try:
        serve_ready(port)
        began = time.monotonic()
        subprocess.run([sys.executable, "-c", START, campaign_id], env=env, cwd=workdir, check=True)
        while "finished" not in contacts(["campaign", "status", campaign_id], env, workdir):
            if time.monotonic() - began > 900 or server.poll() is not None:
                raise SystemExit(f"the campaign did not finish; see {log_path}")
            time.sleep(0.5)
        took = time.monotonic() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    return log_path.read_text(errors="replace").splitlines(), took


def serve_ready(port: int) -> None:
    import socket

    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("contacts serve did not start")


def logger_of(line: str) -> str | None:
    """`2026-12-07T00:12:03Z INFO contacts.sending …` → `contacts.sending`; None for a traceback's line."""
    parts = line.split(" ", 3)
    return parts[2] if len(parts) > 3 and parts[0].endswith("Z") else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1600, help="messages in the campaign")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="contacts-log-lines-") as folder:
        root = Path(folder)
        addresses = generate(root / "audience.csv", args.count)
        runs = {level: one_run(level, args.count, root / level, root / "audience.csv") for level in ("debug", "info")}
    per_thousand = {level: len(lines) * 1000 / args.count for level, (lines, _) in runs.items()}
    print(f"log lines of `contacts serve` sending a campaign of {args.count:,} messages through its mail catcher")
    for level, (lines, took) in runs.items():
        leaked = len(set(addresses) & set(re.findall(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", "\n".join(lines))))
        print(f"  CONTACTS_LOG_LEVEL={level:<5}: {len(lines):>7,} lines, {per_thousand[level]:>8.1f} per 1,000 messages"
              f" (sent in {took:.0f} s; addresses of the audience in them: {leaked})")
    quiet, limit = len(runs["info"][0]), len(runs["debug"][0])
    print(f"  default / debug (the limit, measured in the same run): {quiet:,} / {limit:,} = {quiet / limit:.2e}")
    print(f"  before contacts.logs (issue 25): {BEFORE[0]:,} lines for {BEFORE[1]:,} messages, "
          f"{BEFORE[0] * 1000 / BEFORE[1]:,.1f} per 1,000")
    for level, (lines, _) in runs.items():
        print(f"  the {level} run's lines by logger: " + ", ".join(
            f"{name} {number:,}" for name, number in Counter(logger_of(line) or "(traceback)"
                                                             for line in lines).most_common(6)))


if __name__ == "__main__":
    main()
