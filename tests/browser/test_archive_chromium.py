"""The public archive in a real browser (issue 23, item 5): /archive/ and a published issue in French, at
desktop and phone width, under the archive's Content-Security-Policy (the message's inline styles applied,
nothing refused), with no cookie and nothing asked of another site (REQ-11). Screenshots go to
tests/artifacts/archive-*.png."""

from __future__ import annotations

import dataclasses

import pytest

from contacts.sending.worker import SendOptions, send_campaign
from contacts.settings import get_settings
from tests.browser.chromium import (
    ARTIFACTS,
    BROWSER_GROUP,
    CHROMIUM,
    LAUNCH_ARGS,
    requires_chromium,
)
from tests.sending.smtp_server import TestSmtpServer
from tests.serving import contacts_serve
from tests.web.test_archive import import_readers, public_letter

pytestmark = [pytest.mark.usefixtures("database_url"), requires_chromium, BROWSER_GROUP]


@pytest.fixture
def server(cli_env, tmp_path):
    with TestSmtpServer() as smtp, contacts_serve({**cli_env, "CONTACTS_SMTP_URL": smtp.url}, tmp_path) as base_url:
        yield base_url, smtp


async def test_req11_the_archive_in_chromium_in_french(server, tmp_path):
    from playwright.async_api import async_playwright

    base_url, smtp = server
    await import_readers(tmp_path)
    campaign = await public_letter(subject="Les Nabis et le décor : la lettre de décembre")
    settings = dataclasses.replace(get_settings(), smtp_url=smtp.url, base_url=base_url)
    await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings)

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            for width in (1024, 390):
                context = await browser.new_context(locale="fr-FR", viewport={"width": width, "height": 900})
                page = await context.new_page()
                console: list[str] = []
                page.on("console", lambda entry, seen=console: seen.append(f"{entry.type}: {entry.text}"))
                requested: list[str] = []
                page.on("request", lambda request, seen=requested: seen.append(request.url))
                answer = await page.goto(f"{base_url}/archive/")
                assert answer is not None and answer.status == 200
                assert await page.evaluate("document.documentElement.lang") == "fr"
                await page.get_by_role("heading", name="Archive des lettres d\u2019information").wait_for()
                await page.screenshot(path=ARTIFACTS / f"archive-fr-{width}.png", full_page=True)
                await page.get_by_role("link", name="Les Nabis et le décor\u202f: la lettre de décembre").click()
                await page.get_by_role("heading", level=1).wait_for()
                assert await page.evaluate("document.querySelector('article.issue').lang") == "fr"
                # The message's style attributes apply (CSP 3 style-src-attr), and its width fits the phone.
                assert await page.evaluate("getComputedStyle(document.querySelector('.wrap')).maxWidth") == "600px"
                assert await page.evaluate("document.documentElement.scrollWidth") <= width
                await page.screenshot(path=ARTIFACTS / f"archive-issue-fr-{width}.png", full_page=True)
                assert await context.cookies() == []
                # Only our own pages, style sheet and media (Chromium's own favicon request aside).
                assert all(url.startswith(base_url) for url in requested), requested
                assert not [entry for entry in console if "Content Security Policy" in entry], console
                await context.close()
        finally:
            await browser.close()
