"""Engine construction, migrations and connection lifecycle, for SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import io
import json
import os
import sqlite3
from collections.abc import AsyncIterator

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from contacts.errors import ConfigurationError
from contacts.outages import quieten_driver_logs
from contacts.settings import Settings

SQLITE_BUSY_TIMEOUT_SECONDS = 30


def make_engine(settings: Settings) -> Engine:
    if settings.database_kind == "postgresql":
        # No extensions: the app needs none, and creating one needs superuser rights.
        return PostgresEngine(config={"dsn": settings.database_url}, extensions=())
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLiteEngine(path=str(path), timeout=SQLITE_BUSY_TIMEOUT_SECONDS)


def engine() -> Engine:
    """The engine Piccolo's tables use: the one PICCOLO_CONF names (contacts.db.piccolo_conf, which builds it
    from the settings when first asked)."""
    db = engine_finder()
    if db is None:
        raise ConfigurationError(f"no database engine in {os.environ.get('PICCOLO_CONF')}")
    return db


def prepare_sqlite_file(path: str) -> None:
    """WAL lets readers run beside the writer; the mode is stored in the file, so once is enough."""
    with contextlib.closing(sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS)) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


async def migrate(verbose: bool = False) -> None:
    """Apply every pending migration. Raises ConfigurationError when one fails."""
    # Piccolo's migration machinery costs 0.17 s to import: the processes that never migrate nor check the
    # schema (the app's workers, the sending helpers) do not pay for it.
    from piccolo.apps.migrations.commands.forwards import run_forwards

    db = engine()
    if isinstance(db, SQLiteEngine):
        prepare_sqlite_file(db.path)
    output = io.StringIO()
    # Piccolo prints its progress; show it only when asked.
    with contextlib.nullcontext() if verbose else contextlib.redirect_stdout(output):
        result = await run_forwards(app_name="all", migration_id="all", fake=False)
    if not result.success:
        raise ConfigurationError(f"migration failed: {result.message}\n{output.getvalue()}")


async def pending_migrations() -> list[str]:
    # As in migrate(): 0.17 s of imports, paid only where the schema is checked.
    from piccolo.apps.migrations.commands.base import BaseMigrationManager
    from piccolo.apps.migrations.tables import Migration
    from piccolo.conf.apps import Finder

    app_config = Finder().get_app_config("contacts")
    if not await Migration.table_exists():
        ran: list[str] = []
    else:
        ran = await Migration.get_migrations_which_ran(app_name="contacts")
    manager = BaseMigrationManager()
    modules = manager.get_migration_modules(app_config.resolved_migrations_folder_path)
    return sorted(set(manager.get_migration_ids(modules)) - set(ran))


@contextlib.asynccontextmanager
async def connected() -> AsyncIterator[Engine]:
    """Open the PostgreSQL pool for the duration of a command or of the app's life.
    A pool that is already open (a test's, say) is used and left open."""
    db = engine()
    quieten_driver_logs()
    if isinstance(db, PostgresEngine) and db.pool is None:
        await db.start_connection_pool(min_size=1, max_size=10)
        try:
            yield db
        finally:
            await db.close_connection_pool()
    else:
        yield db


# Writers of this process queue here, not on SQLite's busy handler, which sleeps in growing steps and
# turned a burst of one-click unsubscribes into seconds of latency. One lock per event loop.
_sqlite_writers: dict[int, asyncio.Lock] = {}
_holding_sqlite_write = contextvars.ContextVar("holding_sqlite_write", default=False)


@contextlib.asynccontextmanager
async def process_writer_turn() -> AsyncIterator[None]:
    """On SQLite, wait for this process's other writers to finish before a connection of our own (a bulk
    session's) begins its IMMEDIATE transaction; elsewhere, nothing to wait for."""
    if not isinstance(engine(), SQLiteEngine):
        yield
        return
    if _holding_sqlite_write.get():
        # Our own connection would wait for the write lock that this very task holds through Piccolo.
        raise RuntimeError("a second SQLite connection cannot write inside a write_transaction()")
    lock = _sqlite_writers.setdefault(id(asyncio.get_running_loop()), asyncio.Lock())
    async with lock:
        token = _holding_sqlite_write.set(True)
        try:
            yield
        finally:
            _holding_sqlite_write.reset(token)


class _CancelSafe:
    """Piccolo's PostgreSQL transaction gives its pooled connection back only when BEGIN, COMMIT or ROLLBACK
    returns normally. A task cancelled while it waits for one (background work stopped as the server shuts
    down) would keep the connection forever, and closing the pool would then wait forever. This gives it back
    whatever happens; asyncpg resets a released connection, rolling back what was left open.
    (Reaches into piccolo.engine.postgres.PostgresTransaction, piccolo 1.x.)"""

    def __init__(self, transaction) -> None:
        self.transaction = transaction

    async def __aenter__(self):
        try:
            return await self.transaction.__aenter__()
        except asyncio.CancelledError:
            await self._give_back()
            raise

    async def __aexit__(self, *exc_info):
        try:
            return await self.transaction.__aexit__(*exc_info)
        except asyncio.CancelledError:
            await self._give_back()
            raise

    async def _give_back(self) -> None:
        transaction = self.transaction
        if transaction._parent is not None or getattr(transaction, "connection", None) is None:
            return
        with contextlib.suppress(Exception):  # already given back, or the connection is gone
            await transaction.engine.pool.release(transaction.connection)
        with contextlib.suppress(Exception):  # the task's context may be reset already
            transaction.engine.current_transaction.reset(transaction.context)


@contextlib.asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A transaction that will write. On SQLite it takes the write lock at BEGIN (IMMEDIATE), so two
    writers queue instead of failing with "database is locked" on lock upgrade; the writers of this
    process queue on an asyncio lock first. A write transaction inside another joins it."""
    db = engine()
    if not isinstance(db, SQLiteEngine):
        async with _CancelSafe(db.transaction()):
            yield
        return
    if _holding_sqlite_write.get():
        async with db.transaction():  # Piccolo joins the transaction already open in this task
            yield
        return
    async with process_writer_turn(), db.transaction(transaction_type=TransactionType.immediate):
        yield


def json_value(value):
    """A JSON column's value: Piccolo reads it back as text on some engines and parsed on others."""
    return json.loads(value) if isinstance(value, str) else value
