"""Link clicks counted in aggregate (issue 24): a campaign's web links go through `/l/TOKEN`, which names the
campaign, the language and the link, and nobody (REQ-48); a GET redirects to that link only and counts one
click for (campaign, language, link, hour); scanners count apart; nothing ties a click to a recipient."""

from __future__ import annotations

import dataclasses
import email
import hashlib
import re
from email import policy

import pytest

from contacts.db.engine import engine
from contacts.keyring import Keyring
from contacts.mail.click_links import LANGUAGE_NUMBERS, link_key
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import clicks
from contacts.services.campaigns import core as campaigns
from contacts.settings import get_settings
from contacts.tables import Campaign, Contact, LinkClick
from contacts.tokens import ClickToken, codec_for
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list

pytestmark = pytest.mark.usefixtures("database_url")

PEOPLE = ["zoe@presse.example,Zoé,Lefèvre,fr", "hugo@presse.example,Hugo,Martin,fr",
          "victor@vip.example,Victor,Hugo,en"]
BODY_FR = ("Voir [l'exposition](https://musee.example/expo?x=1&y=2).\n\n[[Réserver]](https://billets.example/r)\n\n"
           "Écrire à [la presse](mailto:presse@musee.example) ou https://musee.example/presse")
BODY_EN = "See [the exhibition](https://musee.example/en/expo)."
COUNTED = re.compile(r"https?://[^/\s\"]+(/l/[A-Za-z0-9_-]+)")
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"


@dataclasses.dataclass
class Sent:
    campaign_id: int
    mail: dict[str, email.message.EmailMessage]

    def parts(self, address: str) -> tuple[str, str]:
        message = self.mail[address]
        return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()

    def counted(self, address: str) -> list[str]:
        text, html = self.parts(address)
        return list(dict.fromkeys(COUNTED.findall(html) + COUNTED.findall(text)))


async def send(tmp_path, count_clicks: bool = True) -> Sent:
    await import_list(tmp_path, "journalists", PEOPLE)
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      actor="test", greeting="first_name",
                                      content={"subject_fr": "La lettre", "body_fr": BODY_FR,
                                               "subject_en": "The letter", "body_en": BODY_EN})
    if not count_clicks:
        await Campaign.update({Campaign.count_clicks: False}).where(Campaign.id == campaign.id)
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        summary = await send_campaign(campaign.id, SendOptions(concurrency=2), settings=settings)
    assert summary.sent == 3
    mail = {e.rcpt_tos[0]: email.message_from_bytes(e.original_content, policy=policy.default)
            for e in server.handler.received}
    return Sent(campaign.id, mail)


async def counts(campaign_id: int) -> dict[tuple[str, str], tuple[int, int]]:
    rows = await LinkClick.select().where(LinkClick.campaign == campaign_id)
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for row in rows:
        clicks_, scanners = found.get((row["language"], row["url"]), (0, 0))
        found[(row["language"], row["url"])] = (clicks_ + row["clicks"], scanners + row["scanner_fetches"])
    return found


async def test_req_48_every_recipient_of_a_version_gets_the_same_counted_links(tmp_path):
    """REQ-48: the web links are rewritten once per version, the same for everyone; mailto: is not; nor are
    the unsubscribe, objection, preference and "view in your browser" links."""
    sent = await send(tmp_path)
    zoe, hugo, victor = (sent.counted(address) for address in ("zoe@presse.example", "hugo@presse.example",
                                                                 "victor@vip.example"))
    assert zoe == hugo and len(zoe) == 3  # the exhibition, the button, the bare address
    assert len(victor) == 1 and victor[0] not in zoe
    text, html = sent.parts("zoe@presse.example")
    assert "mailto:presse@musee.example" in html
    assert "https://musee.example/presse" in text  # a bare address still reads as what staff wrote
    assert "https://musee.example/expo" not in html  # the link goes through /l/
    for path in ("/u/", "/o/", "/p/", "/v/"):
        assert re.search(rf"https?://[^/\s\"]+{path}", html), path  # still there, and direct


async def test_req_48_a_click_redirects_and_counts_per_campaign_language_link_and_hour(tmp_path, http_client):
    sent = await send(tmp_path)
    exhibition, button, _ = sent.counted("zoe@presse.example")
    (english,) = sent.counted("victor@vip.example")
    async with http_client() as http:
        for path in (exhibition, exhibition, button, english):
            answer = await http.get(path, headers={"User-Agent": BROWSER})
            assert answer.status_code == 302
        assert (await http.get(exhibition, headers={"User-Agent": BROWSER})).headers["location"] == \
            "https://musee.example/expo?x=1&y=2"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "set-cookie" not in answer.headers
        await clicks.flush()
    found = await counts(sent.campaign_id)
    assert found == {("fr", "https://musee.example/expo?x=1&y=2"): (3, 0), ("fr", "https://billets.example/r"): (1, 0),
                     ("en", "https://musee.example/en/expo"): (1, 0)}
    assert await LinkClick.count().where(LinkClick.campaign == sent.campaign_id) == 3  # one row per link and hour


