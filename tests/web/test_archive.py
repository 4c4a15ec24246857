"""The public archive (issue 23, item 5): a newsletter marked for it is published at /archive/ once finished,
in each language it was written in, as the generic version (no greeting, nobody's links, no image from
elsewhere); each archive has an Atom feed; a withdrawn issue answers 410; the pages follow the public
pages' rules (REQ-11: no cookie, nothing from elsewhere; French and English; accessible)."""

from __future__ import annotations

import dataclasses
import email
import re
import xml.etree.ElementTree as ET
from email import policy

import pytest

from contacts.domain import SourceType
from contacts.errors import ConflictError, ValidationError
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services import audit
from contacts.services.campaigns import archive, drafts
from contacts.services.campaigns import core as campaigns
from contacts.settings import get_settings
from contacts.tables import Contact
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french

pytestmark = pytest.mark.usefixtures("database_url")

ATOM = "{http://www.w3.org/2005/Atom}"
CONSENT = "consent_at,consent_channel,notice_version,confirmed_at"
PROOF = "2026-03-01T10:00:00+01:00,Formulaire salon,2026-11,2026-03-01T10:05:00+01:00"
# Distinctive people: none of this may appear on a public page or in a feed.
READERS = [("quintilia.zabrowska@lecteurs.example", "Quintilia", "Zabrowska", "fr"),
           ("barnabe.ostrogradsky@lecteurs.example", "Barnabé", "Ostrogradsky", "fr"),
           ("wilhelmina.quarterfield@readers.example", "Wilhelmina", "Quarterfield", "en")]
MEDIA_IMAGE = "/media/0123456789abcdef0123456789abcdef-1200x800.jpg"
BODY_FR = ("Bonjour {first_name|à toutes et à tous} !\n\nL'exposition « Les Nabis » ouvre ses portes.\n\n"
           f"![Affiche de l'exposition](BASE{MEDIA_IMAGE})\n\n![Un pixel espion](https://tracker.example/p.gif)\n\n"
           "[[Réserver]](https://billetterie.example/nabis)")
BODY_EN = "Hello {first_name|everyone}!\n\nThe *Nabis* exhibition opens."


async def import_readers(tmp_path, readers=READERS) -> None:
    lines = [f"{address},{first},{last},{language},{PROOF}" for address, first, last, language in readers]
    await import_list(tmp_path, "public-newsletter", lines, header=f"email,first_name,last_name,language,{CONSENT}",
                      source_type=SourceType.GIVEN)


async def public_letter(subject="La lettre des Nabis", archive_it=True, **content):
    base = get_settings().base_url
    return await campaigns.create(
        list_slugs=["public-newsletter"], template="newsletter-communications", actor="test", greeting="first_name",
        content={"subject_fr": subject, "body_fr": BODY_FR.replace("BASE", base), "preheader_fr": "Trois expositions",
                 "subject_en": "The Nabis letter", "body_en": BODY_EN, **content}, archive=archive_it)


async def send(campaign_id: int) -> dict[str, email.message.EmailMessage]:
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        summary = await send_campaign(campaign_id, SendOptions(concurrency=2), settings=settings)
    assert summary.outcome == "finished"
    return {e.rcpt_tos[0]: email.message_from_bytes(e.original_content, policy=policy.default)
            for e in server.handler.received}


@pytest.fixture
async def published(tmp_path):
    await import_readers(tmp_path)
    campaign = await public_letter()
    mail = await send(campaign.id)
    return campaign.id, mail


async def pages_and_feeds(client, campaign_id: int) -> dict[str, str]:
    """Every page and feed of the archive that shows this issue, in both languages."""
    paths = ["/archive/", "/archive/public-newsletter", f"/archive/public-newsletter/{campaign_id}",
             "/archive/feed.atom", "/archive/public-newsletter/feed.atom"]
    found = {}
    for path in paths:
        for language in ("fr", "en"):
            response = await client.get(f"{path}?lang={language}")
            assert response.status_code == 200, (path, language, response.status_code)
            found[f"{path}?lang={language}"] = response.text
    return found


