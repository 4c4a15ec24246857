""""View in your browser" (issue 20, item 8): every campaign message links to `/v/TOKEN`, a public copy of its
content in the recipient's language that names nobody, changes nothing, sets no cookie and loads nothing from
elsewhere; any link that is not genuine, and a deleted campaign's, gets the same "nothing here" page (REQ-25)."""

from __future__ import annotations

import base64
import dataclasses
import email
import re
from email import policy

import pytest

from contacts.db.engine import write_transaction
from contacts.db.piccolo_app import APP_CONFIG
from contacts.sending.view_links import open_view_token
from contacts.sending.worker import SendOptions, send_campaign
from contacts.settings import get_settings
from contacts.tables import Campaign, CampaignList, Contact, Delivery
from contacts.tokens import LinkToken, TokenAction, TokenCodec, codec_for
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, new_campaign
from tests.web.conftest import same_page

pytestmark = pytest.mark.usefixtures("database_url")

PEOPLE = ["zoe@presse.example,Zoé,Lefèvre,fr", "hugo@presse.example,Hugo,Martin,fr",
          "victor@vip.example,Victor,Hugo,en"]
VIEW_LINK = re.compile(r"https?://[^/\s\"]+(/v/[A-Za-z0-9_-]+)")


@dataclasses.dataclass
class Sent:
    campaign_id: int
    mail: dict[str, email.message.EmailMessage]

    def parts(self, address: str) -> tuple[str, str]:
        message = self.mail[address]
        return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()

    def view_path(self, address: str) -> str:
        text, html = self.parts(address)
        (in_text,), (in_html,) = VIEW_LINK.findall(text), VIEW_LINK.findall(html)
        assert in_text == in_html
        return in_text


@pytest.fixture
async def sent(tmp_path) -> Sent:
    await import_list(tmp_path, "journalists", PEOPLE)
    campaign = await new_campaign("journalists", subject="La lettre de décembre", greeting="first_name",
                                  content={"subject_en": "The December letter", "body_en": "First paragraph."})
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2), settings=settings)
    assert summary.sent == 3
    mail = {e.rcpt_tos[0]: email.message_from_bytes(e.original_content, policy=policy.default)
            for e in server.handler.received}
    return Sent(campaign.id, mail)


def personal_values(sent: Sent) -> list[str]:
    """Everything about the people that their messages carry: names, addresses, and their own links."""
    values = ["Zoé", "Lefèvre", "Hugo", "Martin", "Victor", "presse.example", "vip.example", "/u/", "/o/", "/p/",
              "Annuaire presse", "Bonjour Zoé", "Dear Victor"]
    for address in sent.mail:
        text, _ = sent.parts(address)
        values += re.findall(r"/[uop]/([A-Za-z0-9_-]+)", text)
    return values


async def all_rows() -> dict[str, list[dict]]:
    """Every row of every table, to prove that a view wrote nothing."""
    every_table = APP_CONFIG.table_classes  # every module's tables: people's data, machinery, media
    return {table._meta.tablename: await table.select().order_by(table._meta.primary_key) for table in every_table}


async def test_every_sent_message_carries_the_view_link_in_both_parts(sent):
    paths = {address: sent.view_path(address) for address in sent.mail}
    # One link per campaign and language: it says nothing about who received it.
    assert paths["zoe@presse.example"] == paths["hugo@presse.example"] != paths["victor@vip.example"]
    codec = codec_for(get_settings().secret_keys)
    opened = {address: open_view_token(codec, path.removeprefix("/v/")) for address, path in paths.items()}
    assert opened["zoe@presse.example"].language == "fr" and opened["victor@vip.example"].language == "en"
    assert {viewed.campaign_id for viewed in opened.values()} == {sent.campaign_id}
    french_text, french_html = sent.parts("zoe@presse.example")
    assert "Voir ce message dans votre navigateur\u202f: http" in french_text
    assert ">Voir ce message dans votre navigateur</a>" in french_html
    assert "View this message in your browser: http" in sent.parts("victor@vip.example")[0]


async def test_the_view_link_opens_the_content_in_each_language(sent, http_client):
    async with http_client() as client:
        french = await client.get(sent.view_path("zoe@presse.example"))
        english = await client.get(sent.view_path("victor@vip.example"), headers={"Accept-Language": "fr"})
    assert french.status_code == english.status_code == 200
    assert '<html lang="fr">' in french.text and '<html lang="en">' in english.text
    assert english.headers["content-language"] == "en"  # the link's language, whatever the browser prefers
    # Each language's own version of the campaign.
    assert "La lettre de décembre" in french.text and "Premier paragraphe." in french.text
    assert "Second paragraphe." in french.text and "First paragraph." not in french.text
    assert "The December letter" in english.text and "First paragraph." in english.text
    assert "Premier paragraphe." not in english.text
    assert "Bonjour," in french.text  # (no fixed subtitle since the Markdown layout)
    assert "Hello," in english.text
    # Instead of the person's links, a sentence saying where they are.
    assert "se trouvent dans le message que vous avez reçu\u202f:" in french.text
    assert "are in the message you received" in english.text
    assert "view this message in your browser" not in english.text.lower()  # no link to itself
    # What the mail shows, from the same rendering: its content is the page's, but for the greeting.
    for address, page, greeting in (("zoe@presse.example", french.text, ("Bonjour Zoé,", "Bonjour,")),
                                    ("victor@vip.example", english.text, ("Dear Victor,", "Hello,"))):
        mail_html = sent.parts(address)[1]
        assert content(mail_html).replace(*greeting) == content(page)


