"""What the recipients' pages answer when they cannot show what was asked: always a page in the person's
language with the pages' headers, never the API's JSON body or a 500 (REQ-11, REQ-25, REQ-30).

Malformed tokens of every shape, odd form bodies, unknown languages and HEAD requests are all answered as a
genuine link with nothing to show is answered.
"""

from __future__ import annotations

import dataclasses
import logging

import pytest

from contacts.services.people import preferences
from contacts.settings import get_settings
from contacts.tables import ConsentEvent, PendingConsent, RightsRequest, Subscription
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.web.conftest import contact_id, import_to, same_page, seal
from tests.web.test_public_pages import PageAudit

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "zoe@presse.example"
PAGE_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}


@pytest.fixture
async def zoe(tmp_path) -> int:
    await import_to(tmp_path, "journalists", ADDRESS)
    return await contact_id(ADDRESS)


def assert_page(response, status: int, language: str = "fr") -> PageAudit:
    """An HTML page in this language with the public pages' headers, no cookie and nothing from elsewhere."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert {name: response.headers.get(name) for name in PAGE_HEADERS} == PAGE_HEADERS
    assert "set-cookie" not in response.headers
    assert '"error":' not in response.text and "Traceback" not in response.text
    audit = PageAudit()
    audit.feed(response.text)
    assert audit.lang == language and audit.headings.count("h1") == 1 and audit.external == []
    return audit


# REQ-25: the rate limiter's answer is a page, in the person's language, that says when to come back.
async def test_req25_the_rate_limit_answer_is_a_page_in_the_persons_language(http_client, zoe):
    settings = dataclasses.replace(get_settings(), public_rate_limit=2, signup_rate_limit=1)
    path = f"/p/{seal(TokenAction.PREFERENCES, zoe)}"
    async with http_client(settings) as client:
        await client.get(path)
        await client.get(path)
        english = await client.get(path, headers={"Accept-Language": "en-GB,en;q=0.9"})
        french = await client.get(f"{path}?lang=fr", headers={"Accept-Language": "en"})
        head = await client.head(path)
        health = await client.get("/health")
    assert_page(english, 429, "en")
    assert "Too many requests" in english.text and "wait a minute" in english.text
    assert_page(french, 429, "fr")
    assert "Trop de demandes" in french.text
    assert 1 <= int(english.headers["retry-after"]) <= 60
    assert head.status_code == 429 and head.content == b"" and "retry-after" in head.headers
    assert head.headers["content-length"] == str(len(french.content))
    assert health.status_code == 200  # /health is not a page and is not rate-limited
    async with http_client(settings) as client:
        await client.post("/subscribe/public-newsletter?lang=en", data={"email": "a@example.org"})
        refused = await client.post("/subscribe/public-newsletter?lang=en", data={"email": "b@example.org"})
    assert_page(refused, 429, "en")
    assert "retry-after" in refused.headers
    assert await PendingConsent.count() == 0


# A list with no public signup (unknown, or not consent-based) is a 404 page, never the JSON body; other paths
# under the pages' prefixes that match no page are too, and a method a page does not take is a 405 page.
async def test_unknown_signup_lists_and_paths_get_a_page(http_client):
    async with http_client() as client:
        for slug in ("no-such-list", "journalists", "%C3%A9t%C3%A9", "%00", "x" * 1000):
            for language in ("fr", "en"):
                page = await client.get(f"/subscribe/{slug}?lang={language}")
                assert_page(page, 404, language)
                assert ("Page introuvable" if language == "fr" else "Page not found") in page.text
            assert_page(await client.post(f"/subscribe/{slug}", data={"email": "a@example.org", "lists": slug}), 404)
        assert "no public signup" not in (await client.get("/subscribe/no-such-list")).text  # no service message
        for path in ("/u/", "/o", "/p/a/b", "/confirm/", "/subscribe/", "/subscribe/public-newsletter/more"):
            assert_page(await client.get(path, headers={"Accept-Language": "en"}), 404, "en")
        refused = await client.put("/u/anything?lang=en")
        assert_page(refused, 405, "en")
        assert set(refused.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
        # Paths that are not pages keep the API's error body.
        assert (await client.get("/nowhere")).json()["error"]["status"] == 404
        assert (await client.post("/health")).json()["error"]["status"] == 405
    assert await PendingConsent.count() == 0


def forged_tokens(genuine: str) -> list[str]:
    other_key = TokenCodec(("another secret key, not ours",)).seal(LinkToken(TokenAction.PREFERENCES, 1))
    flipped = genuine[:10] + ("A" if genuine[10] != "A" else "B") + genuine[11:]
    return ["x", "AQ", "AQAA", "====", "-_-_", "%00", "%FF%FE", "%C3%A9t%C3%A9", "%22%3E%3Cscript%3E", "a" * 8000,
            other_key, flipped, genuine[:-1], genuine + "A", genuine[:20]]


# REQ-25, REQ-30: a malformed, tampered or foreign token of any shape gets the page a genuine token with
# nothing to show gets, for GET and POST, on every page; nothing changes.
@pytest.mark.parametrize(("prefix", "action", "form"), [
    ("/u", TokenAction.UNSUBSCRIBE, {"List-Unsubscribe": "One-Click"}),
    ("/o", TokenAction.OBJECT, {"scope": "all", "reason": "r"}),
    ("/p", TokenAction.PREFERENCES, {"form": "everything"}),
    ("/confirm", TokenAction.CONFIRM_SUBSCRIPTION, {}),
])
async def test_req25_tokens_of_every_shape_get_the_same_pages(http_client, zoe, prefix, action, form):
    genuine = seal(action, zoe, 0) if action != TokenAction.CONFIRM_SUBSCRIPTION else None
    # The reference: a well-formed token that opens, for someone who is not a contact (nothing to show).
    nobody = seal(action, 999_999, 999) if action != TokenAction.CONFIRM_SUBSCRIPTION else "unknown"
    async with http_client() as client:
        shown = await client.get(f"{prefix}/{nobody}")
        done = await client.post(f"{prefix}/{nobody}", data=form)
        for token in forged_tokens(genuine or seal(TokenAction.PREFERENCES, zoe)):
            page = await client.get(f"{prefix}/{token}")
            answer = await client.post(f"{prefix}/{token}", data=form)
            assert_page(page, 200)
            assert_page(answer, 200)
            assert same_page(page.text, shown.text), (prefix, token[:30])
            assert same_page(answer.text, done.text), (prefix, token[:30])
    assert await Subscription.count().where(Subscription.status != "subscribed") == 0
    assert await ConsentEvent.count().where(ConsentEvent.action.is_in(["unsubscribed", "objected"])) == 0


# REQ-30: link checkers and some mail scanners ask HEAD: they get the GET's status and headers, no body, and
# nothing changes.
async def test_req30_head_gets_the_headers_of_the_page_and_changes_nothing(http_client, zoe):
    paths = [f"/u/{seal(TokenAction.UNSUBSCRIBE, zoe, 1)}", f"/o/{seal(TokenAction.OBJECT, zoe, 2)}",
             f"/p/{seal(TokenAction.PREFERENCES, zoe)}", "/subscribe/public-newsletter", "/confirm/unknown",
             "/u/forged", "/subscribe/no-such-list", "/p/"]
    async with http_client() as client:
        for path in paths:
            get, head = await client.get(path), await client.head(path)
            assert head.status_code == get.status_code and head.content == b"", path
            assert head.headers["content-length"] == str(len(get.content)), path
            assert head.headers["content-type"] == get.headers["content-type"], path
            assert head.headers["content-security-policy"] == get.headers["content-security-policy"], path
    assert await Subscription.count().where(Subscription.status != "subscribed") == 0


# Bodies no browser sends: bytes that are not UTF-8, files, NUL characters (which PostgreSQL refuses in
# text), missing fields, a broken multipart. Each gets a page, and a NUL never reaches the database.
@pytest.mark.parametrize("body", [
    {"content": b"form=rights&request_type=access&details=\xff\xfe\xc3(", "headers": {
        "content-type": "application/x-www-form-urlencoded"}},
    {"files": {"reason": ("r.txt", b"x"), "details": ("d.txt", b"x"), "email": ("e.txt", b"x"),
               "first_name": ("f.txt", b"x"), "form": ("f.txt", b"rights"), "lists": ("l.txt", b"x")}},
    {"data": {"form": "rights", "request_type": "rectification", "details": "a\x00b", "reason": "\x00why",
              "email": "nul@example.org", "first_name": "L\x00éa", "lists": "public-newsletter"}},
    {"data": {"form": "lists", "shown": ["journalists", "\x00"], "keep": "\x00", "language": "\x00"}},
    {"data": {}},
    {"content": b"--b\r\nbroken", "headers": {"content-type": "multipart/form-data; boundary=b"}},
    {"content": b"{}", "headers": {"content-type": "application/json"}},
], ids=["not-utf-8", "files", "nul", "nul-lists", "empty", "broken-multipart", "json"])
async def test_odd_form_bodies_get_a_page(http_client, zoe, mailbox, body):
    paths = [f"/o/{seal(TokenAction.OBJECT, zoe, 2)}", f"/p/{seal(TokenAction.PREFERENCES, zoe)}",
             "/subscribe/public-newsletter", f"/u/{seal(TokenAction.UNSUBSCRIBE, zoe, 1)}", "/confirm/unknown"]
    async with http_client() as client:
        for path in paths:
            answer = await client.post(f"{path}?lang=en", **body)
            assert_page(answer, answer.status_code, "en")
            assert answer.status_code in (200, 400), (path, answer.status_code)
    for row in await PendingConsent.select(PendingConsent.first_name):
        assert "\x00" not in (row["first_name"] or "")
    for row in await RightsRequest.select(RightsRequest.details):
        assert "\x00" not in str(row["details"])


async def test_unknown_languages_fall_back_without_error(http_client, zoe):
    path = f"/p/{seal(TokenAction.PREFERENCES, zoe)}"
    async with http_client() as client:
        for query, accept, language in [("?lang=de", "en", "en"), ("?lang=%FF", "", "fr"), ("?lang=", "de, *", "fr"),
                                        ("?lang=<b>", "en;q=abc, fr;q=nan", "fr"), ("?lang=en&lang=fr", "", "en"),
                                        ("", "en;q=inf, fr", "en"), ("", "x" * 5000, "fr")]:
            page = await client.get(f"{path}{query}", headers={"Accept-Language": accept})
            assert_page(page, 200, language)
            assert "<b>" not in page.text


# If something breaks inside a page anyway, the person gets a page, not a traceback or the JSON body, and the
# log names the page without its token.
async def test_a_failure_inside_a_page_is_a_page_and_the_log_has_no_token(http_client, zoe, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(preferences, "load", broken)
    token = seal(TokenAction.PREFERENCES, zoe)
    logged: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = logged.append
    logger = logging.getLogger("contacts.web.public.errors")
    logger.addHandler(handler)
    try:
        async with http_client() as client:
            page = await client.get(f"/p/{token}?lang=en")
    finally:
        logger.removeHandler(handler)
    assert_page(page, 500, "en")
    assert "Something went wrong" in page.text and "database went away" not in page.text
    assert [record.getMessage() for record in logged] == ["a recipient's page failed: GET /p/…"]
    assert logged[0].exc_info[0] is RuntimeError
