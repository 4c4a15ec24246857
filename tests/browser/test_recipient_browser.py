"""The recipients' pages in a real browser: headless Chromium (Debian's package) driven by Playwright,
against `contacts serve` and a real SMTP server. REQ-22, REQ-29, REQ-30.

Screenshots of each page go to tests/artifacts/ (not committed). The test is skipped where Chromium is
not installed, unless CONTACTS_REQUIRE_BROWSER=1 (CI sets it, and installs Chromium).
"""

from __future__ import annotations

import dataclasses
import re
from email import message_from_bytes, policy

import pytest

from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.settings import get_settings
from contacts.tables import ConsentEvent
from tests.browser.chromium import (
    ARTIFACTS,
    BROWSER_GROUP,
    CHROMIUM,
    LAUNCH_ARGS,
    requires_chromium,
)
from tests.sending.smtp_server import TestSmtpServer
from tests.serving import contacts_serve
from tests.web.conftest import contact_id, import_to, statuses

pytestmark = [
    pytest.mark.usefixtures("database_url"),
    requires_chromium,
    BROWSER_GROUP,
]


@pytest.fixture
def server(cli_env, tmp_path):
    """`contacts serve` on this test's database, as a newcomer runs it."""
    with TestSmtpServer() as smtp, contacts_serve({**cli_env, "CONTACTS_SMTP_URL": smtp.url}, tmp_path) as base_url:
        yield base_url, smtp


async def test_unsubscribe_and_preference_centre_in_chromium(server, tmp_path):
    from playwright.async_api import async_playwright, expect

    base_url, smtp = server
    await import_to(tmp_path, "journalists", "zoe@presse.example", "hugo@presse.example")
    await import_to(tmp_path, "teachers", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", actor="test", missing_language="other")
    settings = dataclasses.replace(get_settings(), smtp_url=smtp.url, base_url=base_url)
    await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings)
    envelope = next(e for e in smtp.handler.received if e.rcpt_tos == ["zoe@presse.example"])
    message = message_from_bytes(envelope.content, policy=policy.default)
    unsubscribe_url = re.match(r"<([^>]+)>", message["List-Unsubscribe"]).group(1)
    preferences_url = re.search(rf"{re.escape(base_url)}/p/[A-Za-z0-9_-]+",
                                message.get_body(("plain",)).get_content()).group(0)

    ARTIFACTS.mkdir(exist_ok=True)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=LAUNCH_ARGS,
        )
        try:
            page = await browser.new_page(locale="fr-FR")
            # The link from the message: a confirmation page that changes nothing (REQ-30), then its button.
            await page.goto(unsubscribe_url)
            await page.screenshot(path=ARTIFACTS / "unsubscribe-confirm.png", full_page=True)
            assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}
            await page.get_by_role("button", name="Confirmer la désinscription").click()
            await page.get_by_role("heading", name="C’est fait").wait_for()
            await page.screenshot(path=ARTIFACTS / "unsubscribe-done.png", full_page=True)
            assert (await statuses(zoe))["journalists"] == "unsubscribed"

            # The preference centre: the list just left says why it is off, in its box's description; untick
            # another list and save, without JavaScript's help.
            await page.goto(preferences_url)
            await page.screenshot(path=ARTIFACTS / "preferences.png", full_page=True)
            await expect(page.get_by_label("Journalistes")).to_have_accessible_description(
                re.compile("^Désactivée. Vous vous êtes désinscrit·e de cette liste."))
            teachers = page.get_by_label("Enseignants", exact=False).or_(page.get_by_label("Teachers"))
            await teachers.uncheck()
            await page.get_by_role("button", name="Enregistrer mes préférences").click()
            await page.get_by_text("Vos préférences sont enregistrées.").wait_for()
            await page.screenshot(path=ARTIFACTS / "preferences-saved.png", full_page=True)

            # A signup link to a list that has none: a page in the browser's language, with its stylesheet.
            answer = await page.goto(f"{base_url}/subscribe/no-such-list")
            assert answer.status == 404
            await page.get_by_role("heading", name="Page introuvable").wait_for()
            assert await page.evaluate("getComputedStyle(document.body).maxWidth") != "none"  # public.css loaded
            await page.screenshot(path=ARTIFACTS / "not-found.png", full_page=True)
        finally:
            await browser.close()

    assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "unsubscribed"}
    channels = {row["channel"] for row in await ConsentEvent.select(ConsentEvent.channel).where(
        ConsentEvent.action == "unsubscribed", ConsentEvent.contact == zoe)}
    assert channels == {"unsubscribe_page", "preference_centre"}
