"""`contacts lists`: the catalogue's lists, with their purpose and legal basis."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from contacts.cli.runner import run
from contacts.cli.words import _, language, term
from contacts.i18n import N_


@click.command(name="lists", help=N_("Print each list with its purpose and legal basis."))
def lists_command() -> None:
    from contacts.services import catalogue  # start-up: imported when run

    table = Table(_("list"), _("name"), _("purpose"), _("legal basis"), _("double opt-in"), _("for"))
    for item in run(catalogue.lists):
        table.add_row(
            item.slug,
            item.display_name(language()),
            item.purpose.code,
            term(str(item.purpose.default_legal_basis)),
            _("yes") if item.double_opt_in else _("no"),
            item.display_audience(language()),
        )
    # Wide when piped, so scripts and tests see whole rows.
    Console(width=None if sys.stdout.isatty() else 200).print(table)
