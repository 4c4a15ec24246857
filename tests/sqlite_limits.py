"""SQLite held to its stock limits, whatever build this machine links (Debian's allows 250,000 parameters a
statement where a stock build allows 32,766), so that a statement too large for a stock build fails here too."""

from __future__ import annotations

import sqlite3

import pytest

STOCK_SQLITE_PARAMETERS = 32_766  # SQLITE_MAX_VARIABLE_NUMBER's default since 3.32


@pytest.fixture
def stock_sqlite_parameter_limit(monkeypatch):
    """Every SQLite connection opened meanwhile (Piccolo's, through aiosqlite, and the bulk sessions')."""
    connect = sqlite3.connect

    def limited(*args, **kwargs):
        connection = connect(*args, **kwargs)
        connection.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, STOCK_SQLITE_PARAMETERS)
        return connection

    monkeypatch.setattr(sqlite3, "connect", limited)
