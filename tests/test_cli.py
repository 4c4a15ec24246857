"""The `contacts` command, run as a user runs it: a real process against this test's database."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import httpx
import pytest

from tests.conftest import ENGINE
from tests.ports import free_port


def test_lists_shows_every_seeded_list_with_purpose_and_basis(contacts_cli):
    output = contacts_cli("lists").stdout
    for slug in ("journalists", "vips", "patrons", "teachers", "town-halls", "associations", "partners", "public-newsletter"):
        assert slug in output
    line = next(line for line in output.splitlines() if "public-newsletter" in line and "consent" in line)
    assert "yes" in line  # double opt-in
    assert "legitimate_interest" in next(line for line in output.splitlines() if " teachers " in line)


def test_import_of_100_rows_with_5_bad_imports_95_and_names_the_5(contacts_cli, tmp_path):
    lines = ["email;nom;prénom"]
    bad = set()
    for i in range(100):
        if i in (3, 20, 41, 77, 98):
            lines.append(f"broken{i}@;Nom;Prénom")
            bad.add(str(i + 2))
        else:
            lines.append(f"p{i}@presse.example.fr;Nom{i};Prénom{i}")
    (tmp_path / "presse.csv").write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    output = contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "third-party",
                          "--source", "Annuaire presse").stdout
    assert "100 rows" in output
    assert "created: 95" in output and "subscribed: 95" in output and "invalid: 5" in output
    report = (tmp_path / "presse.errors.csv").read_text(encoding="utf-8").splitlines()
    assert report[0] == "row,column,outcome,reason"
    assert {line.split(",")[0] for line in report[1:]} == bad
    assert all(line.split(",")[1] == "email" for line in report[1:])


# REQ-42: an address suppressed before the import is reported and not subscribed.
def test_req42_address_suppressed_before_import_is_reported_and_not_subscribed(contacts_cli, tmp_path):
    assert "suppressed (objection, global)" in contacts_cli("suppress", "Refus@Example.org", "--reason", "objection").stdout
    assert "already suppressed" in contacts_cli("suppress", "refus@example.org", "--reason", "manual").stdout
    (tmp_path / "a.csv").write_text("email\nrefus@example.org\nok@example.org\n", encoding="utf-8")
    output = contacts_cli("import", "a.csv", "--list", "vips", "--source-type", "relationship", "--source", "Vernissage").stdout
    assert "skipped-suppressed: 1" in output and "subscribed: 1" in output
    assert "3,email,skipped" not in (tmp_path / "a.errors.csv").read_text()
    assert "2,email,skipped,on the suppression list" in (tmp_path / "a.errors.csv").read_text()
    assert "suppressed: global (objection)" in contacts_cli("suppression", "check", "REFUS@example.org").stdout
    assert contacts_cli("suppression", "check", "ok@example.org").stdout.strip() == "not suppressed"


# REQ-44: the export holds hashes, never addresses, and imports back.
def test_req44_suppression_export_and_import(contacts_cli, tmp_path):
    contacts_cli("suppress", "bounced@example.org", "--reason", "hard_bounce")
    contacts_cli("suppress", "nomore@example.org", "--reason", "unsubscribe", "--scope", "list:teachers")
    exported = contacts_cli("suppression", "export").stdout
    assert "example.org" not in exported
    assert len(exported.splitlines()) == 3
    (tmp_path / "s.csv").write_text(exported)
    output = contacts_cli("suppression", "import", "s.csv").stdout
    assert "created: 0" in output and "already present: 2" in output
    contacts_cli("suppression", "export", "--output", "again.csv")
    assert (tmp_path / "again.csv").read_text() == exported


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("import", "none.csv", "--list", "vips", "--source-type", "alien", "--source", "x"), "--source-type"),
        (("import", "none.csv", "--list", "vips", "--source-type", "given", "--source", "x"), "FILE: cannot open"),
        (("import", "none.csv", "--list", "nope", "--source-type", "given", "--source", "x"), "no list with the slug"),
        (("suppress", "not-an-address", "--reason", "manual"), "email:"),
        (("suppress", "a@example.org", "--reason", "complaint", "--scope", "list:vips"), "scope: complaint"),
    ],
)
def test_bad_input_gets_a_clear_error_naming_the_field(contacts_cli, args, message):
    result = contacts_cli(*args, check=False)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_is_idempotent(contacts_cli):
    assert contacts_cli("migrate").stdout.strip() == "the database is up to date"


def test_production_refuses_to_start_without_a_secret_key(cli_env, tmp_path):
    env = {**cli_env, "CONTACTS_ENV": "production"}
    del env["CONTACTS_SECRET_KEY"]
    result = subprocess.run([sys.executable, "-m", "contacts", "lists"], env=env, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert "CONTACTS_SECRET_KEY is required in production" in result.stderr


@pytest.mark.skipif(ENGINE != "postgresql", reason="PostgreSQL is migrated explicitly")
def test_postgresql_with_pending_migrations_asks_for_migrate(cli_env, tmp_path):
    import asyncio

    import asyncpg

    from tests.conftest import ADMIN_URL, DATABASE_PREFIX, postgres_url

    name = f"{DATABASE_PREFIX}_empty"

    async def admin(statement):
        connection = await asyncpg.connect(ADMIN_URL)
        await connection.execute(statement)
        await connection.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    try:
        env = {**cli_env, "CONTACTS_DATABASE_URL": postgres_url(name)}
        run = lambda *a: subprocess.run([sys.executable, "-m", "contacts", *a], env=env, cwd=tmp_path,
                                        capture_output=True, text=True)
        refused = run("lists")
        assert refused.returncode == 2 and "run `contacts migrate` first" in refused.stderr
        assert re.search(r"applied \d+ migrations", run("migrate").stdout)
        assert "journalists" in run("lists").stdout
    finally:
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_serve_creates_the_embedded_database_and_answers_health(tmp_path):
    """The README's first command, on a machine with no configuration at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONTACTS_")}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "contacts", "serve", "--port", str(port)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(server.stdout.read() if server.poll() is not None else "no answer in 60 s")
                time.sleep(0.2)
        assert response.json() == {"status": "ok", "database": "sqlite"}
        assert (tmp_path / "contacts.db").exists()
        assert (tmp_path / "contacts.db.secret-key").stat().st_mode & 0o777 == 0o600
    finally:
        server.terminate()
        server.wait(timeout=30)


