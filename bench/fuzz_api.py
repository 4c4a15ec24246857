"""schemathesis with every check against the JSON API and the recipients' pages of a real `contacts serve`, on a
fresh database with an admin, an API token, a list with a contact and a campaign; a fixed seed and a bounded
number of examples per operation make the run reproducible.

    .venv/bin/python bench/fuzz_api.py [--engine sqlite|postgresql|both] [--max-examples 50] [--seed 18]
                                       [--report DIR] [--paths REGEX]

Prints, per engine, the operations and cases tested and the failures by check (server errors apart from
schema-conformance failures), with the run's first lines of each failure; the exit status is 1 if any failure
was found. `--report DIR` keeps schemathesis's NDJSON events (each failing request with its curl command).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.serving import contacts_serve  # noqa: E402

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CONFIG = Path(__file__).with_name("schemathesis.toml")  # where a schema-valid request may still be refused
CONFORMANCE = {"status_code_conformance", "content_type_conformance", "response_headers_conformance",
               "response_schema_conformance", "allow_header_conformance", "unsupported_method",
               "missing_required_header", "negative_data_rejection", "positive_data_acceptance"}


def prepare(env: dict[str, str], workdir: Path) -> str:
    """An admin with an API token, and one of each thing the API reads, so that its routes answer 200 too."""
    contacts(["migrate"], env, workdir)
    subprocess.run([sys.executable, "-m", "contacts", "user", "create", "fuzz", "--role", "admin"], env=env,
                   cwd=workdir, input="correct horse battery staple\n", text=True, check=True, capture_output=True)
    token = contacts(["user", "token", "fuzz", "--name", "schemathesis"], env, workdir).strip().splitlines()[-1]
    (workdir / "presse.csv").write_text("email,first_name\nada@presse.example,Ada\n", encoding="utf-8")
    contacts(["import", "presse.csv", "--list", "journalists", "--source-type", "given", "--source", "fuzz"], env,
             workdir)
    contacts(["campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
              "--subject", "Fuzz"], env, workdir)
    return token


def fuzz(engine: str, database_url: str, workdir: Path, args: argparse.Namespace) -> int:
    env = {**os.environ, "CONTACTS_DATABASE_URL": database_url, "CONTACTS_SECRET_KEY": SECRET,
           "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9", "CONTACTS_PUBLIC_RATE_LIMIT": "0",
           "CONTACTS_ENV": "development", "CONTACTS_SERVE_SENDS": "false", "CONTACTS_RETENTION_DAILY": "false"}
    token = prepare(env, workdir)
    events = (Path(args.report) if args.report else workdir) / f"schemathesis-{engine.lower()}.ndjson"
    events.parent.mkdir(parents=True, exist_ok=True)
    with contacts_serve(env, workdir) as base_url:
        run = subprocess.run(
            [str(SCHEMATHESIS), "--config-file", str(CONFIG), "run", f"{base_url}/schema/openapi.json", "--checks", "all",
             "--seed", str(args.seed), "--max-examples", str(args.max_examples), "--workers", "1",
             "--generation-database", "none", "--no-color", "--suppress-health-check", "all",
             "--include-path-regex", args.paths, "-H", f"Authorization: Bearer {token}",
             "--report", "ndjson", "--report-ndjson-path", str(events)],
            capture_output=True, text=True, cwd=workdir)
    return summarise(engine, run, events)


def summarise(engine: str, run: subprocess.CompletedProcess, events: Path) -> int:
    """Failures as schemathesis counts them: one per operation, check and kind of failure, however many cases."""
    failures: dict[tuple[str, str, str], str] = {}
    operations, cases = set(), 0
    for line in events.read_text(encoding="utf-8").splitlines():
        finished = json.loads(line).get("ScenarioFinished")
        if not finished:
            continue
        recorder = finished.get("recorder") or {}
        operations.add(recorder.get("label"))
        cases += len(recorder.get("cases") or {})
        for checks in (recorder.get("checks") or {}).values():
            for check in checks:
                if check.get("status") == "failure":
                    failure = check["failure_info"]["failure"]
                    first_line = failure.get("message", "").strip().splitlines()[0][:160]
                    failures.setdefault((check["name"], failure.get("operation", ""), first_line),
                                        failure.get("title", ""))
    by_check = Counter(name for name, _, _ in failures)
    server_errors = by_check.pop("not_a_server_error", 0)
    conformance = sum(count for name, count in by_check.items() if name in CONFORMANCE)
    print(f"\n{engine}: {len(operations)} operations, {cases} cases; server errors {server_errors}, "
          f"schema-conformance failures {conformance}, other failures {sum(by_check.values()) - conformance}")
    for (name, operation, first_line), title in sorted(failures.items()):
        print(f"  {name}: {operation}: {title}: {first_line}")
    if run.returncode not in (0, 1):
        print(run.stdout[-3000:], run.stderr[-3000:])
    return server_errors + sum(by_check.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--report", help="a directory to keep schemathesis's NDJSON events in")
    parser.add_argument("--paths", default="^/(api|u|o|p|confirm|r|d|subscribe|rights)(/|$)",
                        help="the operations to test, by a regular expression on their paths (default: the API and "
                             "the recipients' pages)")
    args = parser.parse_args()
    if not SCHEMATHESIS.exists():
        raise SystemExit(f"schemathesis is missing next to {sys.executable}: pip install -e '.[test]'")
    print(f"schemathesis --checks all, seed {args.seed}, at most {args.max_examples} examples per operation")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="contacts-fuzz-") as tmp:
        workdir = Path(tmp)
        if args.engine in ("sqlite", "both"):
            failures += fuzz("SQLite", f"sqlite:///{workdir / 'fuzz.db'}", workdir, args)
        if args.engine in ("postgresql", "both"):
            with PostgresDatabase(f"contacts_fuzz_{os.getpid()}") as database:
                failures += fuzz("PostgreSQL", database.url, workdir, args)
    shutil.rmtree(workdir, ignore_errors=True)
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
