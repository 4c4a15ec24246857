from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from collections.abc import Iterator
from typing import Any

import click

from contacts.cli.runner import hold_database, run
from contacts.cli.words import _, ngettext
from contacts.i18n import N_
from contacts.logs import configure_logging, logging_config
from contacts.settings import get_settings


@click.command(name="serve", help=N_("Serve the web app and API (migrating the embedded SQLite database first)."))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(min=1),
              help=N_("Server processes (PostgreSQL only: SQLite has one writer)."))
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help=N_("Log every request. Off by default: recipients' links carry their tokens in the path."))
def serve_command(host: str, port: int, workers: int, access_log: bool) -> None:
    import uvicorn  # start-up: imported when run

    from contacts.app import create_app  # start-up: imported when run

    settings = get_settings()
    if workers > 1 and settings.database_kind != "postgresql":
        raise click.BadParameter(_("more than one worker needs PostgreSQL (CONTACTS_DATABASE_URL)"),
                                 param_hint="--workers")
    if workers > 1 and settings.mail_catcher:
        raise click.BadParameter(_("the built-in mail catcher runs in one process: set CONTACTS_SMTP_URL"),
                                 param_hint="--workers")
    configure_logging()
    hold_database("contacts serve")
    run(lambda: asyncio.sleep(0))  # ensure_schema: migrates SQLite, refuses a stale PostgreSQL
    # uvicorn's own proxy headers would believe X-Forwarded-For from 127.0.0.1 (or FORWARDED_ALLOW_IPS): the
    # app reads it itself, from CONTACTS_TRUSTED_PROXIES only, so the client is the peer unless told otherwise.
    options: dict[str, Any] = {"host": host, "port": port, "access_log": access_log, "proxy_headers": False}
    # Ours, which uvicorn applies in each `--workers` child too (contacts.logs).
    options.update(log_config=logging_config(settings.log_format, settings.log_level), log_level=settings.log_level)
    if workers == 1:
        uvicorn.run(create_app(), **options)
    else:
        with metrics_shared_by_workers(settings.metrics_token):
            uvicorn.run("contacts.app:create_app", factory=True, workers=workers, **options)


@contextlib.contextmanager
def metrics_shared_by_workers(metrics_token: str) -> Iterator[None]:
    """With several server processes, each counts its requests in files of one temporary directory, which a
    scrape of any of them adds up (prometheus-client's multiprocess mode). The workers inherit the variable
    as they start, before they import prometheus-client; the directory goes when `serve` ends."""
    if not metrics_token:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="contacts-metrics-") as directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        try:
            yield
        finally:
            os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)


@click.command(name="migrate", help=N_("Apply pending database migrations (what production runs on deploy)."))
@click.option("--verbose", is_flag=True, help=N_("Show each migration as it runs."))
def migrate_command(verbose: bool) -> None:
    from contacts.db.engine import (  # start-up: imported when run
        migrate,
        pending_migrations,
    )

    async def work() -> list[str]:
        pending = await pending_migrations()
        await migrate(verbose=verbose)
        return pending

    pending = run(work, check_schema=False)
    click.echo(ngettext("applied %(num)s migration", "applied %(num)s migrations", len(pending)) if pending
               else _("the database is up to date"))
