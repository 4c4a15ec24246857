"""`contacts purpose …`: the purposes, their sending windows (REQ-54) and whether their campaigns need
another staff member's approval (REQ-53)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from contacts.cli.runner import actor, fail, run
from contacts.cli.words import _, term
from contacts.i18n import N_


@click.group(name="purpose", help=N_("The purposes, their sending windows and whether their campaigns need approval."))
def purpose_group() -> None:
    pass


@purpose_group.command(name="list", help=N_("Each purpose with its legal basis, its sending window (Paris time) and "
                                            "whether its campaigns need approval."))
def purpose_list_command() -> None:
    from contacts.services import catalogue  # start-up: imported when run
    from contacts.settings import get_settings  # start-up: imported when run

    everywhere = get_settings().approval_required
    table = Table(_("purpose"), _("name"), _("legal basis"), _("direct marketing"), _("sending window"),
                  _("approval"))
    for purpose in run(catalogue.purposes):
        approval = (_("required") if purpose.approval_required else
                    _("required (CONTACTS_APPROVAL)") if everywhere else _("not needed"))
        table.add_row(purpose.code, purpose.name, term(str(purpose.default_legal_basis)),
                      _("yes") if purpose.is_direct_marketing else _("no"), _window_text(purpose.window), approval)
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def _window_text(window) -> str:
    if window is None:
        return _("any time")
    holidays = _(", not on French public holidays") if window.skips_holidays else _(", public holidays included")
    return f"{window.days_text} {window.hours_text}{holidays}"


@purpose_group.command(name="window", help=N_("Set a purpose's sending window (audited); with "
                                              "CONTACTS_SENDING_WINDOWS on, its campaigns send only then."))
@click.argument("code")
@click.option("--days", default=None, help=N_("The days it sends on: mon, tue, wed, thu, fri, sat, sun, comma "
                                              "separated, or ranges such as mon-fri."))
@click.option("--from", "opens", default="08:00", show_default=True, help=N_("When it opens, Paris time (HH:MM)."))
@click.option("--until", "closes", default="20:00", show_default=True,
              help=N_("When it closes, Paris time (HH:MM, 24:00 for midnight)."))
@click.option("--public-holidays/--no-public-holidays", "on_holidays", default=False, show_default=True,
              help=N_("Whether it also sends on French public holidays."))
@click.option("--always", is_flag=True, help=N_("No window: its campaigns go out at any time."))
def purpose_window_command(code: str, days: str | None, opens: str, closes: str, on_holidays: bool,
                           always: bool) -> None:
    from contacts.services import window_operations  # start-up: imported when run

    if always == (days is not None):
        fail(_("give --days (and --from, --until) for a window, or --always for none"))
    purpose = run(lambda: window_operations.set_window(actor(), code, [] if always else [days or ""], opens, closes,
                                                       skips_holidays=not on_holidays))
    click.echo(f"{purpose.code}: {_window_text(purpose.window)}")


@purpose_group.command(name="approval", help=N_("Whether this purpose's campaigns need another staff member's approval "
                                                "before they are scheduled or sent (CONTACTS_APPROVAL=required asks "
                                                "it of every purpose's)."))
@click.argument("purpose_code")
@click.argument("setting", type=click.Choice(["required", "none"]))
def purpose_approval_command(purpose_code: str, setting: str) -> None:
    from contacts.services.campaigns import (
        schedule_operations,  # start-up: imported when run
    )

    purpose = run(lambda: schedule_operations.set_purpose_approval(actor(), purpose_code, setting == "required"))
    click.echo(_("purpose %(code)s: approval required", code=purpose.code) if purpose.approval_required else
               _("purpose %(code)s: no approval needed", code=purpose.code))
