"""The staff error pages speak the signed-in account's language, else the browser's (Accept-Language), else
French (issue 21): a path no staff route matches, a refusal (403), something not found (404), a crash (500)."""

from __future__ import annotations

import pytest

from contacts.services import dashboard
from contacts.services.staff import accounts as staff
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_staff_french import sign_in
from tests.web.test_staff_pages import PASSWORD

pytestmark = pytest.mark.usefixtures("database_url")

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"}


async def pages_of(client) -> dict[str, object]:
    return {
        "no route": await client.get("/staff/nowhere/at/all"),
        "not found": await client.get("/staff/campaigns/999"),
        "refused": await client.get("/staff/audit/"),
        "no csrf": await client.post("/staff/language", data={"language": "fr"}),
    }


async def test_error_pages_follow_the_account_language(http_client):
    await staff.create_user("eva", "events", PASSWORD)
    await staff.create_user("robin", "events", PASSWORD, language="en")
    async with http_client() as client:
        await sign_in(client, "eva")
        for where, answer in (await pages_of(client)).items():
            assert answer.status_code in (403, 404), where
            assert '<html lang="fr">' in answer.text, where
            assert_reads_in_french(answer.text, where)
        assert "Introuvable" in (await client.get("/staff/nowhere")).text
    async with http_client() as client:  # an English account, in a browser that asks for French
        await sign_in(client, "robin")
        client.headers["Accept-Language"] = "fr-FR,fr;q=0.9"
        for where, answer in (await pages_of(client)).items():
            assert answer.status_code in (403, 404), where
            assert '<html lang="en">' in answer.text and "Back to the dashboard" in answer.text, where
        assert "Not found" in (await client.get("/staff/nowhere")).text


async def test_signed_out_error_pages_follow_the_browser_then_french(http_client):
    async with http_client() as client:
        english = await client.get("/staff/nowhere", headers=ENGLISH_BROWSER)
        assert english.status_code == 404 and '<html lang="en">' in english.text and "Not found" in english.text
        french = await client.get("/staff/nowhere", headers={"Accept-Language": "de-DE"})
        assert french.status_code == 404 and '<html lang="fr">' in french.text
        assert_reads_in_french(french.text, "no route, German browser")
        plain = await client.get("/staff/nowhere")
        assert '<html lang="fr">' in plain.text


async def test_signing_out_forgets_the_language_for_error_pages(http_client):
    await staff.create_user("robin", "events", PASSWORD, language="en")
    async with http_client() as client:
        token = await sign_in(client, "robin")
        assert '<html lang="en">' in (await client.get("/staff/nowhere")).text
        await client.post("/staff/logout", data={"_csrf_token": token})
        assert '<html lang="fr">' in (await client.get("/staff/nowhere")).text


async def test_a_crash_is_an_error_page_in_the_account_language(http_client, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("the database said something odd")

    await staff.create_user("eva", "events", PASSWORD)
    await staff.create_user("robin", "events", PASSWORD, language="en")
    async with http_client() as client:
        await sign_in(client, "eva")
        monkeypatch.setattr(dashboard, "overview", broken)
        crashed = await client.get("/staff/")
        assert crashed.status_code == 500 and '<html lang="fr">' in crashed.text
        assert "text/html" in crashed.headers["content-type"] and "odd" not in crashed.text
        assert_reads_in_french(crashed.text, "crash")
    monkeypatch.undo()
    async with http_client() as client:
        await sign_in(client, "robin")
        monkeypatch.setattr(dashboard, "overview", broken)
        crashed = await client.get("/staff/")
        assert crashed.status_code == 500 and '<html lang="en">' in crashed.text and "Server error" in crashed.text
