"""Running a service call from a command: database connected, schema checked, errors printed."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from rich.console import Console

from contacts.cli.words import _, error, language, language_problem
from contacts.errors import ConfigurationError, ContactsError, ValidationError
from contacts.i18n import N_
from contacts.outages import caused_by_outage
from contacts.settings import get_settings
from contacts.typography import french

err_console = Console(stderr=True, highlight=False)


def fail(message: str, status: int = 2) -> NoReturn:
    """Prints the refusal on standard error and exits with status 2 (or the one given)."""
    err_console.print(error(message), style="bold red" if err_console.is_terminal else None, markup=False,
                      soft_wrap=True)
    sys.exit(status)


def said(problem: ContactsError) -> str:
    """A domain error in the operator's language; a field by the name the command takes (`body_fr`)."""
    if isinstance(problem, ValidationError):
        text = f"{problem.field}: {problem.message_in(language())}"
    else:
        text = problem.said_in(language())
    return french(text) if language() == "fr" else text


def load_settings_or_exit():
    if (fault := language_problem()) is not None:
        fail(fault)
    try:
        return get_settings()
    except ContactsError as problem:
        fail(said(problem))


def hold_database(command: str, *, named: bool = True, refused_status: int = 2) -> None:
    """On SQLite, marks the database as used by this process until it ends: `contacts restore` refuses
    meanwhile, naming `command` unless the process is too short-lived to be worth a line (`named=False`)."""
    settings = get_settings()
    if settings.database_kind != "sqlite":
        return
    from contacts.db.in_use import hold_while_running  # start-up: imported when run

    try:
        hold_while_running(settings.sqlite_path, command if named else None)
    except ContactsError as problem:
        fail(said(problem), refused_status)


def actor() -> str:
    """Who did it, for the consent ledger."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - some containers have no login name
        return "cli"


def run(work: Callable[[], Awaitable[Any]], *, check_schema: bool = True,
        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None) -> Any:
    async def connected_work() -> Any:
        from contacts.db.engine import connected  # start-up: imported when run

        async with connected():
            if check_schema:
                await ensure_schema()
            return await work()

    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(connected_work())
    except ContactsError as problem:
        fail(said(problem))
    except Exception as problem:
        if not caused_by_outage(problem):
            raise
        fail(_("database unreachable (%(cause)s)", cause=" ".join(str(problem).split())[:160]))


async def ensure_schema() -> None:
    """The embedded SQLite database migrates itself in development; production migrates explicitly."""
    from contacts.db.engine import (  # start-up: imported when run
        migrate,
        pending_migrations,
    )

    settings = get_settings()
    pending = await pending_migrations()
    if not pending:
        return
    if settings.database_kind == "sqlite" and not settings.is_production:
        await migrate()
        return
    raise ConfigurationError(N_("1 migration pending; run `contacts migrate` first") if len(pending) == 1 else
                             N_("%(count)s migrations pending; run `contacts migrate` first"), count=len(pending))
