from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskProgressColumn,
    TimeRemainingColumn,
)

from contacts.cli.params import TEXT
from contacts.cli.runner import actor, fail, run, said
from contacts.cli.words import _, language, ngettext, term
from contacts.domain import LegalBasis, SourceType, parse_enum
from contacts.errors import ValidationError
from contacts.i18n import N_


@click.command(name="import", help=N_("Import contacts from a CSV file into a list."))
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--list", "list_slug", required=True,
              help=N_("The list to subscribe the contacts to (see `contacts lists`)."))
@click.option("--source-type", required=True, help=N_("given, third-party, relationship or service-use."))
@click.option("--source", "source_name", type=TEXT, required=True,
              help=N_("Where the addresses came from, e.g. \"Salon du livre 2026\"."))
@click.option("--legal-basis", default=None,
              help=N_("consent, contract, legitimate-interest or legal-obligation; default: the purpose's."))
@click.option("--dry-run", is_flag=True, help=N_("Validate and count everything, write nothing but the report."))
@click.option("--errors", "report_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help=N_("Where to write the row report (default: FILE.errors.csv beside the file)."))
@click.option("--workers", type=click.IntRange(min=0), default=None,
              help=N_("Validation processes (default: one per core; 0: none)."))
def import_command(file: Path, list_slug: str, source_type: str, source_name: str, legal_basis: str | None,
                   dry_run: bool, report_path: Path | None, workers: int | None) -> None:
    from contacts.services.importing import (  # start-up: imported when run
        ImportOptions,
        run_import,
    )

    try:
        options = ImportOptions(
            path=file,
            list_slug=list_slug,
            source_type=parse_enum(SourceType, "--source-type", source_type),
            source_name=source_name,
            legal_basis=parse_enum(LegalBasis, "--legal-basis", legal_basis) if legal_basis else None,
            dry_run=dry_run,
            report_path=report_path,
            workers=workers,
            actor=actor(),
        )
    except ValidationError as error:
        fail(said(error))

    console = Console(stderr=True)
    progress = Progress(
        "[progress.description]{task.description}", BarColumn(), TaskProgressColumn(), DownloadColumn(),
        TimeRemainingColumn(), console=console, disable=not console.is_terminal, transient=True,
    )

    async def work():
        with progress:
            task = progress.add_task(_("importing"), total=file.stat().st_size if file.exists() else None)
            return await run_import(options, on_progress=lambda done, total: progress.update(task, completed=done))

    report = run(work)
    counts = report.counts
    if report.ignored_headers:
        click.echo(_("ignored columns: %(columns)s", columns=", ".join(report.ignored_headers)))
    rows = ngettext("%(num)s row", "%(num)s rows", counts["rows"])
    click.echo(_("dry run, nothing written: %(rows)s", rows=rows) if report.dry_run else rows)
    for key, value in counts.items():
        if key != "rows":
            label = key.replace("_", "-") if language() == "en" else term(key)
            click.echo(_("  %(count_name)s: %(count)s", count_name=label, count=value))
    reported = ("invalid", "duplicates", "skipped_suppressed", "skipped_restricted", "skipped_no_basis",
                "not_resubscribed", "awaiting_confirmation")
    problems = sum(counts[key] for key in reported)
    click.echo(ngettext("row report: %(path)s (%(num)s row)", "row report: %(path)s (%(num)s rows)", problems,
                        path=report.report_path) if problems else
               _("row report: %(path)s (no problems)", path=report.report_path))
