"""deploy/postgresql/roles.sql, run as the guide says on a database of its own: the owner role migrates, and
the application role then does what serve, worker and an import do (read and write rows, COPY, advisory
locks, the rate-limit upserts) but may not create a table."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid

import httpx
import pytest

from tests.conftest import ADMIN_URL, ENGINE, postgres_url
from tests.deploy.tools import DEPLOY, tool
from tests.serving import contacts_serve

pytestmark = pytest.mark.skipif(ENGINE != "postgresql", reason="the roles are PostgreSQL's")
ROLES_SQL = DEPLOY / "postgresql" / "roles.sql"


def psql(url: str, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", url, *arguments],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def least_privilege_database(tmp_path):
    """The example's roles and database under names of this test's own; dropped afterwards."""
    suffix = uuid.uuid4().hex[:8]
    owner, app, database = f"deploy_owner_{suffix}", f"deploy_app_{suffix}", f"deploy_roles_{suffix}"
    script = ROLES_SQL.read_text(encoding="utf-8")
    script = re.sub(r"\bcontacts\b", database, script.replace("contacts_owner", owner).replace("contacts_app", app))
    (tmp_path / "roles.sql").write_text(script, encoding="utf-8")
    created = psql(ADMIN_URL, "-f", str(tmp_path / "roles.sql"))
    try:
        assert created.returncode == 0, created.stderr
        yield database, owner, app
    finally:
        psql(ADMIN_URL, "-c", f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        psql(ADMIN_URL, "-c", f'DROP ROLE IF EXISTS "{owner}"', "-c", f'DROP ROLE IF EXISTS "{app}"')


def as_role(database: str, role: str) -> str:
    return postgres_url(database).replace("://postgres@", f"://{role}@")


def test_the_application_role_runs_contacts_but_changes_no_table(least_privilege_database, cli_env, tmp_path):
    database, owner, app = least_privilege_database

    def contacts(role: str, *arguments: str, stdin: str | None = None) -> str:
        result = subprocess.run([sys.executable, "-m", "contacts", *arguments], input=stdin, capture_output=True,
                                text=True, timeout=300, cwd=tmp_path,
                                env={**cli_env, "CONTACTS_DATABASE_URL": as_role(database, role)})
        assert result.returncode == 0, f"contacts {' '.join(arguments)} as {role}: {result.stderr}"
        return result.stdout

    contacts(owner, "migrate")
    assert "up to date" in contacts(app, "migrate")
    contacts(app, "user", "create", "operator", "--role", "admin", stdin="a long enough password\n")
    (tmp_path / "press.csv").write_text("email,first_name\nclaire@presse.example,Claire\n", encoding="utf-8")
    assert "created" in contacts(app, "import", "press.csv", "--list", "journalists", "--source-type", "third-party",
                                 "--source", "Annuaire presse 2026")
    contacts(app, "suppress", "someone@example.org", "--reason", "manual")
    contacts(app, "retention", "run")
    with contacts_serve({**cli_env, "CONTACTS_DATABASE_URL": as_role(database, app)}, tmp_path) as base_url:
        assert httpx.get(f"{base_url}/archive/", timeout=30).status_code < 500  # the rate limit's upsert
        assert httpx.post(f"{base_url}/subscribe/journalists", timeout=30).status_code < 500
    refused = psql(as_role(database, app), "-c", "CREATE TABLE intruder (id integer)")
    assert refused.returncode != 0 and "permission denied" in refused.stderr
    altered = psql(as_role(database, app), "-c", "ALTER TABLE contact ADD COLUMN intruder integer")
    assert altered.returncode != 0 and "must be owner" in altered.stderr
