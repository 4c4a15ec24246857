"""deploy/contacts.env.example: every variable it names is one contacts reads, every one production needs
is there, its lines mean the same to systemd's EnvironmentFile= and to python-dotenv, and its values (the
commented defaults too) pass the settings' own checks in production."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from contacts.errors import ConfigurationError
from contacts.settings import load_settings
from tests.deploy.tools import DEPLOY

EXAMPLE = DEPLOY / "contacts.env.example"
SOURCES = Path(__file__).resolve().parents[2] / "src" / "contacts"
# What production sets: refused without (secret key, SMTP, https base URL), or wrong by default there.
PRODUCTION = {"CONTACTS_ENV", "CONTACTS_DATABASE_URL", "CONTACTS_SECRET_KEY", "CONTACTS_BASE_URL",
              "CONTACTS_SMTP_URL", "CONTACTS_TRUSTED_PROXIES", "CONTACTS_FROM", "CONTACTS_ORGANISATION",
              "CONTACTS_DPO_CONTACT", "CONTACTS_METRICS_TOKEN", "CONTACTS_LOG_FORMAT"}
LINE = re.compile(r"(#)?(CONTACTS_[A-Z_]+)=(.*)")


def known_variables() -> set[str]:
    """Every CONTACTS_* name that the code reads, as a string literal in src/contacts."""
    return {name for path in SOURCES.rglob("*.py")
            for name in re.findall(r"[\"'](CONTACTS_[A-Z_]+)[\"']", path.read_text(encoding="utf-8"))}


def assignments(*, commented: bool) -> dict[str, str]:
    """The example's KEY=value lines; with `commented`, the `#KEY=value` alternatives as well."""
    found = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = LINE.fullmatch(line.strip())
        if match and (commented or not match.group(1)):
            found[match.group(2)] = match.group(3)
    return found


def test_every_variable_of_the_example_is_one_contacts_reads():
    unknown = set(assignments(commented=True)) - known_variables()
    assert not unknown, f"not read anywhere in src/contacts: {sorted(unknown)}"


def test_every_production_variable_is_in_the_example_and_not_commented_out():
    assert PRODUCTION <= set(assignments(commented=False)), sorted(PRODUCTION - set(assignments(commented=False)))


def test_every_line_means_the_same_to_systemd_and_to_dotenv():
    """No quotes, no spaces around '=', no trailing blank: systemd and python-dotenv then read one value."""
    for number, line in enumerate(EXAMPLE.read_text(encoding="utf-8").splitlines(), start=1):
        if line and not line.startswith("#"):
            assert LINE.fullmatch(line), f"line {number}: {line!r}"
            value = line.split("=", 1)[1]
            assert value == value.strip() and not set(value) & {'"', "'", "\\", "$", "`"}, f"line {number}"


def production_environment(**changes: str) -> dict[str, str]:
    """The example's settings, commented defaults included, with a secret key made as its comment says."""
    environment = {**assignments(commented=True), "CONTACTS_SECRET_KEY": secrets.token_urlsafe(32)}
    environment.update(changes)
    return environment


def test_the_example_with_its_secret_key_filled_in_is_a_valid_production_configuration():
    settings = load_settings(production_environment())
    assert settings.is_production and settings.database_kind == "postgresql"
    assert settings.base_url.startswith("https://") and settings.trusted_proxies == ("127.0.0.1/32",)
    assert settings.approval_required and settings.sending_windows and not settings.serve_sends
    sqlite = load_settings(production_environment(CONTACTS_DATABASE_URL="sqlite:////var/lib/contacts/contacts.db"))
    assert sqlite.sqlite_path == Path("/var/lib/contacts/contacts.db")


def test_the_example_as_shipped_refuses_to_start_until_a_secret_key_is_set():
    with pytest.raises(ConfigurationError, match="CONTACTS_SECRET_KEY"):
        load_settings(assignments(commented=True))
