"""What every public page shares: REQ-11 (no cookie, nothing from elsewhere), REQ-25 (rate limits),
languages and the basics of WCAG 2.1 AA."""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser

import pytest

from contacts.machinery_tables import RateLimitCount
from contacts.settings import get_settings
from contacts.tokens import TokenAction
from tests.minutes import clear_of_a_minute_boundary
from tests.web.conftest import contact_id, import_to, seal

pytestmark = pytest.mark.usefixtures("database_url")


@pytest.fixture
async def pages(tmp_path) -> list[str]:
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    return [f"/u/{seal(TokenAction.UNSUBSCRIBE, zoe, 1)}", f"/o/{seal(TokenAction.OBJECT, zoe, 2)}",
            f"/p/{seal(TokenAction.PREFERENCES, zoe)}", "/subscribe/public-newsletter", "/confirm/unknown"]


class PageAudit(HTMLParser):
    """Collects what the checks below need: the html lang, labels, form controls and external references."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.label_targets: set[str] = set()
        self.controls: list[tuple[str, str | None]] = []
        self.external: list[str] = []
        self.headings: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append((tag, attrs.get("id")))
        for name in ("src", "href", "action"):
            value = attrs.get(name) or ""
            if value.startswith(("http:", "https:", "//")):
                self.external.append(value)
        if tag in ("h1", "h2"):
            self.headings.append(tag)


# REQ-11: no cookie, no tracker, nothing loaded from elsewhere; a Content-Security-Policy says so.
async def test_req11_no_cookie_and_no_third_party_asset(http_client, pages):
    async with http_client() as client:
        for path in pages:
            for response in (await client.get(path), await client.post(path, data={"form": "lists"})):
                assert response.status_code in (200, 400), path
                assert "set-cookie" not in response.headers, path
                assert "default-src 'none'" in response.headers["content-security-policy"]
                assert response.headers["referrer-policy"] == "no-referrer"  # links carry tokens
                assert response.headers["cache-control"] == "no-store"
                audit = PageAudit()
                audit.feed(response.text)
                assert audit.external == [], path
        css = await client.get("/static/public.css")
    assert css.status_code == 200 and "outline" in css.text  # a visible focus


# WCAG 2.1 AA basics: the page's language, a label for every control, one h1, a skip link.
async def test_wcag_language_labels_and_headings(http_client, pages):
    async with http_client() as client:
        for path in pages:
            for language in ("fr", "en"):
                page = await client.get(f"{path}?lang={language}")
                audit = PageAudit()
                audit.feed(page.text)
                assert audit.lang == language, path
                unlabelled = [control for control in audit.controls if control[1] not in audit.label_targets]
                assert unlabelled == [], (path, unlabelled)
                assert audit.headings.count("h1") == 1, path
                assert 'href="#content"' in page.text


async def test_the_language_follows_accept_language_and_the_switch(http_client, pages):
    async with http_client() as client:
        english = await client.get(pages[2], headers={"Accept-Language": "de-DE, en;q=0.8, fr;q=0.5"})
        french = await client.get(pages[2], headers={"Accept-Language": "fr-CA"})
        fallback = await client.get(pages[2], headers={"Accept-Language": "de"})
        switched = await client.get(f"{pages[2]}?lang=fr", headers={"Accept-Language": "en"})
    assert 'lang="en"' in english.text and "My preferences" in english.text
    assert 'lang="fr"' in french.text and 'lang="fr"' in fallback.text and 'lang="fr"' in switched.text
    assert f'href="{pages[2]}?lang=en" hreflang="en"' in switched.text


# REQ-25: public pages are rate-limited per client, and signup requests, which send mail, more strictly.
async def test_req25_public_pages_are_rate_limited(http_client, pages):
    clear_of_a_minute_boundary()
    settings = dataclasses.replace(get_settings(), public_rate_limit=5, signup_rate_limit=2)
    async with http_client(settings) as client:
        codes = [(await client.get(pages[0])).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    await RateLimitCount.delete(force=True)  # on PostgreSQL every server shares the count: start it again
    async with http_client(settings) as client:
        signups = [(await client.post("/subscribe/public-newsletter", data={"email": f"a{n}@example.org"})).status_code
                   for n in range(3)]
    assert signups == [400, 400, 429]


# REQ-11, REQ-25: every public page, before and after its form, translated: in French it reads in French
# (typography, no English sentence of the catalogue), in both languages it sets no cookie, and a stranger's
# address gets the very answer a subscriber's does.
async def test_req11_req25_translated_pages_read_in_french_and_answer_every_address_alike(http_client, pages,
                                                                                           mailbox):
    from tests.web.french_checks import assert_reads_in_french

    forms = {"/subscribe/public-newsletter": {"email": "zoe@presse.example", "lists": "public-newsletter"},
             "/rights/": {"request_type": "access", "email": "zoe@presse.example"}}
    async with http_client() as client:
        for path in [*pages, "/rights/", "/r/unknown", "/d/unknown"]:
            for language in ("fr", "en"):
                answers = [await client.get(f"{path}?lang={language}"),
                           await client.post(f"{path}?lang={language}", data=forms.get(path, {"form": "lists"}))]
                for answer in answers:
                    assert "set-cookie" not in answer.headers, path
                    assert f'<html lang="{language}">' in answer.text, path
                    if language == "fr":
                        assert_reads_in_french(answer.text, path)
        for path, form in forms.items():
            known = await client.post(f"{path}?lang=fr", data=form)
            stranger = await client.post(f"{path}?lang=fr", data={**form, "email": "nobody@elsewhere.example"})
            assert known.status_code == stranger.status_code == 200, path
            assert known.text.replace("zoe@presse.example", "X") == stranger.text.replace(
                "nobody@elsewhere.example", "X"), path