# REQ-24: `contacts user create` reads the password from standard input when it is not a terminal; the token
# it makes acts for the account.
def test_req24_user_create_reads_the_password_from_stdin_and_tokens_work(contacts_cli):
    created = contacts_cli("user", "create", "Camille", "--role", "communications",
                           input="correct horse battery staple\n").stdout
    assert "user camille (communications)" in created
    refused = contacts_cli("user", "create", "rene", "--role", "read-only", input="correct horse battery staple\n",
                           check=False)
    assert refused.returncode == 2 and "department" in refused.stderr
    short = contacts_cli("user", "create", "rene", "--role", "read-only", "--department", "events", input="short\n",
                         check=False)
    assert short.returncode == 2 and "password" in short.stderr
    token = contacts_cli("user", "token", "camille", "--name", "script").stdout.strip().splitlines()[-1]
    assert token.startswith("ct_") and len(token) > 40
    listing = contacts_cli("user", "list").stdout
    assert "camille\tcommunications\tcommunications" in listing
    assert contacts_cli("user", "revoke-token", "camille", "--name", "script").stdout.strip() == "revoked 1 token"


# REQ-6: the Art. 30 register comes from the purpose configuration, as Markdown or JSON on standard output.
def test_req6_register_lists_every_purpose_with_its_basis_and_erasure(contacts_cli):
    import json

    markdown = contacts_cli("register").stdout
    assert markdown.startswith("# Record of processing activities (GDPR Art. 30)")
    for code in ("press-information", "pr-invitations", "communications-newsletter", "mediation-newsletter",
                 "partnership-offers", "public-newsletter"):
        assert f"(`{code}`)" in markdown
    register = json.loads(contacts_cli("register", "--format", "json").stdout)
    assert register["controller"] and register["dpo_contact"] and register["security_measures"]
    by_code = {activity["purpose"]: activity for activity in register["activities"]}
    assert by_code["public-newsletter"]["legal_basis"].startswith("consent")
    assert "3 years" in by_code["public-newsletter"]["erasure"]
    assert "5 years" in by_code["press-information"]["erasure"]
    assert all(activity["transfers_outside_eu"] == "none" for activity in register["activities"])
    assert "Journalists and editors, at their work address" in by_code["communications-newsletter"][
        "categories_of_persons"]


