""""View in your browser" in a real browser (issue 20, item 8): the link of a sent message opens the message's
content in headless Chromium under the page's Content-Security-Policy, with its inline styles applied, nothing
refused, and no cookie (REQ-11). Skipped where Chromium is not installed (see tests/browser/chromium.py)."""

from __future__ import annotations

import dataclasses
import re
from email import message_from_bytes, policy

import pytest

from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
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
from tests.web.conftest import import_to

pytestmark = [pytest.mark.usefixtures("database_url"), requires_chromium, BROWSER_GROUP]


@pytest.fixture
def server(cli_env, tmp_path):
    with TestSmtpServer() as smtp, contacts_serve({**cli_env, "CONTACTS_SMTP_URL": smtp.url}, tmp_path) as base_url:
        yield base_url, smtp


async def test_req11_the_view_link_opens_the_message_in_chromium(server, tmp_path):
    from playwright.async_api import async_playwright

    base_url, smtp = server
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre de décembre", body="Premier paragraphe.", actor="test")
    settings = dataclasses.replace(get_settings(), smtp_url=smtp.url, base_url=base_url)
    await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings)
    message = message_from_bytes(smtp.handler.received[0].content, policy=policy.default)
    view_url = re.search(rf'href="({re.escape(base_url)}/v/[A-Za-z0-9_-]+)"',
                         message.get_body(("html",)).get_content()).group(1)

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = await browser.new_context(locale="en-GB")  # the link's language wins over the browser's
            page = await context.new_page()
            console: list[str] = []
            page.on("console", lambda entry: console.append(f"{entry.type}: {entry.text}"))
            requested: list[str] = []
            page.on("request", lambda request: requested.append(request.url))
            answer = await page.goto(view_url)
            assert answer is not None and answer.status == 200
            await page.get_by_role("heading", name="La lettre de décembre").wait_for()
            await page.get_by_text("Premier paragraphe.").wait_for()
            assert await page.evaluate("document.documentElement.lang") == "fr"
            # The mail's inline styles apply: the policy allows them, and nothing else.
            assert await page.evaluate("getComputedStyle(document.querySelector('.wrap')).maxWidth") == "640px"
            await page.screenshot(path=ARTIFACTS / "view-in-browser.png", full_page=True)
            assert await context.cookies() == []
            # The page asked for nothing but itself (Chromium's own favicon request, answered 404, aside).
            assert [url for url in requested if not url.endswith("/favicon.ico")] == [view_url]
            assert not [entry for entry in console if "Content Security Policy" in entry]
        finally:
            await browser.close()
