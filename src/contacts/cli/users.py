"""`contacts user …`: staff accounts and their personal API tokens."""

from __future__ import annotations

import sys

import click

from contacts.cli.params import TEXT
from contacts.cli.runner import actor, fail, run
from contacts.cli.words import _, ngettext, term
from contacts.i18n import N_


@click.group(name="user",
             help=N_("Staff accounts (roles: admin, communications, events, partnerships, mediation, dpo, read_only)."))
def user_group() -> None:
    pass


def _read_password() -> str:
    """Prompted for twice on a terminal; otherwise the first line of standard input."""
    if sys.stdin.isatty():
        return click.prompt(_("password"), hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    if not line.strip():
        fail(_("password: none on standard input"))
    return line.rstrip("\r\n")


@user_group.command(name="create",
                    help=N_("Create an account; the password is prompted for, or read from standard input."))
@click.argument("username", type=TEXT)
@click.option("--role", required=True,
              help=N_("admin, communications, events, partnerships, mediation, dpo or read_only."))
@click.option("--department", "departments", multiple=True,
              help=N_("A read-only account's department (communications, events, mediation, partnerships); repeat."))
@click.option("--language", default="fr", show_default=True, help=N_("The staff pages' language: fr or en."))
def create_command(username: str, role: str, departments: tuple[str, ...], language: str) -> None:
    from contacts.services.staff import accounts as staff  # start-up: imported when run

    password = _read_password()
    created = run(lambda: staff.create_user(username, role, password, departments,
                                                  language=language, actor=actor()))
    click.echo(_("user %(username)s (%(role)s) created, empowered for: %(departments)s", username=created.username,
                 role=term(created.role), departments=", ".join(term(d) for d in sorted(created.departments))))


@user_group.command(name="list", help=N_("Every account with its role and departments."))
def list_command() -> None:
    from contacts.services.staff import accounts as staff  # start-up: imported when run

    for account, active in run(staff.users):
        state = "" if active else _("  (disabled)")
        click.echo(f"{account.username}\t{account.role}\t{','.join(sorted(account.departments))}{state}")


@user_group.command(name="disable",
                    help=N_("Stop an account from signing in; its tokens are revoked and its sessions ended, for "
                            "good."))
@click.argument("username")
def disable_command(username: str) -> None:
    revoked = _set_active(username, False)
    click.echo(ngettext("user %(username)s disabled; %(num)s API token revoked",
                        "user %(username)s disabled; %(num)s API tokens revoked", revoked, username=username))


@user_group.command(name="enable",
                    help=N_("Let a disabled account sign in again; its old tokens stay revoked (make new ones)."))
@click.argument("username")
def enable_command(username: str) -> None:
    _set_active(username, True)
    click.echo(_("user %(username)s enabled", username=username))


def _set_active(username: str, active: bool) -> int:
    from contacts.services.staff import accounts as staff  # start-up: imported when run

    return run(lambda: staff.set_active(username, active, actor=actor()))


@user_group.command(name="token",
                    help=N_("Make a personal API token (shown once); it acts with the account's role and scope."))
@click.argument("username")
@click.option("--name", type=TEXT, required=True, help=N_("What the token is for, e.g. 'newsletter script'."))
def token_command(username: str, name: str) -> None:
    from contacts.services.staff import accounts as staff  # start-up: imported when run

    click.echo(run(lambda: staff.create_token(username, name, actor=actor())))


@user_group.command(name="revoke-token", help=N_("Revoke an account's tokens of this name."))
@click.argument("username")
@click.option("--name", required=True, help=N_("The token's name."))
def revoke_token_command(username: str, name: str) -> None:
    from contacts.services.staff import accounts as staff  # start-up: imported when run

    revoked = run(lambda: staff.revoke_token(username, name, actor=actor()))
    click.echo(ngettext("revoked %(num)s token", "revoked %(num)s tokens", revoked))
