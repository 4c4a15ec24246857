"""The systemd units of deploy/systemd: each parses without a warning (systemd-analyze verify), and each
command they run is a real `contacts` command with real options, parsed by the command's own click parser,
so that renaming a command or an option breaks this test before it breaks a deployment."""

from __future__ import annotations

import configparser
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest

from contacts.cli import main
from tests.deploy.tools import UNIT_CONTACTS, UNITS, tool


def unit_files() -> list[Path]:
    return sorted(path for path in UNITS.iterdir() if path.suffix in (".service", ".timer"))


def command_lines(unit: Path) -> list[str]:
    """Every Exec line, and the commented alternatives (`#ExecStart=…`) that the unit offers."""
    lines = []
    for line in unit.read_text(encoding="utf-8").splitlines():
        found = re.match(r"#?(ExecStart|ExecStartPre|ExecStartPost|ExecStop)=(.*)", line.strip())
        if found:
            lines.append(found.group(2))
    return lines


def contacts_arguments(line: str) -> list[str] | None:
    """The arguments given to `contacts` on an Exec line (None: the line runs something else). A shell
    line (`/bin/sh -c 'exec contacts …'`) is unwrapped; systemd's %% and $$ become % and $ first."""
    words = shlex.split(line.replace("%%", "%").replace("$$", "$"))
    if words[:2] == ["/bin/sh", "-c"]:
        script = re.sub(r"\$\([^)]*\)", "20261207T031500Z", words[2])  # a command substitution: its output
        words = shlex.split(script)
        assert words[0] == "exec", f"{line}: the shell should exec the command, so that signals reach it"
        words = words[1:]
    if words[0] != UNIT_CONTACTS:
        assert "contacts" not in Path(words[0]).name, f"{line}: contacts runs from {UNIT_CONTACTS}"
        return None
    return words[1:]


def parse(arguments: list[str]) -> click.Context:
    """What `contacts ARGS` would run, parsed and checked (types, ranges) without running it. The groups on
    the way (`contacts`, `contacts campaign`) take no option of their own here, only a command's name."""
    context = click.Context(main, info_name="contacts")
    command: click.Command = main
    words = list(arguments)
    while isinstance(command, click.Group):
        name, *words = words
        found = command.get_command(context, name)
        assert found is not None, f"contacts has no command {name!r}"
        command, context = found, click.Context(found, info_name=name, parent=context)
    return command.make_context(context.info_name, words, parent=context.parent)


def read_unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, comment_prefixes=("#", ";"))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys keep their case
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


COMMANDS = [pytest.param(unit.name, line, id=f"{unit.name}:{n}") for unit in unit_files()
            for n, line in enumerate(command_lines(unit))]


@pytest.mark.parametrize(("unit", "line"), COMMANDS)
def test_every_command_in_the_units_is_a_contacts_command_with_its_real_options(unit, line):
    arguments = contacts_arguments(line)
    if arguments is None:
        return
    parse(arguments)  # raises on an unknown command or option, or a value the option refuses


def test_the_units_run_serve_worker_inbound_migrate_and_backup_as_the_guide_says():
    started = {unit.name: [contacts_arguments(line) for line in command_lines(unit)] for unit in unit_files()}
    assert started["contacts-serve.service"] == [["serve", "--host", "127.0.0.1", "--port", "8000", "--workers", "4"]]
    assert started["contacts-worker@.service"] == [["worker", "--concurrency", "4"]]
    assert started["contacts-inbound.service"] == [["inbound", "--host", "127.0.0.1", "--port", "8026"]]
    assert started["contacts-migrate.service"] == [["migrate", "--verbose"]]
    backups = [arguments for arguments in started["contacts-backup.service"] if arguments]
    assert [arguments[:2] for arguments in backups] == [["backup", "--output"], ["backup", "--pg-dump"]]


def test_a_renamed_option_is_caught():
    with pytest.raises(click.NoSuchOption):
        parse(["serve", "--host", "127.0.0.1", "--threads", "4"])
    with pytest.raises(click.BadParameter):
        parse(["worker", "--concurrency", "0"])
    with pytest.raises(AssertionError, match="no command"):
        parse(["drain"])


def test_each_unit_is_hardened_and_stops_gently():
    for unit in unit_files():
        if unit.suffix != ".service":
            continue
        service = read_unit(unit)["Service"]
        assert service["User"] == "contacts", unit.name
        assert "\nEnvironmentFile=/etc/contacts/contacts.env\n" in unit.read_text(encoding="utf-8"), unit.name
        for setting, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                               ("PrivateTmp", "yes"), ("CapabilityBoundingSet", "")):
            assert service[setting] == value, f"{unit.name}: {setting}"
        if service.get("Type") != "oneshot":
            assert service["Restart"] == "on-failure" and service["KillSignal"] == "SIGTERM"
    # The sender ends its SMTP transactions on SIGTERM: one lasts at most the SMTP timeout (30 s by default).
    from contacts.mail.transport import SmtpSettings

    smtp_timeout = SmtpSettings.from_url("smtp://relay.example:587").timeout
    for name in ("contacts-worker@.service", "contacts-serve.service"):
        assert int(read_unit(UNITS / name)["Service"]["TimeoutStopSec"]) >= 2 * smtp_timeout


def test_the_timer_starts_the_backup_unit():
    assert read_unit(UNITS / "contacts-backup.timer")["Timer"]["Unit"] == "contacts-backup.service"


def test_every_unit_passes_systemd_analyze_verify(tmp_path):
    """Copies of the units, with the real `contacts` of this environment in place of /opt/contacts/…;
    systemd-analyze prints nothing for a unit it finds sound (an unknown key, a bad value, a command that is
    not executable: a line each)."""
    analyze = tool("systemd-analyze")
    contacts = Path(sys.executable).with_name("contacts")
    assert contacts.exists(), f"{contacts}: the contacts command of this environment"
    for unit in unit_files():
        text = unit.read_text(encoding="utf-8")
        assert unit.suffix == ".timer" or UNIT_CONTACTS in text, unit.name
        (tmp_path / unit.name).write_text(text.replace(UNIT_CONTACTS, str(contacts)), encoding="utf-8")
    # A template is verified through an instance of it.
    shutil.copy(tmp_path / "contacts-worker@.service", tmp_path / "contacts-worker@1.service")
    names = [path.name for path in sorted(tmp_path.iterdir()) if path.name != "contacts-worker@.service"]
    result = subprocess.run([analyze, "verify", "--man=no", *[f"./{name}" for name in names]], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr
