"""Campaign sending speed: `contacts campaign send` of a newsletter to N contacts against a fast SMTP sink,
against the limit measured in the same run: raw aiosmtplib sending as many pre-rendered messages over the
same number of connections to the same sink.

    .venv/bin/python bench/send.py [--count 100000] [--concurrency 8] [--engine sqlite|postgresql|both]
                                   [--body newsletter|small]

The newsletter is what a museum sends: about 40 KB of HTML from Markdown with headings, 15 links, a button,
3 images and placeholders, and the first-name greeting; `--body small` sends two plain paragraphs instead.

The sink is Postfix's /usr/sbin/smtp-sink (Debian package postfix; the daemon is never started), or an
aiosmtpd sink when it is missing. Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # noqa: E402
    SECRET,
    PostgresDatabase,
    contacts,
    free_port,
    generate,
    postgres_cpu_seconds,
    process_cpu_seconds,
    run_measured,
)

from contacts.sending.processes import loop_factory  # noqa: E402


def start_sink(port: int) -> subprocess.Popen:
    if shutil.which("smtp-sink") or Path("/usr/sbin/smtp-sink").exists():
        binary = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
        user = ["-u", "nobody"] if os.geteuid() == 0 else []
        process = subprocess.Popen([binary, *user, f"127.0.0.1:{port}", "1024"], stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        name = "smtp-sink"
    else:
        code = ("import asyncio\nfrom aiosmtpd.controller import Controller\n"
                "class Sink:\n    async def handle_DATA(self, s, ses, env):\n        return '250 OK'\n"
                f"c = Controller(Sink(), hostname='127.0.0.1', port={port}); c.start()\n"
                "asyncio.get_event_loop().run_forever()\n")
        process = subprocess.Popen([sys.executable, "-c", code])
        name = "aiosmtpd sink"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            print(f"  sink: {name} on port {port}")
            return process
        except OSError:
            time.sleep(0.05)
    raise SystemExit("the SMTP sink did not start")


async def raw_aiosmtplib(port: int, messages: list[bytes], connections: int) -> float:
    """Messages per second of bare aiosmtplib: pre-rendered messages, one recipient each, N connections."""
    import aiosmtplib

    queue: asyncio.Queue = asyncio.Queue()
    for message in messages:
        queue.put_nowait(message)

    async def one_connection() -> None:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
        await client.connect()
        while not queue.empty():
            message = queue.get_nowait()
            await client.sendmail("bounces@musee.example", ["reader@example.org"], message)
        await client.quit()

    start = time.perf_counter()
    await asyncio.gather(*(one_connection() for _ in range(connections)))
    return len(messages) / (time.perf_counter() - start)


def sample_messages(env: dict[str, str], workdir: Path, campaign_id: str, count: int) -> list[bytes]:
    raw = contacts(["campaign", "preview", campaign_id, "--raw"], env, workdir).encode()
    return [raw] * count


SMALL_BODY = ("Paragraphe de la lettre, avec quelques phrases pour faire réaliste. " * 6 + "\n\n" +
              "Un second paragraphe, annonçant une exposition et son vernissage. " * 4)
MEDIA = "https://musee.example/media"


def newsletter_body() -> str:
    """A realistic December letter in Markdown: sections with headings, 15 links, 3 images, a button, an
    address on two lines, and placeholders."""
    sentence = ("L'exposition réunit des œuvres venues de collections publiques et privées, dont plusieurs "
                "sont montrées pour la première fois au public parisien. ")
    sections = ["Bonjour {first_name|à toutes et à tous},\n\nVoici les rendez-vous de décembre au musée, "
                "pour {organisation|votre rédaction}."]
    link = 0
    for number in range(1, 6):
        links = []
        for _ in range(3):
            link += 1
            links.append(f"[le dossier n° {link}](https://musee.example/presse/dossier-{link}?utm_source=lettre)")
        sections.append(f"## {number}. Un rendez-vous de décembre\n\n" + "\n\n".join([sentence * 4] * 9)
                        + f"\n\nÀ lire : {', '.join(links)}.\n\n- **Vernissage** : le {number} décembre à 19 h\n"
                        f"- *Visite de presse* : le {number + 1} décembre à 10 h\n\n> Une citation du commissaire,\n"
                        "> sur deux lignes.")
        if number <= 3:
            sections.append(f"![Affiche de l'exposition n° {number}]({MEDIA}/affiche-{number}-1200x1600.jpg)")
    sections.append("Ouvert de 10 h à 13 h\n19 rue de Vaugirard, 75006 Paris\n\n"
                    "[[Réserver une visite]](https://billetterie.musee.example/presse?jour=samedi)\n\n---\n\n"
                    "À bientôt, {title|} {last_name|}.")
    return "\n\n".join(sections) + "\n"


def bench(engine: str, database_url: str, count: int, concurrency: int, workdir: Path, csv_path: Path,
          body_kind: str = "newsletter") -> None:
    port = free_port()
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": f"smtp://127.0.0.1:{port}"}
    contacts(["migrate"], env, workdir)
    contacts(["import", str(csv_path), "--list", "journalists", "--source-type", "third-party", "--source", "bench"],
             env, workdir)
    body = workdir / "body.md"
    body.write_text(newsletter_body() if body_kind == "newsletter" else SMALL_BODY, encoding="utf-8")
    greeting = "first_name" if body_kind == "newsletter" else "none"
    campaign_id = contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                            "--subject", "La lettre de la communication", "--body", str(body), "--greeting", greeting,
                            "--missing-language", "other"],
                           env, workdir).split()[-1]
    print(f"\n{engine}: {count:,} recipients, {concurrency} connections in all, {body_kind} body")
    sink = start_sink(port)
    try:
        # The limit runs on the event loop the sender uses (uvloop where installed), over as many connections
        # as the sender opens in all: its processes share `concurrency` between them.
        messages = sample_messages(env, workdir, campaign_id, count)
        print(f"  message: {len(messages[0]):,} bytes as sent (HTML and text parts, quoted-printable)")
        loop_name = "uvloop" if loop_factory() else "asyncio"

        def measure_limit(when: str) -> float:
            sink_cpu, cpu = process_cpu_seconds(sink.pid), time.process_time()
            with asyncio.Runner(loop_factory=loop_factory()) as runner:
                limit = runner.run(raw_aiosmtplib(port, messages, concurrency))
            cpu, sink_cpu = time.process_time() - cpu, process_cpu_seconds(sink.pid) - sink_cpu
            print(f"  limit {when}: raw aiosmtplib on {loop_name}, pre-rendered: {limit:,.0f} messages/s; "
                  f"CPU per message: {per_message(cpu)} sender + {per_message(sink_cpu)} sink")
            limits_cpu.append(cpu)
            return limit

        def per_message(seconds: float) -> str:
            return f"{seconds / count * 1e6:,.0f} µs"

        # The limit is measured before and after the campaign, and the ratio taken against their mean: on a
        # shared machine, the speed of either moment alone drifts by a tenth or more.
        limits_cpu: list[float] = []
        before = measure_limit("before")
        processes = max(1, min(os.cpu_count() or 1, concurrency))
        sink_cpu, database_cpu = process_cpu_seconds(sink.pid), postgres_cpu_seconds()
        run = run_measured(
            ["campaign", "send", campaign_id, "--processes", str(processes),
             "--concurrency", str(max(1, concurrency // processes))], env, workdir
        )
        sink_cpu, database_cpu = process_cpu_seconds(sink.pid) - sink_cpu, postgres_cpu_seconds() - database_cpu
        if run.returncode != 0:
            print(run.stderr, file=sys.stderr)
        status = contacts(["campaign", "status", campaign_id], env, workdir)
        sent = int(next(line for line in status.splitlines() if line.strip().startswith("sent:")).split()[-1])
        rate = sent / run.seconds
        print(f"  contacts campaign send: {sent:,} sent in {run.seconds:.1f} s = {rate:,.0f} messages/s "
              f"(audience building included)  peak RSS {run.peak_mib:,.0f} MiB")
        database = f" + {per_message(database_cpu)} PostgreSQL" if engine == "PostgreSQL" else ""
        campaign_cpu = run.cpu_seconds + sink_cpu + (database_cpu if database else 0.0)
        print(f"    CPU per message: {per_message(run.cpu_seconds)} senders + {per_message(sink_cpu)} sink{database}"
              f" = {per_message(campaign_cpu)}")
        limit = (before + measure_limit("after")) / 2
        print(f"  ratio {rate / limit:.2f} (against the mean limit, {limit:,.0f} messages/s)")
        # The machine's speed drifts from one moment to the next; CPU per message drifts much less. The limit is
        # one process, bound by its one core; the campaign's processes, database and sink share every core.
        limit_cpu = sum(limits_cpu) / len(limits_cpu)
        cores = os.cpu_count() or 1
        print(f"  ratio from CPU alone {cores * limit_cpu / campaign_cpu:.2f}: {cores} cores ÷ the campaign's CPU per "
              f"message, against 1 core ÷ the raw sender's ({per_message(limit_cpu)})")
    finally:
        sink.terminate()
        sink.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--body", choices=("newsletter", "small"), default="newsletter")
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}; ratio = campaign messages/s ÷ raw aiosmtplib messages/s (goal ≥ 0.7)")
    with tempfile.TemporaryDirectory(prefix="contacts-bench-") as tmp:
        workdir = Path(tmp)
        csv_path = workdir / "contacts.csv"
        generate(csv_path, args.count)
        if args.engine in ("sqlite", "both"):
            bench("SQLite", f"sqlite:///{workdir / 'send.db'}", args.count, args.concurrency, workdir, csv_path, args.body)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_bench_send_{os.getpid()}") as database:
                bench("PostgreSQL", database.url, args.count, args.concurrency, workdir, csv_path, args.body)


if __name__ == "__main__":
    main()
