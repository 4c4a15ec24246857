"""`contacts backup` and `contacts restore`: thin over contacts.services.backups."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from contacts.cli.runner import actor, fail, run
from contacts.cli.words import _, language, ngettext
from contacts.i18n import N_
from contacts.settings import get_settings

# The counted tables, by their names in the database, in words.
TABLE_WORDS = {
    "contact": N_("contacts"),
    "subscription": N_("subscriptions"),
    "consent_event": N_("consent ledger events"),
    "suppression": N_("suppression entries"),
    "delivery": N_("messages in the sending ledger"),
    "audit_event": N_("audit log entries"),
}


@click.command(name="backup", help=N_("Write a checked copy of the database to FILE, while it stays in use "
                                      "(SQLite); on PostgreSQL, say how to use pg_dump, or run it with --pg-dump."))
@click.option("--output", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help=N_("The backup file to write; refused if it exists, unless --force."))
@click.option("--force", is_flag=True, help=N_("Replace FILE if it exists."))
@click.option("--pg-dump", "pg_dump", is_flag=True,
              help=N_("PostgreSQL: run pg_dump --format=custom --file FILE on the configured database."))
def backup_command(output: Path, force: bool, pg_dump: bool) -> None:
    from contacts.services.backups.making import back_up  # start-up: imported when run

    settings = get_settings()
    if settings.database_kind == "postgresql" and not pg_dump:
        fail(_("the database is PostgreSQL: back it up with pg_dump, e.g.\n"
               "  pg_dump --format=custom --file %(file)s \"$CONTACTS_DATABASE_URL\"\n"
               "and restore it with pg_restore (see README, \"Backups and restore\"); or add --pg-dump to have "
               "this command run pg_dump", file=output))
    made = run(lambda: back_up(settings, output, actor=actor(), replace=force), check_schema=False)
    click.echo(_("backup written: %(path)s (%(size)s)", path=made.path, size=size_words(made.size)))
    _print_counts(made.counts)
    click.echo(_("integrity check: ok") if settings.database_kind == "sqlite" else
               _("pg_restore can read the archive"))
    click.echo(_("The secret key (CONTACTS_SECRET_KEY) is not in the backup. Keep it apart and safe: without it "
                 "the suppression entries cannot be matched nor the links in sent mail read."))


@click.command(name="restore", help=N_("Replace the SQLite database with the backup FILE (stop the server, the "
                                       "workers and contacts inbound first); on PostgreSQL, say how to use "
                                       "pg_restore."))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help=N_("Do not ask for confirmation."))
@click.option("--no-keep", "no_keep", is_flag=True,
              help=N_("Do not keep the database as it was as <database>.before-restore-<date>."))
def restore_command(file: Path, yes: bool, no_keep: bool) -> None:
    from contacts.services.backups.restoring import (
        restore,  # start-up: imported when run
    )

    settings = get_settings()
    if settings.database_kind == "postgresql":
        fail(_("the database is PostgreSQL: restore a pg_dump archive with pg_restore, e.g.\n"
               "  pg_restore --clean --if-exists --no-owner --dbname \"$CONTACTS_DATABASE_URL\" %(file)s\n"
               "with every contacts process stopped, then run contacts migrate (see README, \"Backups and "
               "restore\")", file=file))

    def confirm(checked) -> bool:
        click.echo(_("backup %(path)s (%(size)s):", path=file, size=size_words(checked.size)))
        _print_counts(checked.counts)
        if yes:
            return True
        return click.confirm(_("Replace the database %(path)s with this backup?", path=settings.sqlite_path.absolute()),
                             default=False)

    restored = run(lambda: restore(settings, file, actor=actor(), keep_previous=not no_keep, confirm=confirm),
                   check_schema=False)
    if restored is None:
        click.echo(_("nothing changed"))
        sys.exit(1)
    if restored.kept:
        click.echo(_("the database as it was is kept as %(path)s", path=restored.kept))
    if restored.migrations_applied:
        click.echo(ngettext("applied %(num)s migration", "applied %(num)s migrations", restored.migrations_applied))
    if restored.settled_in_flight:
        click.echo(ngettext("%(num)s message in flight when the backup was taken is marked failed, not sent again",
                            "%(num)s messages in flight when the backup was taken are marked failed, not sent again",
                            restored.settled_in_flight))
    click.echo(_("restored %(path)s; integrity check: ok", path=settings.sqlite_path.absolute()))
    _print_counts(restored.counts)
    for campaign_id in restored.running_campaigns:
        click.echo(_("campaign %(id)s was being sent when the backup was taken: it goes on, to the recipients the "
                     "backup has as queued, when contacts worker or contacts serve starts. Messages sent after the "
                     "backup are not known to it: to hold the campaign first, run contacts campaign pause %(id)s",
                     id=campaign_id))


def _print_counts(counts: dict[str, int]) -> None:
    for table, count in counts.items():
        click.echo(_("  %(words)s: %(count)s", words=_(TABLE_WORDS[table]), count=_number(count)))


def size_words(size: int) -> str:
    """Bytes as an operator reads them: 1.4 MB, 12.0 kB, 512 bytes (1,4 Mo in French)."""
    for unit, scale in ((N_("%(amount)s GB"), 1e9), (N_("%(amount)s MB"), 1e6), (N_("%(amount)s kB"), 1e3)):
        if size >= scale:
            amount = f"{size / scale:.1f}"
            return _(unit, amount=amount.replace(".", ",") if language() == "fr" else amount)
    return ngettext("%(num)s byte", "%(num)s bytes", size)


def _number(count: int) -> str:
    return f"{count:,}".replace(",", "\u202f" if language() == "fr" else ",")
