"""`contacts register`: the record of processing activities, on standard output."""

from __future__ import annotations

import click

from contacts.cli.runner import run
from contacts.cli.words import language
from contacts.i18n import N_


@click.command(name="register",
               help=N_("Print the GDPR Article 30 record of processing, generated from the purpose configuration."))
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
def register_command(output_format: str) -> None:
    from contacts.services import records_of_processing  # start-up: imported when run

    if output_format == "json":  # for programs: the same, in English, whatever the operator's language
        click.echo(records_of_processing.as_json(run(records_of_processing.build)), nl=False)
        return
    from contacts.typography import french  # start-up: imported when run

    lang = language()
    text = records_of_processing.as_markdown(run(lambda: records_of_processing.build(lang)), lang)
    click.echo(french(text) if lang == "fr" else text, nl=False)
