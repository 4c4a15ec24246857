"""Every email template in French: French typography (U+202F before : ; ! ? and inside « »), no English
sentence of the catalogue, and the catalogue consulted once per language, never per recipient."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import ChainableUndefined

from contacts import templating
from contacts.mail.render import TemplateLibrary, sample_context
from tests.web.french_checks import assert_reads_in_french

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


class SampleValue(ChainableUndefined):
    """A notice's own values (a due date, a link) are not the point here: each reads as a sample word."""

    def __str__(self) -> str:
        return "Exemple"


def lenient_library() -> TemplateLibrary:
    library = TemplateLibrary(TEMPLATES)
    library.environment.undefined = SampleValue
    return library


@pytest.mark.parametrize("name", TemplateLibrary(TEMPLATES).names())
def test_every_mail_template_reads_in_french(name):
    parts = lenient_library().render(name, sample_context(
        lang="fr", list_name="Lettre d'information", purpose_name="Lettre de la communication",
        organisation="Rmn - Musée du Luxembourg", subject="La lettre de décembre", expires_in_days=7,
        body_paragraphs=["Bonjour à toutes et à tous : voici la lettre!", "Rendez-vous le 6 décembre à 10:30."]))
    assert_reads_in_french(parts.text, f"{name}.txt", html=False)
    assert_reads_in_french(parts.html, f"{name}.html")
    assert "https\u202f:" not in parts.text + parts.html and "10\u202f:30" not in parts.text


@pytest.mark.parametrize(("days", "french", "english"), [
    (1, "Ce lien expire dans 1 jour.", "This link expires in 1 day."),
    (7, "Ce lien expire dans 7 jours.", "This link expires in 7 days."),
])
def test_a_count_before_a_noun_agrees_with_it(days, french, english):
    """Issue 21: « 1 jour » but « 7 jours », by the catalogue's plural forms, in both languages."""
    for lang, sentence in (("fr", french), ("en", english)):
        parts = lenient_library().render("double-opt-in", sample_context(lang=lang, list_name="Lettre",
                                                                          expires_in_days=days))
        assert sentence in parts.html, parts.html


def test_the_marketing_footer_names_the_source_with_any_name():
    parts = TemplateLibrary(TEMPLATES).render("newsletter-communications", sample_context(lang="fr"))
    # "Source de votre adresse : …", not "auprès de Annuaire presse 2026"
    assert "Source de votre adresse\u202f:" in parts.text and "auprès de" not in parts.text
    assert "Se désinscrire en un clic\u202f:" in parts.text


def test_the_catalogue_is_read_once_per_language():
    """bench/send.py's concern: a campaign renders once per variant, and the words and gettext callables
    of a language are built once per process, so no recipient costs a catalogue look-up."""
    from contacts.mail.wording import WORDS

    assert templating.callables("fr") is templating.callables("fr")
    assert WORDS["fr"] is WORDS["fr"] and WORDS["fr"]["unsubscribe"] == "Se désinscrire en un clic"
    assert WORDS["en"]["unsubscribe"] == "Unsubscribe in one click"
