"""The `contacts` command. Commands are thin: parse, call a service, print.

Each command imports the services, the sending engine or the web app when it runs (the imports marked
"start-up: imported when run"): all of them at the top would add about a second to every command's start."""

import click

import contacts  # noqa: F401 - sets PICCOLO_CONF before any table is imported
from contacts.cli.words import help_in_language, install_in_click
from contacts.i18n import N_

install_in_click()  # before the commands are defined: click translates a Path's "file" when it is made

# isort: split
from contacts.cli.backups import backup_command, restore_command
from contacts.cli.campaigns import campaign_group, worker_command
from contacts.cli.catalogue import lists_command
from contacts.cli.imports import import_command
from contacts.cli.inbound import inbound_command
from contacts.cli.media import media_group
from contacts.cli.purposes import purpose_group
from contacts.cli.register import register_command
from contacts.cli.retention import retention_group
from contacts.cli.runner import load_settings_or_exit
from contacts.cli.scheduling import schedule_command, unschedule_command
from contacts.cli.server import migrate_command, serve_command
from contacts.cli.suppression import suppress_command, suppression_group
from contacts.cli.users import user_group


@click.group(context_settings={"help_option_names": ["-h", "--help"]},
             help=N_("Consent-first contact lists and communication preferences."))
def main() -> None:
    load_settings_or_exit()  # a bad configuration fails here, naming the variable


for command in (
    serve_command, migrate_command, lists_command, purpose_group, import_command, suppress_command, suppression_group,
    campaign_group, worker_command, user_group, register_command, inbound_command, retention_group, media_group,
    backup_command, restore_command,
):
    main.add_command(command)
campaign_group.add_command(schedule_command)
campaign_group.add_command(unschedule_command)
help_in_language(main)  # after every command is in the tree

__all__ = ["main"]
