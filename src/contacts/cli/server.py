from __future__ import annotations

import asyncio

import click

from contacts.cli.runner import run


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve_command(host: str, port: int) -> None:
    """Serve the web app and API (migrating the embedded SQLite database first)."""
    import uvicorn

    from contacts.app import create_app

    run(lambda: asyncio.sleep(0))  # ensure_schema: migrates SQLite, refuses a stale PostgreSQL
    uvicorn.run(create_app(), host=host, port=port, log_level="info")


@click.command(name="migrate")
@click.option("--verbose", is_flag=True, help="Show each migration as it runs.")
def migrate_command(verbose: bool) -> None:
    """Apply pending database migrations (what production runs on deploy)."""
    from contacts.database import migrate, pending_migrations

    async def work() -> list[str]:
        pending = await pending_migrations()
        await migrate(verbose=verbose)
        return pending

    pending = run(work, check_schema=False)
    click.echo(f"applied {len(pending)} migration(s)" if pending else "the database is up to date")
