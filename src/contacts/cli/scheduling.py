"""`contacts campaign schedule` and `unschedule`, and `contacts purpose …`: when a campaign starts by itself,
and which purposes' campaigns need another staff member's approval (REQ-53)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from contacts.cli.campaigns import audience_lines, state_line
from contacts.cli.params import ROW_ID, TEXT
from contacts.cli.runner import actor, run


@click.command(name="schedule")
@click.argument("campaign_id", type=ROW_ID)
@click.option("--at", "at", type=TEXT, required=True,
              help='When it starts, in Paris time: "2026-12-10 09:30". Again on a scheduled campaign moves it.')
def schedule_command(campaign_id: int, at: str) -> None:
    """Start a draft by itself at a date and time to come, by whichever of `contacts worker` or `contacts
    serve` runs then. Shows its audience as counted now. Refused before approval when it needs one."""
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    campaign, found = run(lambda: schedule_operations.schedule(actor(), campaign_id, at, "--at"))
    click.echo(f"campaign {campaign.id}: {campaign.subject}")
    for line in audience_lines(found):
        click.echo(f"  {line}")
    click.echo(state_line(campaign))


@click.command(name="unschedule")
@click.argument("campaign_id", type=ROW_ID)
def unschedule_command(campaign_id: int) -> None:
    """Take a scheduled campaign back to draft: it starts only when sent or scheduled again."""
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    click.echo(state_line(run(lambda: schedule_operations.unschedule(actor(), campaign_id))))


@click.group(name="purpose")
def purpose_group() -> None:
    """The purposes, and whether their campaigns need approval."""


@purpose_group.command(name="list")
def purpose_list_command() -> None:
    """Each purpose with its legal basis and whether its campaigns need approval."""
    from contacts.services import catalogue  # start-up: imported when run
    from contacts.settings import get_settings  # start-up: imported when run

    everywhere = get_settings().approval_required
    table = Table("purpose", "name", "legal basis", "approval")
    for purpose in run(catalogue.purposes):
        table.add_row(purpose.code, purpose.name, str(purpose.default_legal_basis),
                      "required" if purpose.approval_required else
                      ("required (CONTACTS_APPROVAL)" if everywhere else "none"))
    Console(width=None if sys.stdout.isatty() else 200).print(table)


@purpose_group.command(name="approval")
@click.argument("purpose_code")
@click.argument("setting", type=click.Choice(["required", "none"]))
def purpose_approval_command(purpose_code: str, setting: str) -> None:
    """Whether this purpose's campaigns need another staff member's approval before they are scheduled or
    sent (CONTACTS_APPROVAL=required asks it of every purpose's)."""
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    purpose = run(lambda: schedule_operations.set_purpose_approval(actor(), purpose_code, setting == "required"))
    click.echo(f"purpose {purpose.code}: approval {'required' if purpose.approval_required else 'none'}")