def atom_parts(text: str) -> tuple[ET.Element, list[ET.Element]]:
    """The feed, checked for what RFC 4287 requires of it and of each entry."""
    feed = ET.fromstring(text.encode())
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert (feed.findtext(f"{ATOM}{name}") or "").strip(), name
    assert feed.find(f"{ATOM}author/{ATOM}name") is not None
    entries = feed.findall(f"{ATOM}entry")
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{name}") or "").strip(), name
        link = entry.find(f"{ATOM}link")
        assert link is not None and link.get("href", "").startswith("http")
        assert link.get("rel", "alternate") == "alternate"
    return feed, entries


async def test_a_published_letter_is_listed_and_shown_in_both_languages(published, http_client):
    campaign_id, _ = published
    async with http_client() as client:
        index_fr = await client.get("/archive/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
        index_en = await client.get("/archive/?lang=en")
        list_fr = await client.get("/archive/public-newsletter?lang=fr")
        issue_fr = await client.get(f"/archive/public-newsletter/{campaign_id}?lang=fr")
        issue_en = await client.get(f"/archive/public-newsletter/{campaign_id}", headers={"Accept-Language": "en"})
    for response in (index_fr, index_en, list_fr, issue_fr, issue_en):
        assert response.status_code == 200
    assert f'href="/archive/public-newsletter/{campaign_id}?lang=fr">La lettre des Nabis</a>' in index_fr.text
    assert f'href="/archive/public-newsletter/{campaign_id}?lang=en">The Nabis letter</a>' in index_en.text
    assert "Lettre d\u2019information" in index_fr.text and "Public newsletter" in index_en.text
    assert "La lettre des Nabis" in list_fr.text
    # Each language's own version, as the mail's rendering shows it.
    assert '<article class="issue" lang="fr">' in issue_fr.text and "Les Nabis" in issue_fr.text
    assert '<article class="issue" lang="en">' in issue_en.text and "exhibition opens" in issue_en.text
    assert "ouvre ses portes" not in issue_en.text and "exhibition opens" not in issue_fr.text
    for page, where in ((index_fr, "index"), (list_fr, "list"), (issue_fr, "issue")):
        assert_reads_in_french(page.text, where)


async def test_a_letter_written_in_french_only_is_shown_in_french_on_english_pages(tmp_path, http_client):
    await import_readers(tmp_path, READERS[:1])
    campaign = await public_letter(subject_en="", body_en="", missing_language="other")
    await send(campaign.id)
    async with http_client() as client:
        index_en = await client.get("/archive/?lang=en")
        issue_en = await client.get(f"/archive/public-newsletter/{campaign.id}?lang=en")
        feed_en = await client.get("/archive/feed.atom?lang=en")
        feed_fr = await client.get("/archive/feed.atom?lang=fr")
    assert 'lang="fr" hreflang="fr">La lettre des Nabis</a>' in index_en.text and "(in French)" in index_en.text
    assert '<html lang="en">' in issue_en.text and '<article class="issue" lang="fr">' in issue_en.text
    assert "This issue exists in French only." in issue_en.text
    # A feed holds its language's versions only: titles in the feed's language.
    assert atom_parts(feed_en.text)[1] == []
    assert [entry.findtext(f"{ATOM}title") for entry in atom_parts(feed_fr.text)[1]] == ["La lettre des Nabis"]


async def test_the_archive_shows_the_generic_version_without_anything_personal(published, http_client):
    """The test the issue asks for: distinctive readers, the archived letter sent to them, and none of their
    names, addresses, contact ids or links' tokens on any archive page or feed."""
    campaign_id, mail = published
    async with http_client() as client:
        everything = await pages_and_feeds(client, campaign_id)
    rows = await Contact.select(Contact.id, Contact.email, Contact.first_name, Contact.last_name)
    assert len(rows) == len(READERS) == len(mail)
    personal = ["lecteurs.example", "readers.example", "Bonjour Quintilia", "Dear Wilhelmina"]
    for row in rows:
        personal += [row["email"], row["first_name"], row["last_name"], row["email"].split("@")[0]]
    tokens = []
    for message in mail.values():
        text = message.get_body(("plain",)).get_content()
        tokens += re.findall(r"/(?:u|o|p|v)/([A-Za-z0-9_-]{16,})", text)
        tokens += re.findall(r"unsubscribe\+([a-z0-9]+)@", text)
        personal.append(str(message["Message-ID"]).strip("<>"))
    assert len(tokens) >= 3 * len(mail)
    for where, text in everything.items():
        for value in personal + tokens:
            assert value not in text, (where, value)
        # No link that is anyone's: unsubscribe, objection, preferences, answers, exports, views.
        assert re.search(r"/(u|o|p|r|d|v)/", text) is None, where
        for row in rows:
            assert re.search(rf"contact\W{{0,3}}{row['id']}\b", text, re.IGNORECASE) is None, where
    issue = everything[f"/archive/public-newsletter/{campaign_id}?lang=fr"]
    # The greeting-less variant: the first-name greeting is left out, not replaced by "Bonjour,".
    assert ">Bonjour,<" not in issue and "Bonjour à toutes et à tous" in issue  # the body's own fallback
    # Instead of personal links, the public signup page.
    assert 'href="/subscribe/public-newsletter?lang=fr"' in issue


async def test_req11_archive_pages_set_no_cookie_and_load_nothing_from_elsewhere(published, http_client):
    campaign_id, _ = published
    base = get_settings().base_url
    async with http_client() as client:
        everything = await pages_and_feeds(client, campaign_id)
        response = await client.get(f"/archive/public-newsletter/{campaign_id}")
        head = await client.head(f"/archive/public-newsletter/{campaign_id}")
    assert response.status_code == head.status_code == 200 and head.content == b""
    for answer in (response, head):
        assert "set-cookie" not in answer.headers
    policy_header = response.headers["content-security-policy"]
    assert policy_header.startswith("default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; "
                                    "img-src 'self';") and "script" not in policy_header
    for where, text in everything.items():
        if "feed.atom" in where:
            continue
        assert "<script" not in text and "<iframe" not in text, where
        # Whatever a page loads (images, style sheets) is ours; the only image is the media library's.
        loaded = re.findall(r'<(?:img|link rel="stylesheet")[^>]*(?:src|href)="([^"]*)"', text)
        assert all(url.startswith(("/", f"{base}/media/")) for url in loaded), (where, loaded)
    issue = everything[f"/archive/public-newsletter/{campaign_id}?lang=fr"]
    assert f'src="{base}{MEDIA_IMAGE}"' in issue
    assert "tracker.example" not in issue and '<span class="image-left-out">Un pixel espion</span>' in issue


async def test_archive_pages_are_accessible(published, http_client):
    campaign_id, _ = published
    async with http_client() as client:
        pages = [await client.get(path) for path in ("/archive/?lang=fr", "/archive/public-newsletter?lang=en",
                                                     f"/archive/public-newsletter/{campaign_id}?lang=fr")]
    for page in pages:
        text = page.text
        assert re.search(r'<html lang="(fr|en)">', text)
        assert text.count("<h1") == 1 and "<main" in text and "<header>" in text and "<footer>" in text
        assert 'class="skip" href="#content"' in text
        # The feeds are announced to browsers and readers, one per language.
        assert '<link rel="alternate" type="application/atom+xml" hreflang="fr"' in text
        assert '<link rel="alternate" type="application/atom+xml" hreflang="en"' in text


async def test_the_atom_feeds_validate_and_keep_their_ids(published, http_client):
    campaign_id, _ = published
    async with http_client() as client:
        first = {path: await client.get(path) for path in (
            "/archive/feed.atom", "/archive/feed.atom?lang=en", "/archive/public-newsletter/feed.atom?lang=fr",
            "/archive/public-newsletter/feed.atom?lang=en")}
        again = await client.get("/archive/feed.atom", headers={"Accept-Language": "en"})
    for path, response in first.items():
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/atom+xml")
        assert "set-cookie" not in response.headers
        feed, entries = atom_parts(response.text)
        language = "en" if path.endswith("lang=en") else "fr"
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
        assert [entry.findtext(f"{ATOM}title") for entry in entries] == [
            "La lettre des Nabis" if language == "fr" else "The Nabis letter"]
        link = entries[0].find(f"{ATOM}link").get("href")
        assert link.endswith(f"/archive/public-newsletter/{campaign_id}?lang={language}")
    # Without ?lang= a feed is French whatever the reader asks, and the same feed each time.
    assert again.text == first["/archive/feed.atom"].text
    ids = {path: atom_parts(response.text)[1][0].findtext(f"{ATOM}id") for path, response in first.items()}
    assert ids["/archive/feed.atom"] == ids["/archive/public-newsletter/feed.atom?lang=fr"]
    assert ids["/archive/feed.atom"] != ids["/archive/feed.atom?lang=en"]
    assert ids["/archive/feed.atom"].startswith("tag:")
    try:
        import feedparser
    except ImportError:
        return
    parsed = feedparser.parse(first["/archive/feed.atom"].text)
    assert not parsed.bozo and parsed.entries[0].title == "La lettre des Nabis"


async def test_only_finished_letters_marked_for_the_archive_appear(tmp_path, http_client):
    await import_readers(tmp_path, READERS[:1])
    unmarked = await public_letter(subject="Pas pour l'archive", archive_it=False)
    await send(unmarked.id)
    draft = await public_letter(subject="Encore un brouillon")
    assert unmarked.archive is False and draft.archive is True
    async with http_client() as client:
        index = await client.get("/archive/?lang=fr")
        for campaign in (unmarked, draft):
            issue = await client.get(f"/archive/public-newsletter/{campaign.id}?lang=fr")
            assert issue.status_code == 404 and "<html" in issue.text
        feed = await client.get("/archive/feed.atom")
        unknown_list = await client.get("/archive/journalists")
    assert "Pas pour l" not in index.text and "Encore un brouillon" not in index.text
    assert "Rien n\u2019a encore été publié ici." in index.text
    assert atom_parts(feed.text)[1] == []
    assert unknown_list.status_code == 404


async def test_only_public_newsletters_may_be_archived():
    with pytest.raises(ValidationError) as refused:
        await campaigns.create(list_slugs=["journalists"], template="newsletter-communications", actor="test",
                               subject="Pour la presse", archive=True)
    assert refused.value.field == "archive" and "journalists" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        await campaigns.create(list_slugs=["public-newsletter"], template="invitation", actor="test",
                               subject="Gala", archive=True)
    assert refused.value.field == "archive" and "invitation" in refused.value.message
    with pytest.raises(ValidationError) as refused:
        await campaigns.create(list_slugs=["public-newsletter"], template="newsletter-communications", actor="test",
                               subject="Gala", purpose_code="pr-invitations", archive=True)
    assert refused.value.field == "archive"
    assert await campaigns.Campaign.count() == 0  # nothing half-written
    draft = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications", actor="test",
                                   subject="Pour la presse")
    assert draft.archive is False  # never by default
    with pytest.raises(ValidationError) as refused:
        await drafts.update(draft.id, {"archive": True})
    assert refused.value.field == "archive"
    public = await public_letter()
    with pytest.raises(ValidationError) as refused:  # a draft for the archive stays one that may be
        await drafts.update(public.id, {"lists": ["journalists"]})
    assert refused.value.field == "archive"
    unmarked, changed = await drafts.update(public.id, {"archive": False})
    assert unmarked.archive is False and changed == ["archive"]
    copy = await drafts.duplicate(public.id, "test")
    assert copy.archive is False


