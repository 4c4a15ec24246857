"""Bulk sessions: one database connection driven directly, for jobs that write rows by the hundred thousand.

Piccolo spends about 100 µs per row building SQL, and its SQLite engine opens a connection per query, so
bulk paths talk to the drivers: PostgreSQL gets COPY and `= ANY(array)` lookups on an asyncpg connection,
SQLite gets `executemany` on one sqlite3 connection in WAL mode, on a thread of its own. Both offer the
same few primitives, so the rules that use them are written once.

Ids are allocated before inserting (a sequence on PostgreSQL, MAX(id) under the write lock on SQLite),
so that rows can reference each other without RETURNING, which COPY and executemany do not offer.
Timestamps are passed as UTC datetimes; on SQLite they go through Piccolo's adapter, so they are stored
in the same format as Piccolo's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol, TypeVar

import asyncpg
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from contacts.db.engine import SQLITE_BUSY_TIMEOUT_SECONDS, engine
from contacts.outages import Outage, caused_by_outage

Result = TypeVar("Result")

# Up to this many rows, PostgreSQL inserts are pipelined statements; beyond, COPY.
SMALL_INSERT = 64
# SQLite's limit on bound parameters is 32,766.
SQLITE_IN_CHUNK = 10_000


class RowWriter(Protocol):
    """The primitives that a rule written once for every connection uses: a BulkSession has them, and so
    has a Piccolo write transaction (contacts.services.people.suppression_rule.PiccoloTransaction)."""

    def among(self, values: Sequence[Any]) -> tuple[str, list[Any]]: ...
    async def fetch(self, sql: str, *params: Any) -> list[dict[str, Any]]: ...
    async def allocate_ids(self, table: str, count: int) -> list[int]: ...
    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None: ...


class BulkSession(ABC):
    # What the driver raises when the database refuses a statement.
    database_errors: tuple[type[Exception], ...] = ()
    # Given, `fetch`, `fetch_together` and `execute_many` outside a transaction wait out an outage and are
    # tried again, on a new connection: for a caller whose statements are safe to repeat (the sender's).
    outage: Outage | None = None
    depth = 0  # transactions open

    async def _outliving(self, operation: Callable[..., Awaitable[Result]], *args: Any) -> Result:
        try:
            return await operation(*args)
        except Exception as error:
            if self.outage is None or self.depth or not caused_by_outage(error):
                raise
            failure = error
        try:  # at once first, in silence: the connection may have been lost in an outage now over
            return await self._afresh(operation, *args)
        except Exception as error:
            if not caused_by_outage(error):
                raise
            failure = error
        await self.outage.wait(failure)
        return await self.outage.call(self._afresh, operation, *args)

    async def _afresh(self, operation: Callable[..., Awaitable[Result]], *args: Any) -> Result:
        await self.reconnect()
        return await operation(*args)

    async def reconnect(self) -> None:
        """After an outage: a new connection, set up as the old one was (PostgreSQL)."""

    async def serialise_writers(self, job: str) -> None:
        """Inside a transaction: wait until no other session of the same job writes (SQLite's
        BEGIN IMMEDIATE already does). Two imports then never race to create one contact."""

    @abstractmethod
    def transaction(self) -> contextlib.AbstractAsyncContextManager[None]:
        """A write transaction; nested, a savepoint."""

    @abstractmethod
    async def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Sequence[Any], **equal: Any
    ) -> list[dict[str, Any]]:
        """Rows of `table` whose `key` is among `values` (and whose other columns equal `equal`)."""

    @abstractmethod
    async def allocate_ids(self, table: str, count: int) -> list[int]:
        """Ids for `count` new rows; call inside a transaction."""

    @abstractmethod
    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        pass

    @abstractmethod
    async def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         unique: Sequence[str]) -> None:
        """Insert the rows whose `unique` columns match no row yet; the others are left as they are."""

    @abstractmethod
    async def update(self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Each row is (key value, *column values)."""

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        """Let the planner see that tables grew (PostgreSQL); nothing to do elsewhere."""

    async def plan_once(self) -> None:
        """Plan each statement once, not at every run (PostgreSQL), for a session that runs a few small
        lookups by key over and over; nothing to do elsewhere."""

    @abstractmethod
    async def fetch(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        """Run one statement written with `?` placeholders; rows as dicts."""

    async def execute(self, sql: str, *params: Any) -> None:
        await self.fetch(sql, *params)

    @abstractmethod
    async def fetch_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[dict[str, Any]]]:
        """Several statements in one round trip, each one's rows. Each is a SELECT or has a RETURNING
        clause, and none may depend on another's writes: on PostgreSQL they are one statement (atomic, one
        snapshot); on SQLite they run in turn in one hop to its thread."""

    @abstractmethod
    def among(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """`(condition, params)` to write `column <condition>`: is the column among these values?"""

    @abstractmethod
    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """One statement with `?` placeholders, once per row."""


class PostgresBulkSession(BulkSession):
    def __init__(self, connection: asyncpg.Connection,
                 connect: Callable[[], Awaitable[asyncpg.Connection]],
                 outage: Outage | None = None) -> None:
        self.connection = connection
        self.connect = connect  # a new connection, after an outage
        self.outage = outage
        self._setup: list[str] = []  # what a new connection runs first
        self.database_errors = (asyncpg.PostgresError, asyncpg.InterfaceError)
        self._columns: dict[str, tuple[str, ...]] = {}  # by statement, for `fetch_together`
        self._together: dict[tuple[str, ...], tuple[str, list]] = {}  # `fetch_together`'s statement and columns
        self._types: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}  # by (table, columns), for `insert_new`

    async def serialise_writers(self, job: str) -> None:
        await self.connection.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"contacts:{job}")

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.depth += 1
        try:
            async with self.connection.transaction():
                yield
        finally:
            self.depth -= 1

    async def reconnect(self) -> None:
        if not self.connection.is_closed():
            self.connection.terminate()  # it may be mid-statement: a statement of its own would wait for it
        self.connection = await self.connect()
        for statement in self._setup:
            await self.connection.execute(statement)

    async def close(self) -> None:
        if not self.connection.is_closed():
            try:
                await self.connection.close(timeout=5)
            except Exception:  # noqa: BLE001 - the database went away meanwhile: nothing left to close
                self.connection.terminate()

    async def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Sequence[Any], **equal: Any
    ) -> list[dict[str, Any]]:
        conditions = [f"{key} = ANY($1)"] + [f"{name} = ${i}" for i, name in enumerate(equal, start=2)]
        sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {' AND '.join(conditions)}"
        return [dict(row) for row in await self.connection.fetch(sql, list(values), *equal.values())]

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        if not count:
            return []
        rows = await self.connection.fetch(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)", table, count
        )
        return [row["id"] for row in rows]

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if len(rows) > SMALL_INSERT:
            await self.connection.copy_records_to_table(table, records=rows, columns=list(columns))
        elif rows:
            # A few rows (an opt-out group's): one pipelined round trip, where COPY takes two.
            placeholders = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            await self.connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)

    async def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         unique: Sequence[str]) -> None:
        # One statement over arrays, one per column: a page of rows in one round trip, where a statement
        # per row ran at about 27,000 rows/s.
        if not rows:
            return
        types = await self._array_types(table, tuple(columns))
        arrays = ", ".join(f"${i}::{kind}[]" for i, kind in enumerate(types, start=1))
        await self.connection.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}) "
            f"ON CONFLICT ({', '.join(unique)}) DO NOTHING",
            *(list(values) for values in zip(*rows)),
        )

    async def _array_types(self, table: str, columns: tuple[str, ...]) -> list[str]:
        key = (table, columns)
        if key not in self._types:
            rows = await self.connection.fetch(
                "SELECT attname, format_type(atttypid, atttypmod) AS kind FROM pg_attribute "
                "WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped", table)
            kinds = {row["attname"]: row["kind"] for row in rows}
            self._types[key] = tuple(kinds[name] for name in columns)
        return list(self._types[key])

    async def update(self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        assignments = ", ".join(f"{name} = ${i}" for i, name in enumerate(columns, start=1))
        sql = f"UPDATE {table} SET {assignments} WHERE {key} = ${len(columns) + 1}"
        await self.connection.executemany(sql, [(*row[1:], row[0]) for row in rows])

    async def fetch(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return await self._outliving(self._fetch, _dollar_placeholders(sql), params)

    async def _fetch(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return [dict(row) for row in await self.connection.fetch(sql, *params)]

    def among(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        return "= ANY(?)", [list(values)]  # one prepared statement whatever the count

    async def fetch_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[dict[str, Any]]]:
        return await self._outliving(self._fetch_together, statements)

    async def _fetch_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[dict[str, Any]]]:
        # One statement, each part a CTE that returns its rows as one array: a round trip (and a commit)
        # instead of one per part. The column names come from each part prepared once on its own.
        shape = tuple(sql for sql, _ in statements)
        if shape not in self._together:  # a sender asks the same few shapes again and again
            parts = [f"q{i} AS ({sql})" for i, sql in enumerate(shape)]
            outputs = [f"(SELECT array_agg(q{i}) FROM q{i})" for i in range(len(shape))]
            self._together[shape] = (_dollar_placeholders(f"WITH {', '.join(parts)} SELECT {', '.join(outputs)}"),
                                     [await self._column_names(sql) for sql in shape])
        sql, names = self._together[shape]
        row = await self.connection.fetchrow(sql, *[param for _, part_params in statements for param in part_params])
        return [[dict(zip(columns, values)) for values in row[i] or ()] for i, columns in enumerate(names)]

    async def _column_names(self, sql: str) -> tuple[str, ...]:
        if sql not in self._columns:
            statement = await self.connection.prepare(_dollar_placeholders(sql))
            self._columns[sql] = tuple(attribute.name for attribute in statement.get_attributes())
        return self._columns[sql]

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await self._outliving(self._executemany, _dollar_placeholders(sql), rows)

    async def _executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await self.connection.executemany(sql, rows)

    async def plan_once(self) -> None:
        # Left to itself, PostgreSQL plans `= ANY($1)` statements anew at every run: the generic plan's
        # estimate for an array of unknown length looks costlier than the custom plans, so it is never
        # chosen, and planning costs more than running (about 200 µs against 50 µs for four contacts).
        self._setup.append("SET plan_cache_mode = force_generic_plan")
        await self.connection.execute(self._setup[-1])

    async def refresh_statistics(self, tables: Sequence[str]) -> None:
        # A table that grew from empty within one job still looks empty to the planner, which then scans
        # it whole for every lookup: 50,000 rows took 30 s instead of 6 before this.
        await self.connection.execute(f"ANALYZE {', '.join(tables)}")


class SqliteBulkSession(BulkSession):
    """One sqlite3 connection, used from one thread: every call hops to it."""

    database_errors = (sqlite3.DatabaseError,)

    def __init__(self, path: str, outage: Outage | None = None) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-bulk")
        self.path = path
        self.outage = outage  # the connection stays usable: a statement is only tried again
        self.connection: sqlite3.Connection | None = None
        self.depth = 0

    @property
    def _opened(self) -> sqlite3.Connection:
        """The connection that `open` made."""
        if self.connection is None:
            raise RuntimeError("the SQLite bulk session is not open")
        return self.connection

    async def _call(self, function: Callable[..., Result], *args: Any) -> Result:
        return await asyncio.get_running_loop().run_in_executor(self.executor, function, *args)

    async def open(self) -> None:
        def connect() -> sqlite3.Connection:
            connection = sqlite3.connect(self.path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode: a crash loses no commit
            return connection

        self.connection = await self._call(connect)

    async def close(self) -> None:
        if self.connection is not None:
            await self._call(self.connection.close)
        self.executor.shutdown(wait=True)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self.depth += 1
        savepoint = f"bulk_{self.depth}"
        begin, commit, rollback = (
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
            if self.depth == 1
            else (f"SAVEPOINT {savepoint}", f"RELEASE {savepoint}", f"ROLLBACK TO {savepoint}")
        )
        try:
            await self._call(self._opened.execute, begin)
        except BaseException:
            self.depth -= 1  # not begun (the lock stayed taken, say): the next one is a transaction again
            raise
        try:
            yield
        except BaseException:
            await self._call(self._opened.execute, rollback)
            if self.depth > 1:
                await self._call(self._opened.execute, commit)  # a rolled-back savepoint must still be released
            raise
        else:
            await self._call(self._opened.execute, commit)
        finally:
            self.depth -= 1

    async def select_in(
        self, table: str, columns: Sequence[str], key: str, values: Sequence[Any], **equal: Any
    ) -> list[dict[str, Any]]:
        def select() -> list[dict[str, Any]]:
            result: list[dict[str, Any]] = []
            extra = "".join(f" AND {name} = ?" for name in equal)
            values_list = list(values)
            for start in range(0, len(values_list), SQLITE_IN_CHUNK):
                chunk = values_list[start : start + SQLITE_IN_CHUNK]
                sql = (
                    f"SELECT {', '.join(columns)} FROM {table} "
                    f"WHERE {key} IN ({', '.join('?' * len(chunk))}){extra}"
                )
                result.extend(dict(row) for row in self._opened.execute(sql, [*chunk, *equal.values()]))
            return result

        return await self._call(select) if values else []

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        def allocate() -> list[int]:
            (last,) = self._opened.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}").fetchone()
            return list(range(last + 1, last + 1 + count))

        return await self._call(allocate) if count else []

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            await self._call(self._opened.executemany, sql, rows)

    async def insert_new(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]],
                         unique: Sequence[str]) -> None:
        if rows:
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
                   f"ON CONFLICT ({', '.join(unique)}) DO NOTHING")
            await self._call(self._opened.executemany, sql, rows)

    async def update(self, table: str, key: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            sql = f"UPDATE {table} SET {', '.join(f'{name} = ?' for name in columns)} WHERE {key} = ?"
            await self._call(self._opened.executemany, sql, [(*row[1:], row[0]) for row in rows])

    async def fetch(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        def run() -> list[dict[str, Any]]:
            return [dict(row) for row in self._opened.execute(sql, params)]

        return await self._outliving(self._call, run)

    async def fetch_together(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[list[dict[str, Any]]]:
        # A hop to the thread costs more than a small statement: one for all.
        def run() -> list[list[dict[str, Any]]]:
            return [[dict(row) for row in self._opened.execute(sql, params)] for sql, params in statements]

        return await self._outliving(self._call, run)

    def among(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        values = list(values)
        if len(values) > SQLITE_IN_CHUNK:
            raise ValueError(f"at most {SQLITE_IN_CHUNK} values")
        return f"IN ({', '.join('?' * len(values))})", values

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            await self._outliving(self._call, self._opened.executemany, sql, rows)


def _dollar_placeholders(sql: str) -> str:
    """`?` to PostgreSQL's `$1, $2, …` (our statements have no `?` inside literals)."""
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))


@contextlib.asynccontextmanager
async def bulk_session(outage: Outage | None = None) -> AsyncIterator[BulkSession]:
    """`outage`: the session's single statements wait out an outage (see BulkSession.outage)."""
    db = engine()
    if isinstance(db, PostgresEngine):
        # A connection of its own, never one of Piccolo's pool: a bulk job holds its sessions for long, and
        # the services it calls meanwhile (a suppression, say) must still find a free pool connection.
        postgres = PostgresBulkSession(await db.get_new_connection(), db.get_new_connection, outage)
        try:
            yield postgres
        finally:
            await postgres.close()
    elif isinstance(db, SQLiteEngine):
        session = SqliteBulkSession(db.path, outage)
        await session.open()
        try:
            yield session
        finally:
            await session.close()
    else:
        raise TypeError(f"no bulk session for {type(db).__name__}")
