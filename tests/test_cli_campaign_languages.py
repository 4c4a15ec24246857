"""`contacts campaign create` with a version per language, and `campaign send`'s audience summary and its
question on a terminal (a real pseudo-terminal here), skipped with --yes and never asked of a script."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

import pytest

from tests.sending.smtp_server import TestSmtpServer

CREATE = ("campaign", "create", "--list", "journalists", "--template", "newsletter-communications")


def on_terminal(args: list[str], env: dict[str, str], cwd, answer: str) -> tuple[int, str]:
    """Runs `contacts ARGS` with a terminal as its stdin, answering `answer`; returns its status and output."""
    controller, terminal = pty.openpty()
    try:
        os.write(controller, answer.encode())
        result = subprocess.run([sys.executable, "-m", "contacts", *args], env=env, cwd=cwd, stdin=terminal,
                                capture_output=True, text=True, timeout=300)
    finally:
        os.close(terminal)
        os.close(controller)
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def journalists(contacts_cli, tmp_path):
    (tmp_path / "presse.csv").write_text("email,first_name,language\nana@presse.example,Ana,fr\n"
                                         "bob@press.example,Bob,en\ncy@press.example,Cy,en\n", encoding="utf-8")
    contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "third-party",
                 "--source", "Annuaire presse")
    (tmp_path / "fr.txt").write_text("Bonjour.\n\nLe musée ouvre à 10 h.\n", encoding="utf-8")
    (tmp_path / "en.txt").write_text("Hello.\n\nThe museum opens at 10 am.\n", encoding="utf-8")


def test_create_takes_a_version_per_language_and_the_old_options_as_french(contacts_cli, journalists):
    made = contacts_cli(*CREATE, "--subject-fr", "La lettre", "--body-fr", "fr.txt", "--preheader-fr", "À lire",
                        "--subject-en", "The letter", "--body-en", "en.txt", "--preheader-en", "To read").stdout
    assert "fr: 'La lettre'" in made and "en: 'The letter'" in made
    campaign_id = made.strip().splitlines()[-1]
    english = contacts_cli("campaign", "preview", campaign_id, "--to", "bob@press.example", "--html").stdout
    assert "Subject: The letter" in english and "The museum opens at 10 am." in english and "To read" in english
    text = contacts_cli("campaign", "preview", campaign_id, "--to", "ana@presse.example").stdout
    assert "Subject: La lettre" in text and "Le musée ouvre à 10 h." in text and "À lire" not in text
    old = contacts_cli(*CREATE, "--subject", "Ancienne", "--body", "fr.txt").stdout
    assert "fr: 'Ancienne'" in old and "en:" not in old
    for args, named in (((*CREATE, "--subject", "A", "--subject-fr", "B"), "--subject"),
                        ((*CREATE, "--subject-en", "B", "--missing-language", "maybe"), "--missing-language"),
                        ((*CREATE, "--body-en", "en.txt"), "subject_en")):
        refused = contacts_cli(*args, check=False)
        assert refused.returncode == 2 and named in refused.stderr, refused.stderr


def test_send_shows_the_audience_and_asks_on_a_terminal_only(contacts_cli, journalists, cli_env, tmp_path):
    made = contacts_cli(*CREATE, "--subject-fr", "La lettre", "--body-fr", "fr.txt").stdout
    campaign_id = made.strip().splitlines()[-1]
    # No English version and no choice: the summary says so and the start is refused, naming the option.
    refused = contacts_cli("campaign", "send", campaign_id, check=False)
    assert refused.returncode == 2 and "undecided: 2" in refused.stdout and "missing_language" in refused.stderr
    skipping = contacts_cli(*CREATE, "--subject-fr", "La lettre", "--body-fr", "fr.txt",
                            "--missing-language", "skip").stdout.strip().splitlines()[-1]
    with TestSmtpServer() as server:
        env = {**cli_env, "CONTACTS_SMTP_URL": server.url}
        status, output = on_terminal(["campaign", "send", skipping], env, tmp_path, "n\n")
        assert status == 1 and "will receive it: 1" in output and "no_translation: 2" in output
        assert f"Send campaign {skipping} to 1 recipient?" in output and not server.handler.received
        assert "draft" in contacts_cli("campaign", "status", skipping).stdout  # nothing started
        status, output = on_terminal(["campaign", "send", skipping], env, tmp_path, "y\n")
        assert status == 0 and "sent 1" in output and len(server.handler.received) == 1
        other = contacts_cli(*CREATE, "--subject-fr", "Encore", "--body-fr", "fr.txt",
                             "--missing-language", "other").stdout.strip().splitlines()[-1]
        status, output = on_terminal(["campaign", "send", other, "--yes"], env, tmp_path, "")
        assert status == 0 and "will receive it: 3" in output and len(server.handler.received) == 4
        assert f"Send campaign {other}" not in output  # --yes: not asked
        scripted = contacts_cli(*CREATE, "--subject-fr", "Script", "--body-fr", "fr.txt",
                                "--missing-language", "other").stdout.strip().splitlines()[-1]
        piped = subprocess.run([sys.executable, "-m", "contacts", "campaign", "send", scripted], env=env, cwd=tmp_path,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
        assert piped.returncode == 0 and "will receive it: 3" in piped.stdout and "sent 3" in piped.stdout


def test_create_with_archive_and_withdraw_from_archive(contacts_cli, tmp_path):
    """Issue 23, item 5: `--archive` marks a public newsletter for the archive (a professional list's is
    refused, exit 2, nothing written); `withdraw-from-archive` takes it out for good, once."""
    refused = contacts_cli(*CREATE, "--subject-fr", "Presse", "--archive", check=False)
    assert refused.returncode == 2 and "archive" in refused.stderr and "journalists" in refused.stderr
    created = contacts_cli("campaign", "create", "--list", "public-newsletter", "--template",
                           "newsletter-communications", "--subject-fr", "La lettre", "--archive")
    assert "published in the public archive once sent" in created.stdout
    campaign_id = created.stdout.strip().splitlines()[-1]
    assert campaign_id == "1"  # the refused one wrote nothing
    withdrawn = contacts_cli("campaign", "withdraw-from-archive", campaign_id)
    assert f"campaign {campaign_id} is withdrawn from the public archive" in withdrawn.stdout
    again = contacts_cli("campaign", "withdraw-from-archive", campaign_id, check=False)
    assert again.returncode == 2 and "already" in again.stderr
