"""`contacts backup` and `contacts restore`, run as an operator runs them: the copy and its checks, the
refusals (an existing file, a database in use, a file that is not a contacts database, PostgreSQL), an older
backup migrated on restore, and both recorded in the audit log (REQ-8)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from contacts.db.engine import json_value
from contacts.db.in_use import sole_use
from contacts.services.people import suppression
from contacts.settings import sqlite_path_from_url
from contacts.tables import AuditEvent
from tests.conftest import ENGINE, TEST_SECRET_KEY
from tests.ports import free_port

pytestmark = pytest.mark.usefixtures("database_url")
on_sqlite = pytest.mark.skipif(ENGINE != "sqlite", reason="the embedded database's backup and restore")
on_postgresql = pytest.mark.skipif(ENGINE != "postgresql", reason="PostgreSQL's answers")
OLDER_MIGRATION = "2026-12-06T22:10:00:000000"  # a database as it was before the sending windows' follow-ups


async def audit_entries(action: str) -> list[dict]:
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.details).where(AuditEvent.action == action)
    return [{"actor": row["actor"], "details": json_value(row["details"])} for row in rows]


@on_sqlite
async def test_req8_backup_writes_a_checked_copy_without_the_key_and_audits_it(contacts_cli, tmp_path):
    contacts_cli("suppress", "zoe@presse.example", "--reason", "objection")
    output = contacts_cli("backup", "--output", "nightly.sqlite3").stdout
    backup = tmp_path / "nightly.sqlite3"
    assert f"backup written: {backup} (" in output and "integrity check: ok" in output
    assert "  suppression entries: 1\n" in output and "  audit log entries: " in output
    assert "secret key (CONTACTS_SECRET_KEY) is not in the backup" in output
    assert TEST_SECRET_KEY.encode() not in backup.read_bytes()
    assert sorted(path.name for path in tmp_path.iterdir() if "nightly" in path.name) == ["nightly.sqlite3"]
    with contextlib.closing(sqlite3.connect(backup)) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one file, no -wal beside it
    [entry] = await audit_entries("database.backup")  # REQ-8, in the live database
    assert entry["actor"].startswith("cli") and entry["details"]["file"] == str(backup)
    assert entry["details"]["size"] == backup.stat().st_size and entry["details"]["counts"]["suppression"] == 1


@on_sqlite
def test_backup_refuses_an_existing_file_unless_forced(contacts_cli, tmp_path):
    (tmp_path / "kept.sqlite3").write_text("yesterday's")
    refused = contacts_cli("backup", "--output", "kept.sqlite3", check=False)
    assert refused.returncode == 2 and f"{tmp_path / 'kept.sqlite3'} exists already" in refused.stderr
    assert "--force" in refused.stderr and (tmp_path / "kept.sqlite3").read_text() == "yesterday's"
    contacts_cli("backup", "--output", "kept.sqlite3", "--force")
    assert (tmp_path / "kept.sqlite3").read_bytes().startswith(b"SQLite format 3\x00")
    nowhere = contacts_cli("backup", "--output", "missing/b.sqlite3", check=False)
    assert nowhere.returncode == 2 and "its folder does not exist" in nowhere.stderr


@on_sqlite
def test_restore_refuses_while_a_process_uses_the_database_and_naming_it(contacts_cli, cli_env, tmp_path):
    contacts_cli("backup", "--output", "b.sqlite3")
    inbound = subprocess.Popen([sys.executable, "-m", "contacts", "inbound", "--port", str(free_port())],
                               env=cli_env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        inbound.stderr.readline()  # "listening on …": it holds the database by then
        refused = contacts_cli("restore", "b.sqlite3", "--yes", check=False)
    finally:
        inbound.terminate()
        inbound.wait(timeout=10)
    assert refused.returncode == 2 and f"contacts inbound (pid {inbound.pid})" in refused.stderr
    assert "stop them first" in refused.stderr
    assert contacts_cli("restore", "b.sqlite3", "--yes").returncode == 0  # a process gone lets go at once


@on_sqlite
def test_a_process_refuses_to_start_while_a_restore_holds_the_database(contacts_cli, cli_env):
    with sole_use(sqlite_path_from_url(cli_env["CONTACTS_DATABASE_URL"])):
        refused = contacts_cli("worker", "--once", check=False)
        piped = contacts_cli("inbound", "--stdin", input="Subject: bounce\n\nhello\n", check=False)
    assert refused.returncode == 2 and "is being restored" in refused.stderr
    assert piped.returncode == 75, piped.stderr  # an MTA's pipe: a temporary failure, delivered again later
    assert contacts_cli("worker", "--once").returncode == 0


@on_sqlite
@pytest.mark.parametrize("kind", ["text", "damaged", "other database", "newer"])
def test_restore_refuses_a_file_that_is_not_a_whole_contacts_database_naming_it(contacts_cli, cli_env, tmp_path,
                                                                                 kind):
    contacts_cli("suppress", "zoe@presse.example", "--reason", "objection")
    contacts_cli("backup", "--output", "good.sqlite3")
    bad = tmp_path / "bad.sqlite3"
    if kind == "text":
        bad.write_text("email\nzoe@presse.example\n")
    elif kind == "damaged":
        data = bytearray((tmp_path / "good.sqlite3").read_bytes())
        data[4096 * 3:4096 * 6] = b"\xff" * (4096 * 3)  # pages of its tables overwritten
        bad.write_bytes(bytes(data))
    elif kind == "other database":
        with contextlib.closing(sqlite3.connect(bad)) as other:
            other.execute("CREATE TABLE notes (text TEXT)")
    else:
        bad.write_bytes((tmp_path / "good.sqlite3").read_bytes())
        with contextlib.closing(sqlite3.connect(bad)) as newer, newer:
            newer.execute("INSERT INTO migration (name, app_name) VALUES ('2099-01-01T00:00:00:000000', 'contacts')")
    refused = contacts_cli("restore", "bad.sqlite3", "--yes", check=False)
    said = {"text": "not a SQLite database", "damaged": "damaged", "other database": "not a contacts database",
            "newer": "made by a newer version of contacts (migration 2099-01-01T00:00:00:000000)"}[kind]
    assert refused.returncode == 2 and f"{bad}: {said}" in refused.stderr, refused.stderr
    assert "suppressed" in contacts_cli("suppression", "check", "zoe@presse.example").stdout
    database = sqlite_path_from_url(cli_env["CONTACTS_DATABASE_URL"])
    assert not list(database.parent.glob(f"{database.name}.before-restore-*"))  # nothing was touched


@on_sqlite
async def test_req42_req44_req8_restore_brings_back_the_backup_and_keeps_what_it_replaced(contacts_cli, cli_env):
    """REQ-42/REQ-44: a suppression in the backup is matched again by its keyed hash after the restore;
    REQ-8: the restore is in the restored database's audit log."""
    contacts_cli("suppress", "zoe@presse.example", "--reason", "objection")
    contacts_cli("backup", "--output", "b.sqlite3")
    contacts_cli("suppress", "hugo@presse.example", "--reason", "manual")
    database = sqlite_path_from_url(cli_env["CONTACTS_DATABASE_URL"])

    declined = contacts_cli("restore", "b.sqlite3", input="n\n", check=False)
    assert declined.returncode == 1 and "nothing changed" in declined.stdout
    assert "Replace the database" in declined.stdout and await suppression.entries_for("hugo@presse.example")

    output = contacts_cli("restore", "b.sqlite3", input="y\n").stdout
    assert "integrity check: ok" in output and "  suppression entries: 1\n" in output
    assert [entry.reason for entry in await suppression.entries_for("zoe@presse.example")] == ["objection"]
    assert await suppression.entries_for("hugo@presse.example") == []
    [kept] = database.parent.glob(f"{database.name}.before-restore-*")
    assert f"kept as {kept}" in output
    with contextlib.closing(sqlite3.connect(kept)) as before:
        assert before.execute("SELECT count(*) FROM suppression").fetchone()[0] == 2
    [entry] = await audit_entries("database.restore")
    assert entry["actor"].startswith("cli") and entry["details"]["kept"] == str(kept)
    assert entry["details"]["file"].endswith("b.sqlite3") and entry["details"]["counts"]["suppression"] == 1

    contacts_cli("restore", "b.sqlite3", "--yes", "--no-keep")
    assert len(list(database.parent.glob(f"{database.name}.before-restore-*"))) == 1


