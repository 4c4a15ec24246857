"""`contacts inbound`: bounces, complaints and mailto unsubscribes by SMTP, or one message from a pipe."""

from __future__ import annotations

import sys

import click

from contacts.cli.runner import hold_database, run
from contacts.cli.words import _
from contacts.i18n import N_
from contacts.logs import configure_logging
from contacts.settings import get_settings


@click.command(name="inbound", help=N_("Receive bounces, complaints and mailto unsubscribes."))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8026, show_default=True, type=int)
@click.option("--stdin", "from_stdin", is_flag=True, help=N_("Read one message from standard input (an MTA pipe)."))
@click.option("--recipient", default=None, help=N_("With --stdin: the envelope recipient (Postfix: ${recipient})."))
def inbound_command(host: str, port: int, from_stdin: bool, recipient: str | None) -> None:
    settings = get_settings()
    configure_logging()
    # A pipe's message while a restore runs: 75, temporary failure, and the MTA delivers it again later.
    hold_database("contacts inbound", named=not from_stdin, refused_status=75 if from_stdin else 2)
    if from_stdin:
        from contacts.inbound.handle import handle  # start-up: imported when run

        raw = sys.stdin.buffer.read()
        try:
            handled = run(lambda: handle(raw, recipient, settings))
        except Exception as error:  # noqa: BLE001 - EX_TEMPFAIL: the MTA keeps the message and retries
            click.echo(f"inbound: {error}", err=True)
            sys.exit(75)
        click.echo(str(handled))
        return
    from contacts.inbound.server import serve_forever  # start-up: imported when run

    click.echo(_("listening on %(host)s:%(port)s for bounces@ and unsubscribe+…@%(domain)s", host=host, port=port,
                 domain=settings.sender_domain), err=True)
    run(lambda: serve_forever(settings, host, port))
