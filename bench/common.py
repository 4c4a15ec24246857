"""Helpers shared by the bench scripts."""

from __future__ import annotations

import asyncio
import csv
import os
import random
import socket
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ADMIN_URL = os.environ.get("CONTACTS_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SECRET = "bench-secret-key-0123456789"


FIRST = ["Jean", "Marie", "Émile", "Hélène", "François", "Zoé", "Loïc", "Anaïs", "Noël", "Chloé", "Paul", "Inès"]
LAST = ["Dupont", "Durand", "Lefèvre", "Moreau", "Girard", "Bonnaud", "Fournier", "Mercier", "Gauthier", "Perrin"]
ORGS = ["Le Monde", "Libération", "Le Figaro", "France Culture", "Télérama", "Les Échos", "Ouest-France", "AFP"]
DOMAINS = ["lemonde.fr", "liberation.fr", "lefigaro.fr", "radiofrance.com", "telerama.fr", "lesechos.fr", "afp.com"]


def generate(path: Path, rows: int) -> list[str]:
    random.seed(42)
    addresses = []
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["email", "prénom", "nom", "société", "fonction", "téléphone", "langue"])
        for i in range(rows):
            first, last = random.choice(FIRST), random.choice(LAST)
            # Addresses are ASCII, as nearly all are: an accented local part needs SMTPUTF8.
            address = f"{_ascii(first)}.{_ascii(last)}.{i}@{random.choice(DOMAINS)}"
            addresses.append(address)
            writer.writerow([address, first, last, random.choice(ORGS), "Journaliste",
                             f"+33 1 {random.randint(10, 99)} {random.randint(10, 99)} {random.randint(10, 99)} {i % 100:02d}",
                             random.choice(["fr", "en"])])
    return addresses


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def free_port() -> int:
    """A TCP port nobody listens on now, for a sink or a server of the bench."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(env: dict[str, str], workdir: Path, port: int, workers: int = 1) -> subprocess.Popen:
    """`contacts serve` on that port, once it takes connections."""
    command = [sys.executable, "-m", "contacts", "serve", "--port", str(port)]
    if workers > 1:
        command += ["--workers", str(workers)]
    process = subprocess.Popen(command, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            time.sleep(0.1)
    raise SystemExit("contacts serve did not start")


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (NaN for no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                total += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/task/{current}/children") as children:
                stack.extend(int(child) for child in children.read().split())
        except OSError:
            continue  # it ended between two reads
    return total / 2**20


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_mib: float  # peak resident memory of the process tree
    cpu_seconds: float  # user and system CPU of the process and of the helpers it waited for
    returncode: int
    stderr: str


def run_measured(args: list[str], env: dict[str, str], cwd: Path) -> Measured:
    """Time, memory and CPU of a `contacts` command."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "contacts", *args], env=env, cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0.0
    while True:
        peak = max(peak, tree_rss_mib(process.pid))
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.2)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return Measured(seconds, peak, usage.ru_utime + usage.ru_stime, process.returncode, process.stderr.read())


def process_cpu_seconds(pid: int, *, with_reaped_children: bool = False) -> float:
    """User and system CPU of a running process, from /proc; with its reaped children's if asked."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if with_reaped_children:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU of every PostgreSQL process on the machine, ended backends included (the postmaster reaps them)."""
    total = 0.0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() != "postgres":
                        continue
            except OSError:
                continue
            total += process_cpu_seconds(int(entry), with_reaped_children=True)
    return total


def contacts(args: list[str], env: dict[str, str], cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "contacts", *args], env=env, cwd=cwd, capture_output=True,
                            text=True, check=True)
    return result.stdout


async def _admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


class PostgresDatabase:
    """A throw-away PostgreSQL database for one bench run."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name

    def __enter__(self) -> PostgresDatabase:
        asyncio.run(_admin(f'CREATE DATABASE "{self.name}"'))
        return self

    def __exit__(self, *exc) -> None:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
