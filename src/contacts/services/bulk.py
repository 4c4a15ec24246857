"""Set-based inserts and updates for bulk paths, in each engine's fastest form.

Piccolo's `insert()` spends about 100 µs per row building SQL. Here PostgreSQL gets one `unnest`
statement per batch (a fixed number of parameters, whatever the batch size) and SQLite one multi-row
VALUES statement, both through `raw()`, so they join the caller's transaction.

Timestamps are always passed explicitly as UTC datetimes: on SQLite, Piccolo stores them as ISO
strings, and a database default would write another format that does not sort with them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

from contacts.database import engine

# SQLite's limit on bound parameters is 32,766; PostgreSQL's unnest path has no such concern.
SQLITE_MAX_PARAMETERS = 30_000


@dataclass(frozen=True)
class Column:
    name: str
    pg_type: str  # the PostgreSQL element type: text, integer, bigint, timestamptz, boolean, json


def _is_sqlite() -> bool:
    return isinstance(engine(), SQLiteEngine)


async def insert_many(
    table: type[Table], columns: Sequence[Column], rows: Sequence[Sequence[Any]], returning: Sequence[str] = ()
) -> list[dict[str, Any]]:
    if not rows:
        return []
    names = ", ".join(column.name for column in columns)
    returning_sql = f" RETURNING {', '.join(returning)}" if returning else ""
    tablename = table._meta.tablename
    if not _is_sqlite():
        arrays = ", ".join(f"{{}}::{_array_type(c)}[]" for c in columns)
        select = ", ".join(f"v.{c.name}::{c.pg_type}" if c.pg_type == "json" else f"v.{c.name}" for c in columns)
        sql = f"INSERT INTO {tablename} ({names}) SELECT {select} FROM unnest({arrays}) AS v({names}){returning_sql}"
        return await table.raw(sql, *_transpose(rows, len(columns)))
    result: list[dict[str, Any]] = []
    per_statement = max(1, SQLITE_MAX_PARAMETERS // len(columns))
    placeholders = "(" + ", ".join("{}" for _ in columns) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = f"INSERT INTO {tablename} ({names}) VALUES {', '.join(placeholders for _ in chunk)}{returning_sql}"
        result.extend(await table.raw(sql, *[value for row in chunk for value in row]) or [])
    return result


async def update_many(
    table: type[Table], key: Column, columns: Sequence[Column], rows: Sequence[Sequence[Any]]
) -> None:
    """Each row is (key, *values): set `columns` to `values` on the row whose `key` matches."""
    if not rows:
        return
    tablename = table._meta.tablename
    all_columns = [key, *columns]
    names = ", ".join(c.name for c in all_columns)
    assignments = ", ".join(f"{c.name} = v.{c.name}" for c in columns)
    if not _is_sqlite():
        arrays = ", ".join(f"{{}}::{_array_type(c)}[]" for c in all_columns)
        sql = (
            f"UPDATE {tablename} SET {', '.join(_pg_assign(c) for c in columns)} "
            f"FROM unnest({arrays}) AS v({names}) WHERE {tablename}.{key.name} = v.{key.name}"
        )
        await table.raw(sql, *_transpose(rows, len(all_columns)))
        return
    per_statement = max(1, SQLITE_MAX_PARAMETERS // len(all_columns))
    aliases = ", ".join(f"column{i + 1} AS {c.name}" for i, c in enumerate(all_columns))
    placeholders = "(" + ", ".join("{}" for _ in all_columns) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        sql = (
            f"UPDATE {tablename} SET {assignments} FROM (SELECT {aliases} FROM (VALUES "
            f"{', '.join(placeholders for _ in chunk)})) AS v WHERE {tablename}.{key.name} = v.{key.name}"
        )
        await table.raw(sql, *[value for row in chunk for value in row])


def _pg_assign(column: Column) -> str:
    cast = "::json" if column.pg_type == "json" else ""
    return f"{column.name} = v.{column.name}{cast}"


def _array_type(column: Column) -> str:
    # json[] cannot be built from text parameters without a cast per element; pass text and cast after.
    return "text" if column.pg_type == "json" else column.pg_type


def _transpose(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    return [[row[i] for row in rows] for i in range(width)]


async def refresh_statistics(*tables: type[Table]) -> None:
    """PostgreSQL plans from table statistics; a table that grew from empty within one bulk job still looks
    empty, and the planner then scans it whole for every lookup. SQLite uses the unique indexes regardless."""
    if not _is_sqlite():
        await tables[0].raw(f"ANALYZE {', '.join(t._meta.tablename for t in tables)}")