async def test_withdrawn_letter_answers_410_and_leaves_the_feeds(published, http_client):
    campaign_id, _ = published
    withdrawn = await archive.withdraw(campaign_id, "cli:camille")
    assert withdrawn.archive_withdrawn_by == "cli:camille" and withdrawn.archive_withdrawn_at is not None
    with pytest.raises(ConflictError):
        await archive.withdraw(campaign_id, "cli:camille")
    async with http_client() as client:
        gone_fr = await client.get(f"/archive/public-newsletter/{campaign_id}?lang=fr")
        gone_en = await client.get(f"/archive/public-newsletter/{campaign_id}?lang=en")
        index = await client.get("/archive/?lang=fr")
        feed = await client.get("/archive/feed.atom")
        list_feed = await client.get("/archive/public-newsletter/feed.atom")
    assert gone_fr.status_code == gone_en.status_code == 410
    assert "Cette lettre d\u2019information a été retirée de notre archive." in gone_fr.text
    assert "This newsletter was withdrawn from our archive." in gone_en.text
    assert_reads_in_french(gone_fr.text, "410")
    assert "La lettre des Nabis" not in index.text and atom_parts(feed.text)[1] == []
    assert list_feed.status_code == 404  # the list has nothing published any more
    entries = await audit.entries(await _admin(), action="campaign.archive_withdraw")
    assert [(entry.actor, entry.object_id) for entry in entries] == [("cli:camille", str(campaign_id))]


async def _admin():
    from contacts.services.staff import accounts as staff

    return await staff.create_user("archiviste", "admin", "correct horse battery staple", actor="test")
