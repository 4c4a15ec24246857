"""A Markdown newsletter through the real send path and SMTP server: the content in both parts, placeholders
filled per recipient, the greeting staff chose, the body rendered once per language; bad bodies refused at
creation by the service, the CLI and the API, with nothing saved."""

from __future__ import annotations

import json
import re

import pytest

from contacts.errors import ValidationError
from contacts.mail import markdown_body
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.staff import accounts as staff
from contacts.tables import Campaign, Contact
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, received, settings_for

pytestmark = pytest.mark.usefixtures("database_url")

LETTER = """# Pissarro au Luxembourg

Bonjour {first_name|à toutes et à tous}, l'exposition ouvre **samedi**.
Nous vous attendons de 10 h à 13 h
19 rue de Vaugirard

Le programme est sur [notre site](https://museeduluxembourg.example/pissarro), et https://museeduluxembourg.example/plan.

[[Réserver]](https://billetterie.example/pissarro?tarif=presse&jour=samedi)

À bientôt, {title|} {last_name|} de {organisation|votre rédaction}.
"""


def parts(message) -> tuple[str, str]:
    """Text and HTML, with the wire's CRLF as newlines."""
    return tuple(part.get_content().replace("\r\n", "\n") for part in message.get_payload())


async def create(body: str = LETTER, **kwargs) -> campaigns.CampaignInfo:
    return await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                  subject="Pissarro", actor="test", body=body, **kwargs,
                                  content={"subject_en": "Pissarro", "body_en": body})  # the same in English


async def test_req50_a_markdown_newsletter_arrives_with_its_heading_link_button_and_two_line_address(tmp_path):
    await import_list(tmp_path, "journalists", ["zoe@presse.example,Zoé,<Lefèvre> & Co,Mme,Le Monde & <Fils>,fr",
                                                "anon@presse.example,,,,,en"],
                      header="email,first_name,last_name,title,organisation,language")
    campaign = await create(greeting="first_name")
    # The links as staff wrote them: counted links (REQ-48) are tests/web/test_link_clicks.py's.
    await Campaign.update({Campaign.count_clicks: False}).where(Campaign.id == campaign.id)
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2), settings=settings_for(server))
    assert (summary.sent, summary.failed) == (2, 0)
    text, page = parts(received(server)["zoe@presse.example"])

    assert re.search(r'<h1[^>]*>Pissarro au Luxembourg</h1>', page)
    assert "Pissarro au Luxembourg\n======================" in text
    assert re.search(r'<a href="https://museeduluxembourg.example/pissarro"[^>]*>notre site</a>', page)
    assert re.search(r'<a href="https://museeduluxembourg.example/plan"[^>]*>https://museeduluxembourg.example/plan</a>',
                     page)
    assert "sur notre site [1], et https://museeduluxembourg.example/plan." in text
    # The button: a table whose cell carries the colour (css-inline orders attributes as it likes).
    assert re.search(r'<table[^>]* class="button"[^>]*>.*?<td[^>]* bgcolor="#1a3d7c"[^>]*><a[^>]* '
                     r'href="https://billetterie.example/pissarro\?tarif=presse&amp;jour=samedi"[^>]*>Réserver</a>',
                     page, re.S)
    assert "→ Réserver [2]" in text and "[2] https://billetterie.example/pissarro?tarif=presse&jour=samedi" in text
    assert re.search(r"de 10 h à 13 h<br ?/?>\s*19 rue de Vaugirard", page)
    assert "de 10 h à 13 h\n19 rue de Vaugirard" in text
    # The greeting staff chose, then the placeholders, with the recipient's values escaped in the HTML part.
    assert re.search(r"<p[^>]*>Bonjour Zoé,</p>", page) and "Bonjour Zoé,\n\n" in text
    assert "Bonjour Zoé, l’exposition" in text
    assert "À bientôt, Mme &lt;Lefèvre&gt; &amp; Co de Le Monde &amp; &lt;Fils&gt;." in page
    assert "À bientôt, Mme <Lefèvre> & Co de Le Monde & <Fils>." in text
    assert "%%" not in page + text and "La lettre de la communication" not in page + text

    text, page = parts(received(server)["anon@presse.example"])
    assert "Hello,\n\nPissarro au Luxembourg\n===" in text and "Bonjour à toutes et à tous, l'exposition" in text
    assert "À bientôt,   de votre rédaction." in text  # the empty fallbacks: nothing
    assert '<html lang="en">' in page and "Links:\n[1] https://museeduluxembourg.example/pissarro" in text


@pytest.mark.parametrize("greeting, french, english", [
    ("none", None, None), ("formal", "Madame, Monsieur,", "Dear Sir or Madam,"),
])
async def test_the_greeting_staff_chose(tmp_path, greeting, french, english):
    await import_list(tmp_path, "journalists", ["zoe@presse.example,Zoé,fr", "ann@presse.example,Ann,en"],
                      header="email,first_name,language")
    campaign = await create(body="Le texte.", greeting=greeting)
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(), settings=settings_for(server))
    mail = received(server)
    for address, expected in (("zoe@presse.example", french), ("ann@presse.example", english)):
        text = parts(mail[address])[0]
        opening = text.split("Pissarro\n\n", 1)[1]
        assert opening.startswith(f"{expected}\n\nLe texte." if expected else "Le texte.")
        assert "Bonjour Zoé" not in text and "Dear Ann" not in text


