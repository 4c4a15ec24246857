"""Campaign bodies in Markdown (mail/markdown_body.py): each construct in both parts, line breaks kept, and
the refusals of REQ-50 (staff text is data) and REQ-49 (every image has alt text), each naming its line."""

from __future__ import annotations

import re

import pytest

from contacts.errors import ValidationError
from contacts.mail.markdown_body import Placeholder, as_plain, render
from contacts.mail.render import marker


def filled(text: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        text = text.replace(marker(name), value)
    return text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_single_newline_is_a_line_break_in_both_parts(newline):
    """The issue's case: "de 10 h à 13 h" then the address must not read as "13 h 19"."""
    body = render(newline.join(["Ouvert de 10 h à 13 h", "19 rue de Vaugirard", "", "Second paragraphe."]))
    assert "<p>Ouvert de 10 h à 13 h<br />\n19 rue de Vaugirard</p>\n<p>Second paragraphe.</p>" in body.html
    assert body.text == "Ouvert de 10 h à 13 h\n19 rue de Vaugirard\n\nSecond paragraphe.\n"


def test_headings_are_headings_in_html_and_underlined_in_text():
    body = render("# Le programme\n\n## Décembre\n\nTexte.")
    assert "<h1>Le programme</h1>" in body.html and "<h2>Décembre</h2>" in body.html
    assert body.text.startswith("Le programme\n============\n\nDécembre\n--------\n\nTexte.")


def test_bold_italic_and_quotes():
    body = render("Un **grand** *peintre*.\n\n> Une citation\n> sur deux lignes")
    assert "<strong>grand</strong>" in body.html and "<em>peintre</em>" in body.html
    assert "<blockquote>\n<p>Une citation<br />\nsur deux lignes</p>\n</blockquote>" in body.html
    assert "Un grand peintre.\n\n> Une citation\n> sur deux lignes\n" in body.text


def test_links_are_numbered_references_in_the_text_part_and_bare_urls_are_linkified():
    body = render("Voir [le site](https://musee.example/expo?a=1&b=2), [écrire](mailto:accueil@musee.example),\n"
                  "https://musee.example/plan et [encore le site](https://musee.example/expo?a=1&b=2).")
    assert '<a href="https://musee.example/expo?a=1&amp;b=2">le site</a>' in body.html
    assert '<a href="https://musee.example/plan">https://musee.example/plan</a>' in body.html
    assert "Voir le site [1], écrire [2],\nhttps://musee.example/plan et encore le site [1]." in body.text
    assert body.text.endswith("Liens\u202f:\n[1] https://musee.example/expo?a=1&b=2\n[2] mailto:accueil@musee.example\n")
    assert render("[site](https://musee.example)", language="en").text.endswith("Links:\n[1] https://musee.example\n")


def test_bulleted_and_numbered_lists():
    body = render("- un\n- deux\n  - deux bis\n\n3. trois\n4. quatre")
    assert "<ul>\n<li>un</li>\n<li>deux\n<ul>\n<li>deux bis</li>" in body.html
    assert '<ol start="3">\n<li>trois</li>\n<li>quatre</li>\n</ol>' in body.html
    assert "- un\n- deux\n  - deux bis\n\n3. trois\n4. quatre\n" == body.text


def test_horizontal_rule():
    body = render("Avant\n\n---\n\nAprès")
    assert "<hr />" in body.html and "Avant\n\n" + "-" * 40 + "\n\nAprès" in body.text


def test_images_have_their_size_from_a_media_url_or_fit_the_layout():
    body = render("![Affiche de l'exposition](https://musee.example/media/ab12-1200x1800.jpg)\n\n"
                  "![Plan](https://musee.example/plan.png)")
    assert re.search(r'<img src="https://musee.example/media/ab12-1200x1800.jpg" alt="Affiche de l&#x27;exposition" '
                     r'width="600" height="900" style="[^"]*max-width:600px', body.html)
    assert re.search(r'<img src="https://musee.example/plan.png" alt="Plan" width="100%" style="[^"]*max-width:600px',
                     body.html)
    assert "[Affiche de l'exposition]\n\n[Plan]" in body.text


def test_a_link_whose_text_is_in_brackets_alone_in_its_paragraph_is_a_table_button():
    body = render("Réservez :\n\n[[Réserver]](https://billetterie.example/r?x=1&y=2)", accent="#224466")
    assert re.search(r'<table role="presentation" class="button"[^>]*><tr><td align="center" bgcolor="#224466"[^>]*>'
                     r'<a class="button-link" href="https://billetterie.example/r\?x=1&amp;y=2"[^>]*>Réserver</a>'
                     r"</td></tr></table>", body.html)
    assert "→ Réserver [1]" in body.text and "[1] https://billetterie.example/r?x=1&y=2" in body.text
    inline = render("Texte et [[pas un bouton]](https://musee.example) dans la phrase.")
    assert 'class="button"' not in inline.html and "[pas un bouton]" in inline.html


def test_placeholders_become_markers_with_their_fallbacks():
    body = render("# Bonjour {first_name|cher lecteur}\n\n{title} {last_name}, de {organisation|votre rédaction}.")
    assert body.placeholders == (Placeholder("first_name", "cher lecteur"), Placeholder("title", ""),
                                 Placeholder("last_name", ""), Placeholder("organisation", "votre rédaction"))
    values = body.values({"first_name": "Zoé", "title": "Mme", "last_name": None, "organisation": "  "})
    assert filled(body.html, values).startswith("<h1>Bonjour Zoé</h1>\n<p>Mme , de votre rédaction.</p>")
    anonymous = body.values({})
    assert filled(body.text, anonymous).startswith("Bonjour cher lecteur\n====================")


def test_staff_text_is_never_a_template_and_markers_cannot_be_forged():
    body = render("{{ 7 * 7 }} {% if true %}x{% endif %} %%abc.greeting%% \ue0000\ue001")
    assert "{{ 7 * 7 }} {% if true %}x{% endif %} %%abc.greeting%%" in body.html and body.placeholders == ()
    assert "\ue000" not in body.html and marker("body_0") not in body.html


def test_as_plain_shows_old_bodies_as_written():
    source = "<b>gras</b> [lien](javascript:alert(1)) {prenom}\nligne 2"
    body = render(as_plain(source))
    assert body.text == "<b>gras</b> [lien](javascript:alert(1)) {prenom}\nligne 2\n"
    assert "&lt;b&gt;gras&lt;/b&gt;" in body.html and "<a" not in body.html


def refusal(source: str) -> str:
    with pytest.raises(ValidationError) as caught:
        render(source, field="body_fr")
    assert caught.value.field == "body_fr"
    return caught.value.message


@pytest.mark.parametrize("source, line", [
    ("Titre\n\n<div>bloc</div>", 3),
    ("Un\ndeux <b>gras</b>", 2),
    ("Un\n\n- liste\n- <img src=x onerror=alert(1)>", 4),
    ("<!-- commentaire -->", 1),
])
def test_req50_raw_html_is_refused_with_its_line(source, line):
    assert re.match(rf"line {line}: raw HTML is not allowed", refusal(source))


@pytest.mark.parametrize("target", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "vbscript:x",
                                    "file:///etc/passwd"])
