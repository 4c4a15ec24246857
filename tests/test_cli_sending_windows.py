"""`contacts purpose window`, `contacts purpose list` and `contacts campaign send --outside-window --as`
(REQ-54), and `--rate` as one integer type (issue 23), through the real command."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple\n"


def test_req54_a_purposes_window_is_set_and_listed_from_the_command_line(contacts_cli):
    listed = contacts_cli("purpose", "list").stdout
    assert "press-information" in listed and "any time" in listed
    assert "mon-fri 08:00-20:00, not on French public holidays" in listed
    changed = contacts_cli("purpose", "window", "public-newsletter", "--days", "mon-wed,sat", "--from", "09:30",
                           "--until", "24:00", "--public-holidays").stdout
    assert "public-newsletter: mon,tue,wed,sat 09:30-24:00, public holidays included" in changed
    assert "press-information: any time" in contacts_cli("purpose", "window", "press-information", "--always").stdout
    wrong = contacts_cli("purpose", "window", "public-newsletter", "--days", "lundi", check=False)
    assert wrong.returncode == 2 and "days: 'lundi' is not a day" in " ".join(wrong.stderr.split())
    neither = contacts_cli("purpose", "window", "public-newsletter", check=False)
    assert neither.returncode == 2 and "--always" in neither.stderr


def test_req54_only_an_admin_sends_outside_the_window_and_the_rate_is_an_integer(contacts_cli, tmp_path):
    (tmp_path / "j.csv").write_text("email,first_name\nj@presse.example,J\n", encoding="utf-8")
    contacts_cli("import", "j.csv", "--list", "journalists", "--source-type", "third-party", "--source", "x")
    (tmp_path / "body.md").write_text("Bonjour.\n", encoding="utf-8")
    campaign = contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                            "--subject", "Lettre", "--body", "body.md", "--rate", "5").stdout.split()[-1]
    contacts_cli("user", "create", "camille", "--role", "communications", input=PASSWORD)
    refused = contacts_cli("campaign", "send", campaign, "--outside-window", "--as", "camille", "--yes", check=False)
    assert refused.returncode == 2 and "may not send outside window" in refused.stderr
    unnamed = contacts_cli("campaign", "send", campaign, "--outside-window", "--yes", check=False)
    assert unnamed.returncode == 2 and "--as USERNAME" in unnamed.stderr
    fractional = contacts_cli("campaign", "send", campaign, "--rate", "2.5", "--yes", check=False)
    assert fractional.returncode == 2 and "--rate" in fractional.stderr
    assert "(draft)" in contacts_cli("campaign", "status", campaign).stdout  # nothing started