# REQ-9, REQ-13: `contacts retention run --dry-run` lists what is due and why and changes nothing; without
# --dry-run it does it.
async def test_retention_run_lists_then_does_it(contacts_cli, tmp_path):
    from datetime import UTC, datetime

    from contacts.tables import Contact, Subscription

    path = tmp_path / "presse.csv"
    path.write_text("email,first_name,last_name\nana@presse.example,Ana,Arnaud\nben@presse.example,Ben,Bloch\n",
                    encoding="utf-8")
    contacts_cli("import", str(path), "--list", "journalists", "--source-type", "third-party", "--source", "Annuaire")
    ana = (await Contact.select(Contact.id).where(Contact.email == "ana@presse.example").first())["id"]
    ben = (await Contact.select(Contact.id).where(Contact.email == "ben@presse.example").first())["id"]
    long_ago = datetime(2020, 1, 15, tzinfo=UTC)
    await Subscription.update({Subscription.status: "unsubscribed", Subscription.ended_at: long_ago}).where(
        Subscription.contact == ana)
    await Contact.update({Contact.collected_at: long_ago}, force=True)

    listed = contacts_cli("retention", "run", "--dry-run").stdout
    assert "(dry run: nothing changed)" in listed
    assert f"anonymise  contact {ana}: communications-newsletter: unsubscribed on 15 January 2020" in listed
    assert f"flagged    contact {ben}: from the third-party source “Annuaire”" in listed
    assert "ana@presse.example" not in listed and "Arnaud" not in listed  # ids and reasons, never the person
    assert await Contact.count().where(Contact.status == "active") == 2

    done = contacts_cli("retention", "run").stdout
    assert "Summary: 1 anonymised, 0 archived, 0 held, 1 flagged" in done
    statuses = {row["id"]: row["status"] for row in await Contact.select(Contact.id, Contact.status)}
    assert statuses == {ana: "erased", ben: "active"}


# Free text the commands take holds no control character, and numbers fit their 32-bit columns: a usage error
# naming the option (exit 2), the same on both engines, and nothing written. (A NUL cannot travel in argv.)
def test_control_characters_and_out_of_range_numbers_are_refused(contacts_cli, tmp_path):
    (tmp_path / "one.csv").write_text("email\nada@presse.example\n")
    (tmp_path / "body.txt").write_bytes("Bonjour\x00".encode())
    (tmp_path / "latin1.txt").write_bytes("été".encode("latin-1"))
    campaign = ("campaign", "create", "--list", "journalists", "--template", "newsletter-communications")
    for args, option in [
        ((*campaign, "--subject", "La\x1blettre"), "--subject"),
        ((*campaign, "--subject", "La\nlettre"), "--subject"),
        ((*campaign, "--subject", "La lettre", "--body", "body.txt"), "--body"),
        ((*campaign, "--subject", "La lettre", "--body", "latin1.txt"), "--body"),
        ((*campaign, "--subject", "La lettre", "--rate", "2147483648"), "--rate"),
        (("campaign", "status", "99999999999"), "CAMPAIGN_ID"),
        (("import", "one.csv", "--list", "journalists", "--source-type", "given", "--source", "Salon\x07"), "--source"),
    ]:
        result = contacts_cli(*args, check=False)
        assert result.returncode == 2 and option in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
    assert contacts_cli("campaign", "status", "1", check=False).returncode == 2  # no campaign was made
