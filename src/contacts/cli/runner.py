"""Running a service call from a command: database connected, schema checked, errors printed."""

from __future__ import annotations

import asyncio
import getpass
import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn

from rich.console import Console

from contacts.errors import ConfigurationError, ContactsError
from contacts.outages import caused_by_outage
from contacts.settings import get_settings

err_console = Console(stderr=True, highlight=False)


def fail(message: str) -> NoReturn:
    err_console.print(f"[bold red]error:[/] {message}")
    sys.exit(2)


def load_settings_or_exit():
    try:
        return get_settings()
    except ContactsError as error:
        fail(str(error))


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
    except ContactsError as error:
        fail(str(error))
    except Exception as error:
        if not caused_by_outage(error):
            raise
        fail(f"base de données injoignable / database unreachable ({' '.join(str(error).split())[:160]})")


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
    raise ConfigurationError(f"{len(pending)} migration(s) pending; run `contacts migrate` first")
