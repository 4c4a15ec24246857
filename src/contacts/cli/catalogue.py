"""`contacts lists` and `contacts purpose …`: the catalogue, and the purposes' sending windows."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from contacts.cli.runner import actor, fail, run


@click.command(name="lists")
def lists_command() -> None:
    """Print each list with its purpose and legal basis."""
    from contacts.services import catalogue  # start-up: imported when run

    table = Table("list", "name", "purpose", "legal basis", "double opt-in", "for")
    for item in run(catalogue.lists):
        table.add_row(
            item.slug,
            item.name,
            item.purpose.code,
            str(item.purpose.default_legal_basis),
            "yes" if item.double_opt_in else "no",
            item.audience,
        )
    # Wide when piped, so scripts and tests see whole rows.
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@click.group(name="purpose")
def purpose_group() -> None:
    """The purposes and their sending windows."""


@purpose_group.command(name="list")
def purpose_list_command() -> None:
    """Each purpose with its legal basis and its sending window (Paris time)."""
    from contacts.services import catalogue  # start-up: imported when run

    table = Table("purpose", "legal basis", "direct marketing", "sending window")
    for purpose in run(catalogue.purposes):
        table.add_row(purpose.code, str(purpose.default_legal_basis), "yes" if purpose.is_direct_marketing else "no",
                      _window_text(purpose.window))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _window_text(window) -> str:
    if window is None:
        return "any time"
    holidays = ", not on French public holidays" if window.skips_holidays else ", public holidays included"
    return f"{window.days_text} {window.hours_text}{holidays}"


@purpose_group.command(name="window")
@click.argument("code")
@click.option("--days", default=None, help="The days it sends on: mon, tue, wed, thu, fri, sat, sun, comma "
                                           "separated, or ranges such as mon-fri.")
@click.option("--from", "opens", default="08:00", show_default=True, help="When it opens, Paris time (HH:MM).")
@click.option("--until", "closes", default="20:00", show_default=True,
              help="When it closes, Paris time (HH:MM, 24:00 for midnight).")
@click.option("--public-holidays/--no-public-holidays", "on_holidays", default=False, show_default=True,
              help="Whether it also sends on French public holidays.")
@click.option("--always", is_flag=True, help="No window: its campaigns go out at any time.")
def purpose_window_command(code: str, days: str | None, opens: str, closes: str, on_holidays: bool,
                           always: bool) -> None:
    """Set a purpose's sending window (audited); with CONTACTS_SENDING_WINDOWS on, its campaigns send only then."""
    from contacts.services import window_operations  # start-up: imported when run

    if always == (days is not None):
        fail("give --days (and --from, --until) for a window, or --always for none")
    purpose = run(lambda: window_operations.set_window(actor(), code, [] if always else [days or ""], opens, closes,
                                                       skips_holidays=not on_holidays))
    click.echo(f"{purpose.code}: {_window_text(purpose.window)}")
