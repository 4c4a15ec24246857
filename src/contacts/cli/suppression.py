from __future__ import annotations

import sys
from pathlib import Path

import click

from contacts.cli.runner import actor, run
from contacts.domain import Channel


@click.command(name="suppress")
@click.argument("email")
@click.option("--reason", required=True, help="unsubscribe, objection, erasure, hard_bounce, complaint or manual.")
@click.option("--scope", default="global", show_default=True, help="global, purpose:<code> or list:<slug>.")
def suppress_command(email: str, reason: str, scope: str) -> None:
    """Add an address to the suppression list (stored as a keyed hash, never in plain)."""
    from contacts.services.people import suppression  # start-up: imported when run

    result = run(lambda: suppression.suppress(email, reason, scope=scope, actor=actor(), channel=Channel.CLI))
    entry = result.entry
    if result.created:
        click.echo(f"suppressed ({entry.reason}, {entry.scope})")
    else:
        click.echo(f"already suppressed ({entry.reason}, {entry.scope}) since {entry.created_at:%Y-%m-%d}")


@click.group(name="suppression")
def suppression_group() -> None:
    """Export, import or check the suppression list."""


@suppression_group.command(name="export")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None, help="Default: standard output.")
def export_command(output: Path | None) -> None:
    """Write every entry as CSV: hash, key id, canonicaliser version, scope, reason, date. Never addresses."""
    from contacts.services.people import suppression  # start-up: imported when run

    rows = run(suppression.export_rows)
    if output is None:
        suppression.write_export(rows, sys.stdout)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        count = suppression.write_export(rows, handle)
    click.echo(f"exported {count} entries to {output}", err=True)


@suppression_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def import_command(file: Path) -> None:
    """Import entries exported by an instance holding the same secret key."""
    from contacts.services.people import suppression  # start-up: imported when run

    async def work():
        with open(file, encoding="utf-8-sig", newline="") as handle:
            return await suppression.import_entries(handle, actor=actor())

    report = run(work)
    click.echo(f"created: {report.created}\nalready present: {report.already_present}\ninvalid: {len(report.errors)}")
    for row, column, reason in report.errors:
        click.echo(f"row {row}, {column}: {reason}", err=True)
    if report.errors:
        sys.exit(1)


@suppression_group.command(name="check")
@click.argument("email")
def check_command(email: str) -> None:
    """Say whether an address is suppressed, and in which scopes."""
    from contacts.services.people import suppression  # start-up: imported when run

    entries = run(lambda: suppression.entries_for(email))
    if not entries:
        click.echo("not suppressed")
        return
    for entry in entries:
        click.echo(f"suppressed: {entry.scope} ({entry.reason}) since {entry.created_at:%Y-%m-%d}")
