"""Templates and message bytes: REQ-5, REQ-27, REQ-37, REQ-38, bilingual and third-party provenance (REQ-13)."""

from __future__ import annotations

import email
import re
import shutil
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from markupsafe import Markup

from contacts.errors import ValidationError
from contacts.mail.markdown_body import render as render_body
from contacts.mail.message import EncodedTemplate, MessageSkeleton, mailbox, message_id
from contacts.mail.render import (
    RenderedParts,
    TemplateLibrary,
    escaped,
    marker,
    sample_context,
)

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
library = TemplateLibrary(TEMPLATES)
MARKETING = ("newsletter-communications", "newsletter-mediation", "invitation")
RECIPIENT = {
    "greeting": "Bonjour Zoé <Z>,",
    "unsubscribe_url": "https://contacts.example/u/TOKEN-U",
    "objection_url": "https://contacts.example/o/TOKEN-O",
    "preferences_url": "https://contacts.example/p/TOKEN-P",
    "third_party_source": "Annuaire & Presse",
    "view_url": "https://contacts.example/v/TOKEN-V",
}


def filled(parts: RenderedParts, values: dict[str, str]) -> RenderedParts:
    """The markers replaced one by one: what a recipient's message says, by a path of the test's own."""
    text, page = parts.text, parts.html
    for name, value in values.items():
        text, page = text.replace(marker(name), value), page.replace(marker(name), escaped({name: value})[name])
    return RenderedParts(text=text, html=page)


def body(source: str, **options) -> dict[str, object]:
    """A Markdown body as the composer gives it to a template."""
    rendered = render_body(source, **options)
    return {"body_html": Markup(rendered.html), "body_text": rendered.text}


def sent(parts: RenderedParts, values: dict[str, str]) -> tuple[bytes, bytes]:
    """The parts as the composer sends them: each encoded once per variant, then filled per recipient."""
    return EncodedTemplate.of(parts.text).encode(values), EncodedTemplate.of(parts.html).encode(escaped(values))


def test_the_templates_exist():
    """The marketing templates, and one per notice the product sends (each with its subject)."""
    from contacts.mail.notices import SUBJECTS
    assert set(library.names()) == {*MARKETING, *SUBJECTS}
    assert {"double-opt-in", "rights-acknowledgement"} <= set(SUBJECTS)


# REQ-5: every marketing template names the sender and carries the unsubscribe link, in both parts.
@pytest.mark.parametrize("name", MARKETING)
def test_req5_marketing_templates_pass_the_check(name):
    library.check_marketing(name)


def write_template(folder: Path, name: str, html: str, text: str) -> TemplateLibrary:
    shutil.copytree(TEMPLATES, folder / "templates")
    (folder / "templates" / "emails" / f"{name}.html").write_text(html)
    (folder / "templates" / "emails" / f"{name}.txt").write_text(text)
    return TemplateLibrary(folder / "templates")


def test_req5_a_template_without_the_unsubscribe_link_is_refused(tmp_path):
    bad = write_template(tmp_path, "sneaky", "<p>{{ organisation }} {{ greeting }}</p>", "{{ organisation }}\n")
    with pytest.raises(ValidationError, match="no unsubscribe link"):
        bad.check_marketing("sneaky")


def test_req5_a_template_that_hides_the_sender_is_refused(tmp_path):
    bad = write_template(tmp_path, "anonymous", '<a href="{{ unsubscribe_url }}">x</a>', "{{ unsubscribe_url }}\n")
    with pytest.raises(ValidationError, match="does not name the sender"):
        bad.check_marketing("anonymous")


def test_undefined_variables_are_errors_naming_the_template(tmp_path):
    bad = write_template(tmp_path, "typo", "{{ organisatoin }}", "x")
    with pytest.raises(ValidationError) as error:
        bad.render("typo", sample_context())
    assert error.value.field == "template" and "typo" in error.value.message and "organisatoin" in error.value.message


def test_html_is_autoescaped_and_css_inlined():
    parts = library.render("newsletter-communications", sample_context(subject="<script>alert(1)</script>"))
    assert "<script>" not in parts.html and "&lt;script&gt;" in parts.html
    assert 'style="' in parts.html
    # Only the @media rules (phone width, dark mode) stay in a <style>: they cannot be inlined.
    for block in re.findall(r"<style>(.*?)</style>", parts.html, re.S):
        assert re.sub(r"@media[^{]*\{(?:[^{}]*\{[^{}]*\})*[^{}]*\}", "", block).strip() == ""
    assert "<script>alert(1)</script>" in parts.text  # the text part is text


# REQ-13: a contact from a third party is told where the address came from; others are not.
def test_req13_third_party_block_and_recipient_values_are_filled_safely():
    message = email.message_from_bytes(build(sent(library.render("newsletter-communications", sample_context()),
                                                  RECIPIENT)), policy=policy.default)
    text, html = (part.get_content() for part in message.get_payload())
    assert "Annuaire &amp; Presse" in html and "Annuaire & Presse" in text
    assert "Bonjour Zoé &lt;Z&gt;," in html
    assert 'href="https://contacts.example/u/TOKEN-U"' in html
    assert "%%" not in html + text
    plain = library.render("newsletter-communications", sample_context(third_party_source=None))
    assert marker("third_party_source") not in plain.html
    assert "Nous avons obtenu votre adresse" not in plain.text


