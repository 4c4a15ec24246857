"""The command line in the operator's language (issue 21): CONTACTS_LANGUAGE, else the locale, else English;
French output set in French typography; what programs read (JSON, CSV) the same in both languages."""

from __future__ import annotations

import json

import pytest

from tests.web.french_checks import assert_reads_in_french

NNBSP = "\u202f"


@pytest.fixture
def in_language(contacts_cli, cli_env):
    """`in_language(env, *args)`: the command with these locale variables instead of the test's English."""
    def run(variables: dict[str, str], *args: str, check: bool = True):
        env = {key: value for key, value in cli_env.items()
               if key not in ("CONTACTS_LANGUAGE", "LANG", "LC_ALL", "LC_MESSAGES")}
        cli_env.clear()
        cli_env.update({**env, **variables})
        return contacts_cli(*args, check=check)

    return run


FRENCH = {"CONTACTS_LANGUAGE": "fr"}
ENGLISH = {"CONTACTS_LANGUAGE": "en"}


def test_suppression_said_in_french_from_the_variable_or_the_locale(in_language):
    added = in_language(FRENCH, "suppress", "Refus@Example.org", "--reason", "objection").stdout
    assert added.strip() == "ajoutée à la liste d’exclusion (opposition, global)"
    again = in_language({"LANG": "fr_FR.UTF-8"}, "suppress", "refus@example.org", "--reason", "manual").stdout
    assert again.startswith("déjà sur la liste d’exclusion (opposition, global) depuis le ")
    assert "-" not in again.split("depuis le ")[1]  # a date in words, not 2026-12-06
    checked = in_language({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_GB.UTF-8"}, "suppression", "check",
                          "REFUS@example.org").stdout
    assert checked.startswith(f"sur la liste d’exclusion{NNBSP}: global (opposition) depuis le ")
    assert in_language({"LANG": "fr_FR.UTF-8"}, "suppression", "check", "ok@example.org").stdout.strip() == \
        "pas sur la liste d’exclusion"
    for output in (added, again, checked):
        assert_reads_in_french(output, "suppress", html=False)


def test_english_when_asked_and_when_the_locale_is_not_french(in_language):
    assert in_language(ENGLISH | {"LANG": "fr_FR.UTF-8"}, "suppression", "check", "x@example.org").stdout.strip() \
        == "not suppressed"
    assert in_language({"LANG": "de_DE.UTF-8"}, "suppression", "check", "x@example.org").stdout.strip() == \
        "not suppressed"
    assert in_language({}, "suppression", "check", "x@example.org").stdout.strip() == "not suppressed"


def test_errors_and_usage_errors_in_french_and_english(in_language):
    args = ("import", "a.csv", "--list", "journalists", "--source-type", "bad", "--source", "Salon")
    french = in_language(FRENCH, *args, check=False)
    assert french.returncode == 2
    assert french.stderr.startswith(f"erreur{NNBSP}: --source-type{NNBSP}: 'bad' ne fait pas partie des valeurs admises")
    english = in_language(ENGLISH, *args, check=False)
    assert english.returncode == 2 and english.stderr.startswith("error: --source-type: 'bad' is not one of: given")

    missing = in_language(FRENCH, "import", "a.csv", check=False)
    assert missing.returncode == 2 and f"Utilisation{NNBSP}:" in missing.stderr
    assert f"Erreur{NNBSP}: Option manquante '--list'." in missing.stderr and "Missing" not in missing.stderr
    assert "Error: Missing option '--list'." in in_language(ENGLISH, "import", "a.csv", check=False).stderr

    unknown = in_language(FRENCH, "campaign", "status", "999", check=False)
    assert unknown.returncode == 2 and unknown.stderr.strip() == f"erreur{NNBSP}: aucune campagne 999"


def test_a_language_other_than_fr_or_en_is_refused_naming_the_variable(in_language):
    refused = in_language({"CONTACTS_LANGUAGE": "de"}, "lists", check=False)
    assert refused.returncode == 2 and "CONTACTS_LANGUAGE" in refused.stderr and "'de'" in refused.stderr


def test_lists_and_register_in_french_their_json_unchanged(in_language):
    lists = in_language(FRENCH, "lists").stdout
    assert "base légale" in lists and "Journalistes" in lists and "intérêt légitime" in lists
    assert "legal basis" not in lists and "Journalistes et rédactions" in lists  # audience_fr

    markdown = in_language(FRENCH, "register").stdout
    assert markdown.startswith("# Registre des activités de traitement")
    assert f"**Responsable du traitement**{NNBSP}: Rmn" in markdown and "Controller" not in markdown
    assert "Journalistes et rédactions, à leur adresse professionnelle" in markdown  # who a list is for
    assert_reads_in_french(markdown.replace("`", ""), "register", html=False)

    french_json = json.loads(in_language(FRENCH, "register", "--format", "json").stdout)
    english_json = json.loads(in_language(ENGLISH, "register", "--format", "json").stdout)
    for document in (french_json, english_json):
        document.pop("generated_at")
    assert french_json == english_json and english_json["activities"][0]["transfers_outside_eu"] == "none"


def test_campaign_status_and_plurals_in_french(in_language):
    created = in_language(FRENCH, "campaign", "create", "--list", "journalists", "--template",
                          "newsletter-communications", "--subject-fr", "Vernissage").stdout.splitlines()
    assert created[0].startswith(f"campagne {created[-1]}{NNBSP}: fr{NNBSP}: «{NNBSP}Vernissage{NNBSP}»")
    status = in_language(FRENCH, "campaign", "status", created[-1]).stdout
    assert status.startswith(f"campagne {created[-1]} (brouillon){NNBSP}: Vernissage")
    assert f"signalements comme indésirable{NNBSP}: 0 (0,00" in status and "draft" not in status and "queued" not in status
    assert_reads_in_french(status, "campaign status", html=False)

    revoked = in_language(FRENCH, "user", "revoke-token", "nobody", "--name", "x", check=False)
    assert revoked.returncode == 2 and "erreur" in revoked.stderr


def test_migrate_says_so_in_french(in_language):
    assert in_language(FRENCH, "migrate").stdout.strip() == "la base de données est à jour"