@on_sqlite
def test_restore_of_an_older_backup_migrates_it(contacts_cli, cli_env, tmp_path):
    older = tmp_path / "older.sqlite3"
    script = ("import asyncio, contacts\n"
              "from piccolo.apps.migrations.commands.forwards import run_forwards\n"
              f"asyncio.run(run_forwards(app_name='contacts', migration_id={OLDER_MIGRATION!r}))\n")
    made = subprocess.run([sys.executable, "-c", script], env={**cli_env, "CONTACTS_DATABASE_URL": f"sqlite:///{older}"},
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert made.returncode == 0, made.stderr
    with contextlib.closing(sqlite3.connect(older)) as connection:
        applied = {row[0] for row in connection.execute("SELECT name FROM migration")}
    migrations = Path(__file__).resolve().parents[1] / "migrations" / "contacts"
    newer = len([path for path in migrations.glob("*.py") if _migration_id(path) not in applied])
    assert OLDER_MIGRATION in applied and newer > 0

    output = contacts_cli("restore", "older.sqlite3", "--yes").stdout
    assert f"applied {newer} migration" in output and "integrity check: ok" in output
    assert contacts_cli("migrate").stdout.strip() == "the database is up to date"
    assert "journalists" in contacts_cli("lists").stdout  # the restored database serves the commands


def _migration_id(path: Path) -> str:
    for line in path.read_text().splitlines():
        if line.startswith("ID = "):
            return line.split('"')[1]
    raise AssertionError(f"{path} has no ID")


@on_postgresql
def test_on_postgresql_backup_and_restore_give_the_pg_dump_recipe(contacts_cli, cli_env):
    backup = contacts_cli("backup", "--output", "b.dump", check=False)
    assert backup.returncode == 2 and "pg_dump --format=custom --file b.dump" in backup.stderr
    assert "--pg-dump" in backup.stderr and cli_env["CONTACTS_DATABASE_URL"] not in backup.stderr
    restore = contacts_cli("restore", "b.dump", "--yes", check=False)
    assert restore.returncode == 2 and "pg_restore" in restore.stderr
    french = subprocess.run([sys.executable, "-m", "contacts", "backup", "--output", "b.dump"], capture_output=True,
                            text=True, env={**cli_env, "CONTACTS_LANGUAGE": "fr"}, timeout=60)
    assert french.returncode == 2 and "pg_dump" in french.stderr and "sauvegardez" in french.stderr


@on_postgresql
@pytest.mark.skipif(not any(os.access(os.path.join(folder, "pg_dump"), os.X_OK)
                            for folder in os.environ.get("PATH", "").split(os.pathsep)), reason="no pg_dump here")
async def test_req8_on_postgresql_pg_dump_makes_the_archive_and_is_audited(contacts_cli, tmp_path):
    contacts_cli("suppress", "zoe@presse.example", "--reason", "objection")
    output = contacts_cli("backup", "--output", "b.dump", "--pg-dump").stdout
    assert (tmp_path / "b.dump").read_bytes().startswith(b"PGDMP") and "pg_restore can read the archive" in output
    [entry] = await audit_entries("database.backup")
    assert entry["details"]["file"] == str(tmp_path / "b.dump") and entry["details"]["engine"] == "postgresql"
    refused = contacts_cli("backup", "--output", "b.dump", "--pg-dump", check=False)
    assert refused.returncode == 2 and "exists already" in refused.stderr


@on_sqlite
async def test_req42_restore_replaces_a_database_sqlite_cannot_read(contacts_cli, cli_env):
    """The restore a lost disk calls for: the damaged database is moved aside, -wal with it, and the backup's
    suppressions are matched again (REQ-42)."""
    contacts_cli("suppress", "zoe@presse.example", "--reason", "objection")
    contacts_cli("backup", "--output", "b.sqlite3")
    database = sqlite_path_from_url(cli_env["CONTACTS_DATABASE_URL"])
    database.write_bytes(b"\x00" * 8192)
    Path(f"{database}-wal").write_bytes(b"stale")
    output = contacts_cli("restore", "b.sqlite3", "--yes", "--no-keep").stdout
    [kept] = database.parent.glob(f"{database.name}.before-restore-*[0-9]Z")
    assert f"kept as {kept}" in output and kept.read_bytes() == b"\x00" * 8192
    assert Path(f"{kept}-wal").read_bytes() == b"stale"
    assert [entry.reason for entry in await suppression.entries_for("zoe@presse.example")] == ["objection"]