async def test_req_48_scanner_burst_and_a_person_are_counted_apart(tmp_path, http_client):
    """A security gateway fetches every link within seconds of delivery (HEAD first, then GET with its own
    user agent); a person then follows one link. The person's is the one click; the burst is the scanner's."""
    sent = await send(tmp_path)
    links = sent.counted("zoe@presse.example")
    async with http_client() as http:
        for path in links:  # the burst
            assert (await http.head(path, headers={"User-Agent": BROWSER})).status_code == 302
            await http.get(path, headers={"User-Agent": "Mozilla/5.0 (compatible; Barracuda Sentinel)"})
            await http.get(path, headers={"User-Agent": ""})
            await http.get(path, headers={"User-Agent": "python-requests/2.32"})
        await http.get(links[0], headers={"User-Agent": BROWSER})  # the person
        await clicks.flush()
    found = await counts(sent.campaign_id)
    assert sum(person for person, _ in found.values()) == 1
    assert found[("fr", "https://musee.example/expo?x=1&y=2")] == (1, 4)
    assert sum(scanner for _, scanner in found.values()) == 4 * len(links)


async def test_req_48_a_tampered_link_and_a_link_not_in_the_campaign_redirect_nowhere(tmp_path, http_client):
    sent = await send(tmp_path)
    (path,) = sent.counted("victor@vip.example")
    token = path.removeprefix("/l/")
    codec = codec_for(get_settings().secret_keys)
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    elsewhere = codec.seal_click(ClickToken(sent.campaign_id, LANGUAGE_NUMBERS["en"], link_key("https://evil.example/")))
    french_link_in_english = codec.seal_click(ClickToken(sent.campaign_id, LANGUAGE_NUMBERS["en"],
                                                         link_key("https://billets.example/r")))
    other_campaign = codec.seal_click(ClickToken(sent.campaign_id + 1, LANGUAGE_NUMBERS["en"],
                                                 link_key("https://musee.example/en/expo")))
    async with http_client() as http:
        for bad in (flipped, elsewhere, french_link_in_english, other_campaign, "", "x" * 43):
            answer = await http.get(f"/l/{bad}", headers={"User-Agent": BROWSER, "Accept-Language": "fr"})
            assert answer.status_code == 404, bad
            assert "location" not in answer.headers
            assert "text/html" in answer.headers["content-type"]
        await clicks.flush()
    assert await LinkClick.count() == 0


async def test_req_48_counting_off_links_go_straight_to_their_targets(tmp_path, http_client):
    sent = await send(tmp_path, count_clicks=False)
    assert sent.counted("zoe@presse.example") == []
    _, html = sent.parts("zoe@presse.example")
    assert 'href="https://musee.example/expo?x=1&amp;y=2"' in html


async def test_req_48_turned_off_after_sending_a_link_still_goes_but_counts_nothing(tmp_path, http_client):
    sent = await send(tmp_path)
    path = sent.counted("zoe@presse.example")[0]
    await Campaign.update({Campaign.count_clicks: False}).where(Campaign.id == sent.campaign_id)
    async with http_client() as http:
        assert (await http.get(path, headers={"User-Agent": BROWSER})).status_code == 302
        await clicks.flush()
    assert await LinkClick.count() == 0


async def test_req_47_req_48_no_table_holds_anything_of_a_recipient_after_clicks(tmp_path, http_client):
    """REQ-47/48: every recipient clicks every link of their message; then every table of the database is
    read again. The only rows the clicks added or changed are link_click's, and none of them holds any
    recipient's id, address or address hash: they name a campaign, a language, a link and an hour."""
    sent = await send(tmp_path)
    before = await every_row()
    async with http_client() as http:
        for address in sent.mail:
            for path in sent.counted(address):
                await http.get(path, headers={"User-Agent": BROWSER})
        await clicks.flush()
    after = await every_row()
    changed = {table: after[table] - before.get(table, set()) for table in after}
    assert {table for table, rows in changed.items() if rows} == {"link_click"}
    assert all(not (before[table] - after[table]) for table in before)  # nothing else changed or went

    keyring = Keyring.from_settings(get_settings())
    people = await Contact.select(Contact.id, Contact.email, Contact.email_canonical)
    assert len(people) == 3
    needles = set()
    for person in people:
        needles |= {person["email"], person["email_canonical"], *keyring.hashes(person["email_canonical"]),
                    hashlib.sha256(person["email_canonical"].encode()).hexdigest()}
    contact_ids = {person["id"] for person in people}
    columns = [column._meta.db_column_name for column in LinkClick._meta.columns]
    assert set(columns) == {"id", "campaign", "language", "link_key", "url", "hour", "clicks", "scanner_fetches"}
    for row in await LinkClick.select():
        assert row["campaign"] == sent.campaign_id and row["language"] in ("fr", "en")
        text = " ".join(str(value) for value in row.values())
        assert not any(needle in text for needle in needles)
        assert row["link_key"] == link_key(row["url"]).hex()  # the link's digest, not a person's
    assert sum(row["clicks"] for row in await LinkClick.select()) == 2 * 3 + 1  # two readers of 3, one of 1
    assert contact_ids  # ids are numbers: they are ruled out by the columns, which name no contact or delivery


async def every_row() -> dict[str, set[tuple]]:
    """Every row of every table, as tuples of text."""
    if engine().engine_type == "sqlite":
        names = [row["name"] for row in await LinkClick.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    else:
        names = [row["name"] for row in await LinkClick.raw(
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'")]
    return {name: {tuple(str(value) for value in row.values()) for row in await LinkClick.raw(f"SELECT * FROM {name}")}
            for name in names}