async def test_markdown_is_rendered_once_per_campaign_and_language_not_per_recipient(tmp_path, monkeypatch):
    await import_list(tmp_path, "journalists", [f"fr{i}@presse.example,Zoé{i},fr" for i in range(12)]
                      + [f"en{i}@presse.example,Ann{i},en" for i in range(7)], header="email,first_name,language")
    campaign = await create()
    calls: list[str] = []
    real = markdown_body.render

    def counted(source: str, **kwargs):
        calls.append(kwargs.get("language", "fr"))
        return real(source, **kwargs)

    monkeypatch.setattr(markdown_body, "render", counted)
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(concurrency=3), settings=settings_for(server))
    assert summary.sent == 19
    assert sorted(calls) == ["en", "fr"]
    texts = [parts(m)[0] for m in received(server).values()]
    assert sum("Bonjour Zoé3, l’exposition" in t for t in texts) == 1  # yet each got their own name


@pytest.mark.parametrize("body, message", [
    ("Bonjour\n\n<script>alert(1)</script>", "line 3: raw HTML is not allowed"),
    ("Bonjour\n[ici](javascript:alert(1))", "line 2: javascript: links are not allowed"),
    ("![](https://musee.example/a.jpg)", "line 1: the image https://musee.example/a.jpg has no alt text"),
    ("Cher {prenom},", "line 1: unknown placeholder {prenom}"),
])
async def test_req50_a_body_that_breaks_a_rule_is_refused_at_creation_and_nothing_is_saved(body, message):
    with pytest.raises(ValidationError) as refused:
        await create(body=body)
    assert refused.value.field == "body" and refused.value.message.startswith(message)
    with pytest.raises(ValidationError) as refused:
        await create(body="Texte.", greeting="casual")
    assert refused.value.field == "greeting"
    assert await Campaign.count() == 0


def test_req50_the_cli_refuses_a_bad_body_naming_the_line_and_takes_the_greeting(contacts_cli, tmp_path):
    (tmp_path / "bad.md").write_text("# Titre\n\nVoir <a href='https://x.example'>ici</a>\n", encoding="utf-8")
    (tmp_path / "good.md").write_text("# Titre\n\nBonjour {first_name|à tous}\n", encoding="utf-8")
    base = ("campaign", "create", "--list", "journalists", "--template", "newsletter-communications", "--subject", "S")
    refused = contacts_cli(*base, "--body", "bad.md", check=False)
    assert refused.returncode == 2 and "body: line 3: raw HTML is not allowed" in refused.stderr
    assert contacts_cli(*base, "--greeting", "casual", check=False).returncode == 2
    assert contacts_cli("campaign", "status", "1", check=False).returncode == 2  # nothing was saved
    made = contacts_cli(*base, "--body", "good.md", "--greeting", "formal")
    campaign_id = made.stdout.strip().splitlines()[-1]
    preview = contacts_cli("campaign", "preview", campaign_id).stdout
    assert "Madame, Monsieur,\n\nTitre\n=====\n\nBonjour Camille" in preview


async def test_req50_the_api_refuses_a_bad_body_with_400_naming_field_and_line(http_client):
    await staff.create_user("camille", "communications", "correct horse battery staple", ())
    headers = {"Authorization": f"Bearer {await staff.create_token('camille', 'tests')}"}
    campaign = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "S"}
    async with http_client() as client:
        bad = await client.post("/api/campaigns", headers=headers,
                                content=json.dumps({**campaign, "body": "Un\n\n[x](javascript:alert(1))"}))
        assert bad.status_code == 400, bad.text
        error = bad.json()["error"]
        assert error["field"] == "body" and "line 3: javascript: links are not allowed" in bad.text
        assert await Campaign.count() == 0
        made = await client.post("/api/campaigns", headers=headers,
                                 content=json.dumps({**campaign, "body": "**Bonjour**", "greeting": "first_name"}))
        assert made.status_code == 201 and made.json()["greeting"] == "first_name"
        wrong = await client.post("/api/campaigns", headers=headers, content=json.dumps({**campaign, "greeting": "x"}))
        assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "greeting"
    assert (await Contact.count()) == 0


async def test_req50_the_staff_form_takes_the_greeting_and_shows_a_refused_body_again(http_client):
    from tests.web.test_staff_pages import signed_in

    async with http_client() as client:
        token = await signed_in(client, "camille")
        form = {"_csrf_token": token, "lists": "journalists", "template": "newsletter-communications",
                "subject_fr": "La lettre", "greeting": "formal"}
        assert 'name="greeting"' in (await client.get("/staff/campaigns/")).text
        refused = await client.post("/staff/campaigns/", data={**form, "body_fr": "Un\r\n\r\n<b>gras</b>"})
        assert refused.status_code == 400 and "Message (French): line 3: raw HTML is not allowed" in refused.text  # the field in words
        assert '<option value="formal" selected>' in refused.text and "&lt;b&gt;gras&lt;/b&gt;" in refused.text
        assert await Campaign.count() == 0
        created = await client.post("/staff/campaigns/", data={**form, "body_fr": "**Bonjour**"})
        assert created.status_code == 303
    assert [row["greeting"] for row in await Campaign.select(Campaign.greeting)] == ["formal"]


async def test_a_body_saved_before_markdown_that_breaks_a_rule_is_sent_as_its_plain_text(tmp_path):
    await import_list(tmp_path, "journalists", ["zoe@presse.example,Zoé,fr"], header="email,first_name,language")
    campaign = await create(body="Texte.")
    await Campaign.update({Campaign.body_fr: "Le <b>vernissage</b> {prenom}\nà 19 h"}).where(Campaign.id == campaign.id)
    with TestSmtpServer() as server:
        summary = await send_campaign(campaign.id, SendOptions(), settings=settings_for(server))
    assert summary.sent == 1
    text, page = parts(received(server)["zoe@presse.example"])
    assert "Le <b>vernissage</b> {prenom}\nà 19 h" in text
    assert re.search(r"Le &lt;b&gt;vernissage&lt;/b&gt; \{prenom\}<br ?/?>\s*à 19 h", page) and "<b>" not in page