def test_req50_a_javascript_or_other_scheme_link_is_refused_with_its_line(target):
    message = refusal(f"Bonjour\n\n[cliquez]({target})")
    assert message.startswith("line 3: ") and "links are not allowed; only https:, http:, mailto: and tel:" in message


def test_req50_relative_links_reference_links_and_buttons_are_checked_too():
    assert refusal("[ici](/page)").startswith("line 1: the link '/page' is not a full address")
    assert refusal("Voir [ici][x].\n\n[x]: javascript:alert(1)").startswith("line 1: javascript: links")
    assert refusal("\n[[Réserver]](javascript:alert(1))").startswith("line 2: javascript: links")
    assert refusal("![Affiche](javascript:alert(1))").startswith("line 1: javascript: links")
    assert refusal("[ici](https://musee.example/?n={first_name})").startswith("line 1: a placeholder cannot")


def test_req50_allowed_schemes_pass():
    body = render("[a](https://x.example) [b](http://x.example) [c](mailto:a@x.example) [d](tel:+33140000000)")
    assert body.html.count("<a href=") == 4


@pytest.mark.parametrize("source, line", [("Texte\n![](https://musee.example/a.jpg)", 2),
                                          ("\n\n![ ](https://musee.example/a.jpg)", 3),
                                          ("![{first_name}](https://musee.example/a.jpg)", 1)])
def test_req49_an_image_without_alt_text_is_refused_with_its_line(source, line):
    assert re.match(rf"line {line}: the image https://musee.example/a.jpg has no alt text", refusal(source))


def test_req50_an_unknown_placeholder_is_refused_with_its_line():
    message = refusal("Bonjour {first_name},\n\nCher {prenom|ami}")
    assert message == ("line 3: unknown placeholder {prenom}; the placeholders are {first_name}, {last_name}, "
                       "{title}, {organisation}")