def content(html: str) -> str:
    """From the heading to the footer: the campaign's own content."""
    html = html.replace("\r\n", "\n")  # the mail's part has the wire's line endings
    return html[html.index("<h1"):html.index('<div class="footer"')]


async def test_the_view_shows_nothing_about_the_person(sent, http_client):
    async with http_client() as client:
        pages = [(await client.get(sent.view_path(address))).text for address in sent.mail]
    for value in personal_values(sent):
        assert all(value not in page for page in pages), value
    assert all("%%" not in page and "Pourquoi recevez-vous" not in page for page in pages)


# REQ-11: no cookie, no tracker: the policy lets the page load nothing but its own images.
async def test_req11_the_view_sets_no_cookie_and_loads_nothing_from_elsewhere(sent, http_client):
    async with http_client() as client:
        response = await client.get(sent.view_path("zoe@presse.example"))
        head = await client.head(sent.view_path("zoe@presse.example"))
    assert response.status_code == head.status_code == 200
    assert "set-cookie" not in response.headers and "set-cookie" not in head.headers
    assert head.content == b"" and head.headers["content-length"] == str(len(response.content))
    policy_header = response.headers["content-security-policy"]
    assert policy_header.startswith("default-src 'none'; img-src 'self' https:; style-src 'unsafe-inline'")
    assert "script" not in policy_header and "<script" not in response.text
    assert response.headers["referrer-policy"] == "no-referrer" and response.headers["x-robots-tag"] == "noindex"


# REQ-30's rule for every link in a message: a GET (a mail scanner) changes nothing.
async def test_a_view_changes_nothing(sent, http_client):
    path = sent.view_path("victor@vip.example")
    before = await all_rows()
    async with http_client() as client:
        for _ in range(3):
            assert (await client.get(path)).status_code == 200
            assert (await client.head(path)).status_code == 200
    after = await all_rows()
    # The rate limiter's count per client address, which every public page keeps (in the database on
    # PostgreSQL, so that servers share it), is the one thing a request writes: it names no campaign or person.
    limiter = after.pop("rate_limit_count")
    assert {row["bucket"] for row in limiter} <= {"public:127.0.0.1"}
    before.pop("rate_limit_count")
    assert {name: len(rows) for name, rows in after.items()} == {name: len(rows) for name, rows in before.items()}
    assert after == before


def tampered(path: str) -> str:
    token = path.removeprefix("/v/")
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[-1] ^= 1
    return "/v/" + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()


# REQ-25: a tampered link, an unknown one, another action's token and a deleted campaign's genuine link all get
# the one "nothing here" page, with the same status, headers and body.
async def test_req25_a_tampered_view_link_gets_the_page_an_unknown_one_gets(sent, http_client):
    genuine = sent.view_path("zoe@presse.example")
    codec = TokenCodec(get_settings().secret_keys)
    contact = (await Contact.select(Contact.id).where(Contact.email == "zoe@presse.example").first())["id"]
    unsubscribe = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, contact, 1, sent.campaign_id))
    someone = codec.seal(LinkToken(TokenAction.VIEW_IN_BROWSER, contact, 1, sent.campaign_id))  # names a person
    unknown = codec.seal(LinkToken(TokenAction.VIEW_IN_BROWSER, 0, 1, sent.campaign_id + 1000))
    bad_paths = [tampered(genuine), "/v/" + "A" * len(genuine), "/v/x", f"/v/{unsubscribe}", f"/v/{someone}",
                 f"/v/{unknown}"]
    async with http_client() as client:
        answers = [await client.get(path) for path in bad_paths]
        heads = [await client.head(path) for path in bad_paths]
        assert (await client.get(genuine)).status_code == 200  # in the cache now
        async with write_transaction():  # the campaign goes: its genuine link now has nothing to show
            await Delivery.delete().where(Delivery.campaign == sent.campaign_id)
            await CampaignList.delete().where(CampaignList.campaign == sent.campaign_id)
            await Campaign.delete().where(Campaign.id == sent.campaign_id)
        answers.append(await client.get(genuine))
    first = answers[0]
    assert first.status_code == 404 and "Page introuvable" in first.text
    for answer in answers:
        assert (answer.status_code, "set-cookie" in answer.headers) == (404, False)
        assert same_page(answer.text, first.text)  # but for its own URL in the language switch
        assert answer.headers["content-security-policy"] == first.headers["content-security-policy"]
    assert all(head.status_code == 404 and head.content == b"" for head in heads)