def test_french_and_english():
    french = library.render("newsletter-mediation", sample_context(lang="fr"))
    english = library.render("newsletter-mediation", sample_context(lang="en", basis_words="our legitimate interest"))
    assert '<html lang="fr">' in french.html and "Se désinscrire en un clic" in french.text
    assert '<html lang="en">' in english.html and "Unsubscribe in one click" in english.text
    assert "Why are you receiving this message?" in english.text and "The mediation newsletter" not in english.text


def build(parts, to="Zoé Lefèvre <zoe@example.org>"):
    skeleton = MessageSkeleton.build(from_name="Rmn - Musée du Luxembourg", from_address="communication@musee.example",
                                     subject="Exposition « Cézanne » : vernissage", list_id="Journalists <journalists.musee.example>",
                                     boundary_seed="campaign-1")
    return skeleton.message(
        to=to, message_id=message_id(b"k", 1, 42, "musee.example"), date=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        parts=parts, unsubscribe_url=RECIPIENT["unsubscribe_url"], unsubscribe_mailto="mailto:unsubscribe+TOKEN@musee.example",
    )


# REQ-27 headers, REQ-37 structure, REQ-38 line lengths.
def test_req27_req37_req38_message_structure_and_headers():
    long_paragraph = "Un très long paragraphe sans retour à la ligne. " * 200
    parts = library.render("newsletter-communications", sample_context(**body(long_paragraph)))
    raw = build(sent(parts, RECIPIENT))
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["List-Unsubscribe"] == "<https://contacts.example/u/TOKEN-U>, <mailto:unsubscribe+TOKEN@musee.example>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"] == "Journalists <journalists.musee.example>"
    assert message["Message-ID"].startswith("<c1.") and message["Message-ID"].endswith("@musee.example>")
    assert message["Date"] == "Wed, 25 Nov 2026 10:00:00 +0000"
    assert str(message["From"]) == "Rmn - Musée du Luxembourg <communication@musee.example>"
    assert str(message["Subject"]) == "Exposition « Cézanne » : vernissage"
    assert str(message["To"]) == "Zoé Lefèvre <zoe@example.org>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_payload()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert long_paragraph.strip() in text.get_content()
    assert "Rmn - Musée du Luxembourg" in text.get_content() and RECIPIENT["unsubscribe_url"] in text.get_content()
    assert RECIPIENT["objection_url"] in html.get_content() and RECIPIENT["preferences_url"] in html.get_content()


def test_message_ids_are_stable_and_reveal_no_ids():
    assert message_id(b"k", 7, 12345, "d") == message_id(b"k", 7, 12345, "d")
    assert message_id(b"k", 7, 12345, "d") != message_id(b"k", 7, 12346, "d")
    assert "12345" not in message_id(b"k", 7, 12345, "d")


def test_req40_smtputf8_recipient_header_is_utf8():
    assert mailbox("Émile", "émile@exemple.fr") == '"Émile" <émile@exemple.fr>'
    parts = library.render("newsletter-communications", sample_context())
    raw = build(sent(parts, RECIPIENT), to=mailbox("Émile", "émile@exemple.fr"))
    assert "To: \"Émile\" <émile@exemple.fr>".encode() in raw


@pytest.mark.parametrize("value", ["Zoé", "trailing space \nnext", "a\r\nb\rc", ".", "x" * 300, "tab\t", "=3D é " * 40, ""])
def test_a_variant_encoded_once_gives_the_same_bytes_as_encoding_each_filled_message(value):
    parts = library.render("newsletter-communications", sample_context(**body("Para. " * 50 + "\n\n\\.")))
    values = {**RECIPIENT, "greeting": value, "third_party_source": value + "\n."}
    assert build(sent(parts, values)) == build(filled(parts, values))


# Issue 20, item 8: a marketing template without the "view in your browser" link, in either part, is refused.
def test_a_template_without_the_view_link_is_refused(tmp_path):
    html = '<p>{{ organisation }} <a href="{{ unsubscribe_url }}">x</a> {{ view_url }}</p>'
    bad = write_template(tmp_path, "viewless", html, "{{ organisation }} {{ unsubscribe_url }}\n")
    with pytest.raises(ValidationError, match="the text part has no \"view in your browser\" link"):
        bad.check_marketing("viewless")


def test_the_layout_is_a_600px_table_with_lang_logo_colours_and_a_dark_mode_palette():
    branded = TemplateLibrary(TEMPLATES, brand_colour="#7a1f3d", logo_url="https://musee.example/media/logo-400x120.png")
    page = branded.render("newsletter-communications", sample_context(lang="en", **body(
        "[[Book]](https://tickets.example)\n\n![Poster](https://musee.example/media/p-1200x1600.jpg)",
        accent="#7a1f3d"))).html
    assert '<html lang="en">' in page
    assert '<meta name="color-scheme" content="light dark">' in page and "prefers-color-scheme: dark" in page
    assert re.search(r'<table[^>]* class="wrap"[^>]* width="600"[^>]*style="[^"]*max-width: 600px', page)
    assert re.search(r'<img class="logo" height="60" src="https://musee.example/media/logo-400x120.png" '
                     r'alt="Rmn - Musée du Luxembourg" width="200"', page)
    assert 'bgcolor="#7a1f3d"' in page and "color: #7a1f3d" in page  # the button, the links' colour
    assert re.search(r'<img[^>]* width="600" height="800"', page)
    plain = library.render("newsletter-communications", sample_context()).html
    assert 'class="logo"' not in plain and "#1a3d7c" in plain  # no logo without the setting; the default colour
