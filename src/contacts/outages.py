"""Riding out a database that went away (a restart, a failover, a SQLite file locked for too long).

The work that needs it waits, tries again after a growing delay, and goes on once the database answers,
with one line said per try; past CONTACTS_DATABASE_OUTAGE_LIMIT seconds it gives up with
DatabaseUnavailable, which a command turns into exit status 2. Only what is safe to repeat is tried again:
a statement outside a transaction whose effect is the same when done twice (the sender's claims, checks and
marks hold only while the claim is the caller's), or a whole unit of work that picks up where it stopped.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import sqlite3
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from contacts.errors import ContactsError
from contacts.settings import get_settings

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_DELAY_SECONDS = 0.5
LONGEST_DELAY_SECONDS = 5.0
# What an unreachable PostgreSQL looks like through asyncpg, besides the OSErrors of its socket.
_CLOSED_CONNECTION_WORDS = ("connection is closed", "connection was closed", "another operation is in progress")
# A socket's, besides ConnectionError and TimeoutError (a missing file is an OSError too, but no outage).
_NETWORK_ERRNOS = {errno.ECONNREFUSED, errno.ECONNRESET, errno.ECONNABORTED, errno.ETIMEDOUT, errno.EPIPE,
                   errno.ENETDOWN, errno.ENETUNREACH, errno.EHOSTDOWN, errno.EHOSTUNREACH}
# SQLite's: a lock held past the busy timeout, a file that cannot be opened or read.
_SQLITE_WORDS = ("locked", "busy", "unable to open", "disk i/o")


class DatabaseUnavailable(ContactsError):
    """The database stayed away past the limit."""


def caused_by_outage(error: BaseException) -> bool:
    """Whether `error` says the database is unreachable, not that a statement is wrong. A group (a task
    group's) is, when each of its errors is, besides the cancellations it caused."""
    if isinstance(error, BaseExceptionGroup):
        errors = [leaf for leaf in _leaves(error) if not isinstance(leaf, asyncio.CancelledError)]
        return bool(errors) and all(caused_by_outage(leaf) for leaf in errors)
    if isinstance(error, sqlite3.OperationalError):
        return any(words in str(error).lower() for words in _SQLITE_WORDS)
    if isinstance(error, (ConnectionError, TimeoutError, socket.gaierror)):  # refused, reset, timed out, no name
        return True
    if isinstance(error, OSError):  # asyncio's "Multiple exceptions: … Connect call failed" has no errno
        return error.errno in _NETWORK_ERRNOS or "connect call failed" in str(error).lower()
    # Here: the CLI imports this module at start, and asyncpg costs it 45 ms (on SQLite, for nothing).
    import asyncpg

    if isinstance(error, (asyncpg.PostgresConnectionError, asyncpg.exceptions.OperatorInterventionError,
                          asyncpg.exceptions.InsufficientResourcesError)):
        return True  # gone, shutting down or starting up, out of connections
    return isinstance(error, asyncpg.InterfaceError) and any(words in str(error) for words in _CLOSED_CONNECTION_WORDS)


def unavailable_in(error: BaseException) -> DatabaseUnavailable | None:
    """The DatabaseUnavailable that `error` is, or that its group holds."""
    if isinstance(error, BaseExceptionGroup):
        return next((leaf for leaf in _leaves(error) if isinstance(leaf, DatabaseUnavailable)), None)
    return error if isinstance(error, DatabaseUnavailable) else None


def _leaves(group: BaseExceptionGroup) -> list[BaseException]:
    leaves: list[BaseException] = []
    for error in group.exceptions:
        leaves.extend(_leaves(error) if isinstance(error, BaseExceptionGroup) else [error])
    return leaves


class QuietDriverLogs(logging.Filter):
    """asyncpg's pool logs each failed reconnection with its traceback: during an outage, that says
    nothing more than our own line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and record.exc_info[1] is not None and caused_by_outage(record.exc_info[1]))


def quieten_driver_logs() -> None:
    pool_log = logging.getLogger("asyncpg.pool")
    if not any(isinstance(existing, QuietDriverLogs) for existing in pool_log.filters):
        pool_log.addFilter(QuietDriverLogs())


def _french(seconds: float) -> str:
    return f"{seconds:.1f}".replace(".", ",")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:160]


class Outage:
    """The state of one process's waits for its database, shared by every task that uses it: they try
    again together, and one line is said per try, not one per task."""

    def __init__(self, limit: float) -> None:
        self.limit = limit  # seconds
        self.seen = 0  # outages ridden out so far
        self._began: float | None = None
        self._delay = 0.0
        self._next_try: asyncio.Future | None = None

    @classmethod
    def from_settings(cls) -> Outage:
        return cls(get_settings().database_outage_limit)

    async def wait(self, error: BaseException) -> None:
        """After a failure that `caused_by_outage`: returns when it is time to try again. Raises
        DatabaseUnavailable once the database has been away for `limit` seconds."""
        if self._next_try is None or self._next_try.done():
            now = time.monotonic()
            if self._began is None:
                self._began, self._delay = now, FIRST_DELAY_SECONDS
                self.seen += 1
            else:
                self._delay = min(self._delay * 2, LONGEST_DELAY_SECONDS)
            away = now - self._began
            if away >= self.limit:
                raise DatabaseUnavailable(
                    f"base de données injoignable depuis {away:.0f} s (limite CONTACTS_DATABASE_OUTAGE_LIMIT="
                    f"{self.limit:g})\u202f; rien n’est perdu, relancez la commande / database unreachable for "
                    f"{away:.0f} s (limit CONTACTS_DATABASE_OUTAGE_LIMIT={self.limit:g}); nothing is lost, "
                    "run the command again") from None
            delay = min(self._delay, max(self.limit - away, 0.0))
            log.warning("base de données injoignable, nouvel essai dans %s s… / database unreachable, "
                        "retrying in %.1f s… (%s)", _french(delay), delay, _one_line(error))
            self._next_try = asyncio.ensure_future(asyncio.sleep(delay))
        await asyncio.shield(self._next_try)

    def over(self) -> None:
        """A try went through: the database is back."""
        if self._began is not None:
            away = time.monotonic() - self._began
            log.warning("base de données de retour après %s s, on continue / database back after %.1f s, "
                        "going on", _french(away), away)
            self._began = None

    async def call(self, operation: Callable[..., Awaitable[T]], *args, **kwargs) -> T:
        """`operation(*args, **kwargs)`, tried again until it goes through; each try must be safe to repeat."""
        while True:
            try:
                result = await operation(*args, **kwargs)
            except Exception as error:
                if not caused_by_outage(error):
                    raise
                await self.wait(error)
                continue
            self.over()
            return result
