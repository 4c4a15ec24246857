"""`contacts register`: the record of processing activities, on standard output."""

from __future__ import annotations

import click

from contacts.cli.runner import run


@click.command(name="register")
@click.option("--format", "output_format", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
def register_command(output_format: str) -> None:
    """Print the GDPR Art. 30 record of processing, generated from the purpose configuration."""
    from contacts.services import records_of_processing  # start-up: imported when run

    built = run(records_of_processing.build)
    click.echo(records_of_processing.as_json(built) if output_format == "json" else records_of_processing.as_markdown(built), nl=False)
