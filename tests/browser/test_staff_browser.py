"""The staff pages in a real browser: headless Chromium (Debian's package) driven by Playwright, against
`contacts serve` as a newcomer runs it in development: the built-in mail catcher (no CONTACTS_SMTP_URL) and
the server's own sender (CONTACTS_SERVE_SENDS). REQ-24, REQ-27.

The catcher listens on a free port (CONTACTS_MAIL_CATCHER_PORT), not on 8025, where another checkout's
`contacts serve` or test may already listen and would catch this test's mail.

Screenshots of each page go to tests/artifacts/ (not committed). The test is skipped where Chromium is
not installed, unless CONTACTS_REQUIRE_BROWSER=1 (CI sets it, and installs Chromium).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest

from contacts.tables import Campaign, Delivery
from tests.sending.smtp_server import free_port

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PASSWORD = "a long password here"
JOURNALISTS = [(f"journaliste{i}@presse{i % 3}.example", f"Prénom{i}", f"Nom{i}") for i in range(10)]
SUPPRESSED = [JOURNALISTS[3][0], JOURNALISTS[7][0]]
pytestmark = [
    pytest.mark.usefixtures("database_url"),
    pytest.mark.skipif(not CHROMIUM.exists() and os.environ.get("CONTACTS_REQUIRE_BROWSER") != "1",
                       reason="Debian's chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def server(cli_env, tmp_path):
    """`contacts serve` on this test's database, with the built-in mail catcher and its own sender."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {**cli_env, "CONTACTS_BASE_URL": base_url, "CONTACTS_MAIL_CATCHER_PORT": str(free_port()),
           "CONTACTS_SERVE_SENDS": "true"}
    env.pop("CONTACTS_SMTP_URL")  # the tests' default; without it, serve runs the catcher
    process = subprocess.Popen([sys.executable, "-m", "contacts", "serve", "--port", str(port)], env=env,
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"contacts serve did not start: {process.stderr.read().decode()}")
            time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_a_campaign_from_sign_in_to_caught_mail_in_chromium(server, contacts_cli, tmp_path):
    from playwright.async_api import async_playwright, expect

    base_url = server
    (tmp_path / "presse.csv").write_text("email,first_name,last_name,language\n" + "".join(
        f"{email},{first},{last},fr\n" for email, first, last in JOURNALISTS), encoding="utf-8")
    imported = contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "third-party",
                            "--source", "Annuaire presse 2026").stdout
    assert "created: 10" in imported and "subscribed: 10" in imported
    for email in SUPPRESSED:
        contacts_cli("suppress", email, "--reason", "manual")
    contacts_cli("user", "create", "camille", "--role", "communications", input=PASSWORD + "\n")

    ARTIFACTS.mkdir(exist_ok=True)

    async def shot(page, name: str) -> None:
        await page.screenshot(path=ARTIFACTS / f"staff-{name}.png", full_page=True)

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = await browser.new_page(locale="en-GB")
            # A stranger is sent to sign in; a wrong password first, then the right one.
            await page.goto(f"{base_url}/staff/")
            await expect(page).to_have_url(re.compile(r"/staff/login\?next=/staff/?$"))
            await shot(page, "login")
            await page.keyboard.press("Tab")  # the keyboard's first stop: a visible skip link
            await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
            await expect(page.get_by_role("link", name="Skip to content")).to_be_in_viewport()
            await shot(page, "login-skip-link")
            await page.get_by_label("Username").fill("camille")
            await page.get_by_label("Password").fill("not the password")
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("alert")).to_have_text("wrong username or password")
            await expect(page.get_by_label("Username")).to_have_value("camille")  # kept; the password is not
            await shot(page, "login-error")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await page.get_by_role("heading", name="Dashboard", level=1).wait_for()
            await expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
            await expect(page.get_by_role("row", name=re.compile(r"^Journalists"))).to_contain_text("10")
            await shot(page, "dashboard")

            # A campaign from the form.
            await page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Campaigns").click()
            await page.get_by_role("heading", name="Campaigns", level=1).wait_for()
            await page.get_by_label("Journalists", exact=False).check()
            await page.get_by_label("Template").select_option("newsletter-communications")
            await page.get_by_label("Subject").fill("La lettre de décembre")
            await page.get_by_label("Message", exact=False).fill("Bonjour,\n\nLe musée rouvre ses portes.")
            await shot(page, "campaigns-form")
            await page.get_by_role("button", name="Create the draft").click()
            await expect(page.get_by_role("status")).to_have_text("The draft campaign is created.")
            campaign_id = int(re.search(r"/staff/campaigns/(\d+)", page.url).group(1))

            # Its page, opened from the list as one comes back to it.
            await page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Campaigns").click()
            await shot(page, "campaigns")
            await page.get_by_role("link", name="La lettre de décembre").click()
            await page.get_by_role("heading", name="La lettre de décembre", level=1).wait_for()
            await expect(page.locator("main")).to_contain_text("draft")
            # The textarea's paragraphs (a browser sends them with CRLF) stay paragraphs.
            await expect(page.locator("pre.preview")).to_contain_text("Bonjour,\n\nLe musée rouvre ses portes.")
            await shot(page, "campaign-draft")

            # Send: the server's own sender drains it while the page refreshes itself, without script.
            await page.get_by_role("button", name="Send", exact=True).click()
            await expect(page.get_by_role("status")).to_have_text("Sending has started.")
            await shot(page, "campaign-sending")
            await expect(page.get_by_text("finished", exact=True)).to_be_visible(timeout=60_000)
            await expect(page.get_by_role("status")).to_have_count(0)  # the refresh dropped "Sending has started."
            await expect(page.get_by_role("row", name="sent")).to_have_text(re.compile(r"sent\s*8"))
            await expect(page.get_by_role("row", name="skipped: suppressed")).to_have_text(
                re.compile(r"skipped: suppressed\s*2"))
            await shot(page, "campaign-finished")

            # The catcher caught one message per recipient who may be mailed, each with its one-click header.
            await page.get_by_role("link", name="Caught mail").click()
            await page.get_by_role("heading", name="Caught mail", level=1).wait_for()
            rows = page.get_by_role("table").locator("tbody tr")
            await expect(rows).to_have_count(8)
            recipients = {(await row.locator("td").nth(1).inner_text()).strip() for row in await rows.all()}
            assert recipients == {email for email, _, _ in JOURNALISTS} - set(SUPPRESSED)
            await shot(page, "mail")
            await rows.first.get_by_role("link", name="La lettre de décembre").click()
            await page.get_by_role("heading", name="Caught message", level=1).wait_for()
            await expect(page.get_by_role("row", name="List-Unsubscribe-Post")).to_contain_text(
                "List-Unsubscribe=One-Click")
            await shot(page, "mail-message")

            await page.get_by_role("button", name="Sign out").click()
            await expect(page.get_by_role("status")).to_have_text("You are signed out.")
            await shot(page, "signed-out")
            await page.goto(f"{base_url}/staff/campaigns/{campaign_id}")
            await expect(page).to_have_url(re.compile(r"/staff/login\?next="))
        except Exception:
            await shot(page, "failure")  # where it stopped, for whoever reads the failure
            raise
        finally:
            await browser.close()

    assert (await Campaign.select(Campaign.status).where(Campaign.id == campaign_id).first())["status"] == "finished"
    deliveries = await Delivery.select(Delivery.status, Delivery.skip_reason, Delivery.contact.email_canonical).where(
        Delivery.campaign == campaign_id)
    assert Counter((row["status"], row["skip_reason"]) for row in deliveries) == {("sent", None): 8,
                                                                                 ("skipped", "suppressed"): 2}
    assert {row["contact.email_canonical"] for row in deliveries if row["status"] == "skipped"} == set(SUPPRESSED)
