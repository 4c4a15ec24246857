"""The gettext catalogue is complete: every message the code and templates mark has a French and an English
translation (a fuzzy one counts as missing), with the same placeholders; the typography filter is right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from contacts.i18n import LANGUAGES, locale_dir, translations, when
from contacts.typography import NNBSP, french, french_html

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|\{[a-z_]+\}")


def marked_messages() -> set[str | tuple[str, ...]]:
    """What `pybabel extract -F babel.cfg src templates` finds, read with the same configuration."""
    method_map = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
    options = {"**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"},
               "**.txt": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    found: set[str | tuple[str, ...]] = set()
    for folder in ("src", "templates"):
        for _, _, message, _, _ in extract_from_dir(ROOT / folder, method_map, options):
            found.add(message)
    return found


def catalogue(lang: str):
    with (locale_dir() / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


def test_babel_cfg_says_what_the_test_reads():
    config = (ROOT / "babel.cfg").read_text()
    assert "[python: **.py]" in config and "[jinja2: **.html]" in config and "[jinja2: **.txt]" in config


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_marked_message_is_translated(lang):
    entries = {message.id: message for message in catalogue(lang) if message.id}
    missing = []
    for message_id in marked_messages():
        entry = entries.get(message_id)
        strings = entry.string if entry and isinstance(entry.string, tuple) else (entry.string if entry else "",)
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(message_id)
    assert missing == [], f"{len(missing)} message(s) without a {lang} translation: {missing[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_their_placeholders(lang):
    faults = []
    for message in catalogue(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1])) - {"%(num)s"}
        for string in strings:
            if set(PLACEHOLDER.findall(string)) - {"%(num)s"} != wanted:
                faults.append((ids[0], string))
    assert faults == []


def test_the_catalogue_is_compiled_at_start_up():
    assert translations("fr").gettext("Dashboard") == "Tableau de bord"
    assert translations("en").gettext("Dashboard") == "Dashboard"
    assert translations("fr").ngettext("%(num)s member.", "%(num)s members.", 2) == "%(num)s membres."


def test_dates_are_in_words_in_paris_time():
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 6, 14, 42, 7, 123456, tzinfo=UTC)
    assert when(moment, "fr") == "6 décembre 2026 à 15:42"
    assert when(moment, "en") == "6 December 2026 at 15:42"
    assert when("2026-07-14", "fr") == "14 juillet 2026"


@pytest.mark.parametrize(("plain", "set_"), [
    ("Se désinscrire en un clic:", f"Se désinscrire en un clic{NNBSP}:"),
    ("Je viendrai : oui ; non ! vraiment ?", f"Je viendrai{NNBSP}: oui{NNBSP}; non{NNBSP}! vraiment{NNBSP}?"),
    ("J'accepte « Lettre »", f"J’accepte «{NNBSP}Lettre{NNBSP}»"),
    ("https://musee.example/p?lang=fr à 10:30", "https://musee.example/p?lang=fr à 10:30"),
    ("scope list:press, mailto:dpo@musee.example", "scope list:press, mailto:dpo@musee.example"),
])
def test_french_typography(plain, set_):
    assert french(plain) == set_
    assert french(set_) == set_  # idempotent


def test_french_typography_leaves_markup_alone():
    page = ('<p style="a: b; c: d">Bonjour : l&#39;équipe &amp; moi; <a href="https://x/?a=1">ici</a>!</p>'
            "<style>p{a:b}</style><code>a: b</code>")
    assert str(french_html(page)) == (
        f'<p style="a: b; c: d">Bonjour{NNBSP}: l’équipe &amp; moi{NNBSP}; <a href="https://x/?a=1">ici</a>{NNBSP}!</p>'
        "<style>p{a:b}</style><code>a: b</code>")


def test_english_inside_a_french_page_is_left_english():
    page = '<p>Liste : <span lang="en">Journalists: editors</span> !</p><input lang="en" value="a: b"> Fin!'
    assert str(french_html(page)) == (
        f'<p>Liste{NNBSP}: <span lang="en">Journalists: editors</span>{NNBSP}!</p><input lang="en" value="a: b"> '
        f"Fin{NNBSP}!")
