from __future__ import annotations

import sys
from pathlib import Path

import click

from contacts.cli.runner import actor, run
from contacts.cli.words import _, language, ngettext, term
from contacts.domain import Channel
from contacts.i18n import N_


@click.command(name="suppress",
               help=N_("Add an address to the suppression list (stored as a keyed hash, never in plain)."))
@click.argument("email")
@click.option("--reason", required=True, help=N_("unsubscribe, objection, erasure, hard_bounce, complaint or manual."))
@click.option("--scope", default="global", show_default=True, help=N_("global, purpose:<code> or list:<slug>."))
def suppress_command(email: str, reason: str, scope: str) -> None:
    from contacts.services.people import suppression  # start-up: imported when run

    result = run(lambda: suppression.suppress(email, reason, scope=scope, actor=actor(), channel=Channel.CLI))
    entry = result.entry
    if result.created:
        click.echo(_("suppressed (%(reason)s, %(scope)s)", reason=term(entry.reason), scope=scope_words(entry.scope)))
    else:
        click.echo(_("already suppressed (%(reason)s, %(scope)s) since %(date)s", reason=term(entry.reason),
                     scope=scope_words(entry.scope), date=day(entry.created_at)))


def scope_words(scope: str) -> str:
    """`global` in words in French; `purpose:…` and `list:…` as they are, the way --scope takes them."""
    return term(scope) if scope == "global" else scope


@click.group(name="suppression", help=N_("Export, import or check the suppression list."))
def suppression_group() -> None:
    pass


@suppression_group.command(name="export",
                           help=N_("Write every entry as CSV: hash, key id, canonicaliser version, scope, reason, "
                                   "date. Never addresses."))
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=N_("Default: standard output."))
def export_command(output: Path | None) -> None:
    from contacts.services.people import suppression  # start-up: imported when run

    rows = run(suppression.export_rows)
    if output is None:
        suppression.write_export(rows, sys.stdout)
        return
    with open(output, "w", encoding="utf-8", newline="") as handle:
        count = suppression.write_export(rows, handle)
    click.echo(ngettext("exported %(num)s entry to %(path)s", "exported %(num)s entries to %(path)s", count,
                        path=output), err=True)


@suppression_group.command(name="import",
                           help=N_("Import entries exported by an instance holding the same secret key."))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def import_command(file: Path) -> None:
    from contacts.services.people import suppression  # start-up: imported when run

    async def work():
        with open(file, encoding="utf-8-sig", newline="") as handle:
            return await suppression.import_entries(handle, actor=actor())

    report = run(work)
    click.echo(_("created: %(count)s", count=report.created))
    click.echo(_("already present: %(count)s", count=report.already_present))
    click.echo(_("invalid: %(count)s", count=len(report.errors)))
    for row, column, reason in report.errors:
        click.echo(_("row %(row)s, %(column)s: %(reason)s", row=row, column=column, reason=reason.message_in(language())),
                   err=True)
    if report.errors:
        sys.exit(1)


@suppression_group.command(name="check", help=N_("Say whether an address is suppressed, and in which scopes."))
@click.argument("email")
def check_command(email: str) -> None:
    from contacts.services.people import suppression  # start-up: imported when run

    entries = run(lambda: suppression.entries_for(email))
    if not entries:
        click.echo(_("not suppressed"))
        return
    for entry in entries:
        click.echo(_("suppressed: %(scope)s (%(reason)s) since %(date)s", scope=scope_words(entry.scope),
                     reason=term(entry.reason), date=day(entry.created_at)))


def day(moment) -> str:
    from contacts.i18n import when

    return when(moment, language(), with_time=False)
