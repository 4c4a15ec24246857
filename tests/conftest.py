"""Throw-away databases for the tests.

CONTACTS_TEST_DATABASE picks the engine: `sqlite` (default) or `postgresql` (the server at
CONTACTS_TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test). A template database is
migrated once per session; each test gets a fresh copy of it, and every database is dropped at the end.
Under pytest-xdist each worker is a session of its own: its databases carry the worker's id (gw0, gw1, …)
beside the run's id, so workers never share one.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

# The environment must be set before contacts is imported: tables bind to their engine on first use.
ENGINE = os.environ.get("CONTACTS_TEST_DATABASE", "sqlite")
ADMIN_URL = os.environ.get("CONTACTS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# The same run id in every xdist worker (xdist hands them one), and the worker's own id beside it.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID", uuid.uuid4().hex)[:8]
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
WORKDIR = Path(tempfile.mkdtemp(prefix=f"contacts-tests-{RUN_ID}-{WORKER}-"))
DATABASE_PREFIX = f"contacts_{RUN_ID}_{WORKER}"
# Removed at exit too: xdist's controller process imports this module but runs no session fixture.
atexit.register(shutil.rmtree, WORKDIR, ignore_errors=True)
TEST_SECRET_KEY = "test-secret-key-0123456789abcdef"


def postgres_url(database: str) -> str:
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + database


if ENGINE == "postgresql":
    TEMPLATE_URL = postgres_url(f"{DATABASE_PREFIX}_template")
elif ENGINE == "sqlite":
    TEMPLATE_URL = f"sqlite:///{WORKDIR / 'template.db'}"
else:
    raise SystemExit(f"CONTACTS_TEST_DATABASE must be sqlite or postgresql, not {ENGINE!r}")

os.environ.update(
    {
        "CONTACTS_DATABASE_URL": TEMPLATE_URL,
        "CONTACTS_SECRET_KEY": TEST_SECRET_KEY,
        "CONTACTS_SMTP_URL": "smtp://127.0.0.1:2525",
        "CONTACTS_ENV": "development",
        "CONTACTS_SERVE_SENDS": "false",  # tests drain campaigns themselves
        "CONTACTS_RETENTION_DAILY": "false",  # tests run the retention engine themselves, with their clock
    }
)
os.environ.pop("CONTACTS_BASE_URL", None)

import asyncpg
import pytest

import contacts  # noqa: F401
from contacts.db.engine import engine, migrate

_counter = itertools.count(1)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session", autouse=True)
async def template_database():
    if ENGINE == "postgresql":
        await _admin(f'CREATE DATABASE "{DATABASE_PREFIX}_template"')
        await migrate()
    else:
        await migrate()
    yield
    if ENGINE == "postgresql":
        if engine().pool:
            await engine().close_connection_pool()
        await _admin(f'DROP DATABASE IF EXISTS "{DATABASE_PREFIX}_template" WITH (FORCE)')
    shutil.rmtree(WORKDIR, ignore_errors=True)


@pytest.fixture
async def database_url(template_database) -> str:
    """A fresh, migrated database for this test; the engine points at it. Returns its URL."""
    db = engine()
    n = next(_counter)
    if ENGINE == "postgresql":
        name = f"{DATABASE_PREFIX}_{n}"
        await _admin(f'CREATE DATABASE "{name}" TEMPLATE "{DATABASE_PREFIX}_template"')
        url = postgres_url(name)
        if db.pool:
            await db.close_connection_pool()
        db.config = {"dsn": url}
        await db.start_connection_pool(min_size=1, max_size=4)
        yield url
        await db.close_connection_pool()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = WORKDIR / f"test-{n}.db"
        shutil.copyfile(WORKDIR / "template.db", path)
        db.path = str(path)
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture
def cli_env(database_url) -> dict[str, str]:
    # English, whatever the machine's locale: tests that read French output ask for it (CONTACTS_LANGUAGE=fr).
    return {**os.environ, "CONTACTS_DATABASE_URL": database_url, "COLUMNS": "200", "CONTACTS_LANGUAGE": "en"}


@pytest.fixture
def contacts_cli(cli_env, tmp_path):
    """Run the real `contacts` command against this test's database, as a user would."""

    def run(*args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "-m", "contacts", *args],
            env=cli_env,
            cwd=tmp_path,
            input=input,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"contacts {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result

    return run


@pytest.fixture
def http_client():
    """An HTTP client on the test's own event loop (Litestar's AsyncTestClient runs the app on another
    loop, where the PostgreSQL pool of this loop cannot be used)."""
    import contextlib

    import httpx

    from contacts.app import create_app

    @contextlib.asynccontextmanager
    async def client(settings=None):
        app = create_app(settings)
        async with app.lifespan():
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as http:
                yield http

    return client


def pytest_addoption(parser, pluginmanager) -> None:
    """pyproject's addopts pass `--numprocesses` and `--dist`: with xdist disabled (`-p no:xdist`, for a
    debugger), they are accepted and ignored, and the suite runs in this one process."""
    if not pluginmanager.has_plugin("xdist"):
        parser.addoption("--numprocesses", dest="numprocesses", default=None, help="ignored: xdist is off")
        parser.addoption("--dist", dest="dist", default="no", help="ignored: xdist is off")


def pytest_configure(config) -> None:
    if not config.pluginmanager.has_plugin("xdist"):  # xdist registers its mark itself
        config.addinivalue_line("markers", "xdist_group(name): tests that share one xdist worker")
