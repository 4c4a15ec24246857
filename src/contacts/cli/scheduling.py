"""`contacts campaign schedule` and `unschedule`: when a campaign starts by itself."""

from __future__ import annotations

import click

from contacts.cli.campaigns import audience_lines, state_line
from contacts.cli.params import ROW_ID, TEXT
from contacts.cli.runner import actor, run
from contacts.cli.words import _
from contacts.i18n import N_


@click.command(name="schedule", help=N_("Start a draft by itself at a date and time to come, by whichever of "
                                        "`contacts worker` or `contacts serve` runs then. Shows its audience as "
                                        "counted now. Refused before approval when it needs one."))
@click.argument("campaign_id", type=ROW_ID)
@click.option("--at", "at", type=TEXT, required=True,
              help=N_('When it starts, in Paris time: "2026-12-10 09:30". Again on a scheduled campaign moves it.'))
def schedule_command(campaign_id: int, at: str) -> None:
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    campaign, found = run(lambda: schedule_operations.schedule(actor(), campaign_id, at, "--at"))
    click.echo(_("campaign %(id)s: %(subject)s", id=campaign.id, subject=campaign.subject))
    for line in audience_lines(found):
        click.echo(f"  {line}")
    click.echo(state_line(campaign))


@click.command(name="unschedule", help=N_("Take a scheduled campaign back to draft: it starts only when sent or "
                                          "scheduled again."))
@click.argument("campaign_id", type=ROW_ID)
def unschedule_command(campaign_id: int) -> None:
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    click.echo(state_line(run(lambda: schedule_operations.unschedule(actor(), campaign_id))))
