"""`contacts --help` in the operator's language (issue 21): commands' and options' help from the catalogue, in
French typography; the English help as it is written; command and option names the same in both; a command
whose help the catalogue lacks shows it in English, without failing."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from contacts.cli import words
from tests.web.french_checks import assert_reads_in_french

NNBSP = "\u202f"
HELP_PAGES = (("--help",), ("campaign", "--help"), ("campaign", "send", "--help"), ("import", "--help"))


@pytest.fixture
def help_in(contacts_cli, cli_env):
    """`help_in(language, *args)`: the help page, with CONTACTS_LANGUAGE set to this language."""
    def run(language: str, *args: str) -> str:
        cli_env.update({"CONTACTS_LANGUAGE": language, "COLUMNS": "100"})
        return contacts_cli(*args).stdout

    return run


def test_help_pages_read_in_french(help_in):
    pages = {args: help_in("fr", *args) for args in HELP_PAGES}
    for args, page in pages.items():
        assert page.startswith(f"Utilisation{NNBSP}: ") and f"Options{NNBSP}:" in page, args
        assert_reads_in_french(page, " ".join(args), html=False)
    main, campaign, send, import_ = pages.values()
    assert "Listes de contacts et préférences de communication, fondées sur le" in main
    assert f"Commandes{NNBSP}:" in main and "Crée, prévisualise, teste, envoie et suit les campagnes." in main
    assert "withdraw-from-archive  Retire définitivement une campagne" in campaign  # the names stay as they are
    assert f"Envoie une campagne{NNBSP}; relancez la commande pour reprendre" in send
    assert "--concurrency ENTIER  Transactions SMTP simultanées" in send
    assert f"[par\n                        défaut{NNBSP}: 4{NNBSP}; 1<=x<=32]" in send  # click's own joins, set too
    assert "--source TEXTE" in import_ and f"par exemple «{NNBSP}Salon du\n" in import_
    for page in pages.values():
        assert "Show this message and exit." not in page and "Usage:" not in page


def test_help_pages_in_english_as_written(help_in):
    main, campaign, send, import_ = (help_in("en", *args) for args in HELP_PAGES)
    assert main.startswith("Usage: python -m contacts [OPTIONS] COMMAND [ARGS]...")
    assert "Consent-first contact lists and communication preferences." in main
    assert "campaign     Create, preview, test, send and follow campaigns." in main
    assert "withdraw-from-archive  Take a campaign out of the public archive, for..." in campaign
    assert ("Send a campaign; run it again to resume after an interruption. A draft's\n"
            "  audience is shown first and, on a terminal, the start is to be confirmed.") in send
    assert "--concurrency INTEGER RANGE  SMTP transactions in flight" in send
    assert "--yes                        Start a draft without asking (on a terminal," in send
    assert "--source TEXT            Where the addresses came from, e.g. \"Salon du" in import_
    assert all(NNBSP not in page and "’" not in page for page in (main, campaign, send, import_))


@pytest.fixture
def in_french(monkeypatch):
    monkeypatch.setenv(words.LANGUAGE_VARIABLE, "fr")
    words.language.cache_clear()
    yield
    words.language.cache_clear()


def test_a_command_the_catalogue_lacks_keeps_its_english_help(in_french):
    @click.group(help="Create, preview, test, send and follow campaigns.")
    def tool() -> None:
        pass

    @tool.command(name="window")
    @click.option("--days", type=int, help="Days a purpose may be mailed on.")
    @click.option("--rate", type=float, help="At most this many messages per second.")
    def window(days: int, rate: float) -> None:
        """Set a purpose's sending window; shown as it is written."""

    words.help_in_language(tool)
    runner = CliRunner()
    listing = runner.invoke(tool, ["--help"])
    assert listing.exit_code == 0 and "Crée, prévisualise, teste, envoie et suit les campagnes." in listing.output
    assert "window  Set a purpose's sending window" in listing.output.replace("’", "'")
    page = runner.invoke(tool, ["window", "--help"])
    assert page.exit_code == 0, page.output
    assert "Set a purpose's sending window" in page.output.replace("’", "'")
    assert "--days ENTIER" in page.output and "Days a purpose may be mailed on." in page.output
    assert "--rate NOMBRE" in page.output and "Au plus ce nombre de messages par seconde." in page.output
