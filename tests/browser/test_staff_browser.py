"""The staff pages in a real browser: headless Chromium (Debian's package) driven by Playwright, against
`contacts serve` as a newcomer runs it in development: the built-in mail catcher (no CONTACTS_SMTP_URL) and
the server's own sender (CONTACTS_SERVE_SENDS). REQ-24, REQ-27.

The catcher listens on a free port (CONTACTS_MAIL_CATCHER_PORT), not on 8025, where another checkout's
`contacts serve` or test may already listen and would catch this test's mail.

Screenshots of each page go to tests/artifacts/ (not committed). The test is skipped where Chromium is
not installed, unless CONTACTS_REQUIRE_BROWSER=1 (CI sets it, and installs Chromium).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter

import pytest

from contacts.tables import Campaign, Contact, Delivery, Subscription
from tests.browser.chromium import (
    ARTIFACTS,
    BROWSER_GROUP,
    CHROMIUM,
    LAUNCH_ARGS,
    requires_chromium,
)
from tests.sending.smtp_server import free_port
from tests.serving import contacts_serve

PASSWORD = "a long password here"
JOURNALISTS = [(f"journaliste{i}@presse{i % 3}.example", f"Prénom{i}", f"Nom{i}") for i in range(10)]
SUPPRESSED = [JOURNALISTS[3][0], JOURNALISTS[7][0]]
# A press directory as a French spreadsheet saves it: semicolons, French headers, UTF-8 with a BOM, CRLF.
# Its 20 rows are spreadsheet rows 2 to 21 (the header is row 1); four of them are not imported.
ANNUAIRE = [
    ("helene.lefevre@lemonde.example", "Hélène", "Lefèvre", "Le Monde"),
    ("francois.moreau@liberation.example", "François", "Moreau", "Libération"),
    ("chloe.dubois@lefigaro.example", "Chloé", "Dubois", "Le Figaro"),
    ("jerome.garcon@telerama.example", "Jérôme", "Garçon", "Télérama"),
    ("agnes.benoit-leclerc", "Agnès", "Benoît-Leclerc", "Les Échos"),  # row 6: not an address
    ("ines.marechal@lexpress.example", "Inès", "Maréchal", "L'Express"),
    ("remi.chevallier@franceinter.example", "Rémi", "Chevallier", "France Inter"),
    ("zoe.lemaitre@connaissancedesarts.example", "Zoé", "Lemaître", "Connaissance des arts"),
    ("noel.fournier@beauxarts.example", "Noël", "Fournier", "Beaux Arts Magazine"),
    ("Chloe.Dubois@LeFigaro.example", "Chloé", "Dubois", "Le Figaro"),  # row 11: row 4 again
    ("anais.roche@ouest-france.example", "Anaïs", "Roche", "Ouest-France"),
    ("gaelle.perrin@lepoint.example", "Gaëlle", "Perrin", "Le Point"),
    ("benedicte.faure@arte.example", "Bénédicte", "Faure", "Arte"),
    ("cedric.lambert@afp.example", "Cédric", "Lambert", "AFP"),  # row 15: a name over 200 characters
    ("elodie.giraud@lejdd.example", "Élodie", "Giraud", "Le JDD"),
    ("mael.bonnet@franceculture.example", "Maël", "Bonnet", "France Culture"),
    ("josephine.mercier@lacroix.example", "Joséphine", "Mercier", "La Croix"),
    ("oceane.blanc@humanite.example", "Océane", "Blanc", "L'Humanité"),  # row 19: on the suppression list
    ("thais.robin@lesinrocks.example", "Thaïs", "Robin", "Les Inrockuptibles"),
    ("loic.gauthier@parismatch.example", "Loïc", "Gauthier", "Paris Match"),
]
OVER_LONG_ROW, ON_SUPPRESSION_LIST = 15, ANNUAIRE[17][0]
pytestmark = [
    pytest.mark.usefixtures("database_url"),
    requires_chromium,
    BROWSER_GROUP,
]


@pytest.fixture
def server(cli_env, tmp_path):
    """`contacts serve` on this test's database, with the built-in mail catcher and its own sender."""
    env = {**cli_env, "CONTACTS_MAIL_CATCHER_PORT": str(free_port()), "CONTACTS_SERVE_SENDS": "true"}
    env.pop("CONTACTS_SMTP_URL")  # the tests' default; without it, serve runs the catcher
    with contacts_serve(env, tmp_path) as base_url:
        yield base_url


async def shot(page, name: str) -> None:
    """A full-page screenshot into tests/artifacts/, named after the page."""
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"staff-{name}.png", full_page=True)


@contextlib.asynccontextmanager
async def chromium_page(failure_name: str):
    """A page in headless Chromium; if the test fails inside, a screenshot of where it stopped, for whoever
    reads the failure."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=LAUNCH_ARGS,
        )
        try:
            page = await browser.new_page(locale="en-GB")
            try:
                yield page
            except BaseException:
                await shot(page, failure_name)
                raise
        finally:
            await browser.close()


async def test_a_campaign_from_sign_in_to_caught_mail_in_chromium(server, contacts_cli, tmp_path):
    from playwright.async_api import expect

    base_url = server
    (tmp_path / "presse.csv").write_text("email,first_name,last_name,language\n" + "".join(
        f"{email},{first},{last},fr\n" for email, first, last in JOURNALISTS), encoding="utf-8")
    imported = contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "third-party",
                            "--source", "Annuaire presse 2026").stdout
    assert "created: 10" in imported and "subscribed: 10" in imported
    for email in SUPPRESSED:
        contacts_cli("suppress", email, "--reason", "manual")
    # English accounts: the sign-in page is in French, the pages after it in the account's language.
    contacts_cli("user", "create", "camille", "--role", "communications", "--language", "en", input=PASSWORD + "\n")
    contacts_cli("user", "create", "dominique", "--role", "dpo", "--language", "en", input=PASSWORD + "\n")

    async with chromium_page("failure") as page:
        # A stranger is sent to sign in; a wrong password first, then the right one.
        await page.goto(f"{base_url}/staff/")
        await expect(page).to_have_url(re.compile(r"/staff/login\?next=/staff/?$"))
        await shot(page, "login")
        await page.keyboard.press("Tab")  # the keyboard's first stop: a visible skip link
        await expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
        await expect(page.get_by_role("link", name="Aller au contenu")).to_be_in_viewport()
        await shot(page, "login-skip-link")
        await page.get_by_label("Identifiant").fill("camille")
        await page.get_by_label("Mot de passe").fill("not the password")
        await page.get_by_role("button", name="Se connecter").click()
        await expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")
        await expect(page.get_by_label("Identifiant")).to_have_value("camille")  # kept; the password is not
        await shot(page, "login-error")
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("heading", name="Dashboard", level=1).wait_for()
        await expect(page.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
        await expect(page.get_by_role("row", name=re.compile(r"^Journalists"))).to_contain_text("10")
        await shot(page, "dashboard")

        # A campaign from the form.
        await page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Campaigns").click()
        await page.get_by_role("heading", name="Campaigns", level=1).wait_for()
        await page.get_by_label("Journalists", exact=False).check()
        await page.get_by_label("Template").select_option("newsletter-communications")
        await page.get_by_label("Subject (French)").fill("La lettre de décembre")
        await page.get_by_label("Message (French", exact=False).fill("Bonjour,\n\nLe musée rouvre ses portes.")
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

        # The editor: an English version typed beside its preview, which the script refreshes as one types,
        # in sandboxed frames at desktop and phone width; then saved.
        await page.get_by_role("link", name="Edit and preview").click()
        await page.get_by_role("heading", name=f"Edit campaign #{campaign_id}", level=1).wait_for()
        await page.get_by_label("Subject (English)").fill("The December letter")
        await page.get_by_label("Language of the sample recipient").select_option("en")
        await page.get_by_label("Message (English", exact=False).fill("Hello,\n\nThe museum opens again.")
        for width in ("desktop", "phone"):
            await expect(page.frame_locator(f"iframe.preview-{width}").locator("body")).to_contain_text(
                "The museum opens again.", timeout=30_000)  # a loaded CI machine renders slowly
        await expect(page.locator("#preview-text")).to_contain_text("The museum opens again.")
        assert await page.locator("iframe.preview-phone").get_attribute("sandbox") == ""
        await shot(page, "campaign-editor")
        await page.get_by_role("button", name="Save the draft").click()
        await expect(page.get_by_role("status")).to_have_text("The draft is saved.")

        # Send: a confirmation page with the count, then the server's own sender drains it while the page
        # refreshes itself, without script.
        await page.get_by_role("link", name="Send…").click()
        await expect(page.locator("main")).to_contain_text("8 recipients would receive it now; 2 are skipped.")
        await shot(page, "campaign-confirm")
        await page.get_by_role("button", name="Send to 8 recipients").click()
        await expect(page.get_by_role("status")).to_have_text("Sending has started.")
        await shot(page, "campaign-sending")
        await expect(page.get_by_text("finished", exact=True)).to_be_visible(timeout=60_000)
        await expect(page.get_by_role("status")).to_have_count(0)  # the refresh dropped "Sending has started."
        await expect(page.get_by_role("row", name=re.compile(r"^sent\s"))).to_have_text(re.compile(r"sent\s*8"))
        await expect(page.get_by_role("row", name="skipped: suppressed")).to_have_text(
            re.compile(r"skipped: suppressed\s*2"))
        await shot(page, "campaign-finished")

        # The caught mail holds every message, rights answers included: the communications role has no way in.
        await expect(page.get_by_role("link", name="Caught mail")).to_have_count(0)
        await page.get_by_role("button", name="Sign out").click()
        await expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté·e.")  # the sign-in page: in French
        await shot(page, "signed-out")
        await page.goto(f"{base_url}/staff/campaigns/{campaign_id}")
        await expect(page).to_have_url(re.compile(r"/staff/login\?next="))

        # A DPO reads it: one message per recipient who may be mailed, each with its one-click header.
        await page.get_by_label("Identifiant").fill("dominique")
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("heading", name="La lettre de décembre", level=1).wait_for()
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

    assert (await Campaign.select(Campaign.status).where(Campaign.id == campaign_id).first())["status"] == "finished"
    deliveries = await Delivery.select(Delivery.status, Delivery.skip_reason, Delivery.contact.email_canonical).where(
        Delivery.campaign == campaign_id)
    assert Counter((row["status"], row["skip_reason"]) for row in deliveries) == {("sent", None): 8,
                                                                                 ("skipped", "suppressed"): 2}
    assert {row["contact.email_canonical"] for row in deliveries if row["status"] == "skipped"} == set(SUPPRESSED)


async def test_a_french_csv_previewed_then_imported_from_the_staff_page_in_chromium(server, contacts_cli, tmp_path):
    from playwright.async_api import expect

    base_url = server
    rows = [list(row) for row in ANNUAIRE]
    rows[OVER_LONG_ROW - 2][2] = "Lambert-" + "de-la-Tour-" * 20  # 228 characters
    (tmp_path / "Annuaire presse 2026.csv").write_bytes(("courriel;prénom;nom;société\r\n" + "".join(
        ";".join(row) + "\r\n" for row in rows)).encode("utf-8-sig"))
    contacts_cli("suppress", ON_SUPPRESSION_LIST, "--reason", "manual")
    contacts_cli("user", "create", "camille", "--role", "communications", "--language", "en", input=PASSWORD + "\n")
    imported = {email for email, _, _, _ in ANNUAIRE} - {ANNUAIRE[4][0], ANNUAIRE[9][0], ANNUAIRE[13][0],
                                                          ON_SUPPRESSION_LIST}
    assert len(imported) == 16
    counts = {"created": "16", "subscribed": "16", "updated": "0", "duplicates": "1", "invalid": "2",
              "left out: on the suppression list": "1"}  # codes shown by their words
    report = [("6", "email", "invalid", "must have an @-sign"), ("11", "email", "skipped", "duplicate of row 4"),
              ("15", "last_name", "invalid", "228 characters long; at most 200"),
              ("19", "email", "skipped", "on the suppression list")]

    async def check_counts_and_report(page) -> None:
        await expect(page.get_by_role("main")).to_contain_text("Annuaire presse 2026.csv into journalists: 20 rows.")
        for name, value in counts.items():
            await expect(page.get_by_role("row", name=re.compile(rf"^{name} ")).get_by_role("cell")).to_have_text(value)
        report_rows = page.get_by_role("region", name="Row report").locator("tbody tr")
        await expect(report_rows).to_have_count(len(report))  # each bad row named by its spreadsheet row number
        lines = sorted([[cell.strip() for cell in await line.get_by_role("cell").all_inner_texts()]
                        for line in await report_rows.all()], key=lambda cells: int(cells[0]))
        assert [cells[:3] for cells in lines] == [list(expected[:3]) for expected in report]
        for cells, expected in zip(lines, report):
            assert expected[3] in cells[3], (cells, expected)

    async with chromium_page("import-failure") as page:
        await page.goto(f"{base_url}/staff/login")
        await page.get_by_label("Identifiant").fill("camille")
        await page.get_by_label("Mot de passe").fill(PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await page.get_by_role("heading", name="Dashboard", level=1).wait_for()

        await page.get_by_role("navigation", name="Staff pages").get_by_role("link", name="Import").click()
        await page.get_by_role("heading", name="Import contacts", level=1).wait_for()
        await expect(page.get_by_role("link", name="Import")).to_have_attribute("aria-current", "page")
        await page.get_by_label("CSV file").set_input_files(tmp_path / "Annuaire presse 2026.csv")
        await page.get_by_label("Into the list").select_option("journalists")
        await page.get_by_label("How the addresses were collected").select_option("third_party")
        await page.get_by_label("Source", exact=False).fill("Annuaire presse 2026")
        await shot(page, "import-form")

        # The preview: what the import would do, row by row, and nothing written yet.
        await page.get_by_role("button", name="Preview").click()
        await page.get_by_role("heading", name="Import preview: nothing is written yet", level=1).wait_for()
        await page.set_viewport_size({"width": 360, "height": 740})  # a phone: the report scrolls, not the page
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await shot(page, "import-preview-narrow")
        await page.set_viewport_size({"width": 1280, "height": 720})
        await check_counts_and_report(page)
        await shot(page, "import-preview")
        await page.get_by_role("button", name="Import these rows").focus()
        await page.keyboard.press("Tab")  # the report, which may scroll sideways, is the keyboard's next stop
        await expect(page.get_by_role("region", name="Row report")).to_be_focused()
        await shot(page, "import-preview-report-focused")
        assert await Contact.count() == 0 and await Subscription.count() == 0

        await page.get_by_role("button", name="Import these rows").click()
        await page.get_by_role("heading", name="Import done", level=1).wait_for()
        await check_counts_and_report(page)
        await expect(page.get_by_role("button", name="Import these rows")).to_have_count(0)
        await shot(page, "import-done")

        # The list's page shows the new members.
        await page.goto(f"{base_url}/staff/lists/journalists")
        await page.get_by_role("heading", name="Journalists", level=1).wait_for()
        await expect(page.get_by_role("main")).to_contain_text("16 members.")
        members = page.get_by_role("table").locator("tbody tr")
        await expect(members).to_have_count(16)
        assert {(await row.locator("td").nth(1).inner_text()).strip() for row in await members.all()} == imported
        await expect(page.get_by_role("link", name="Hélène Lefèvre")).to_be_visible()
        await shot(page, "import-list")

    assert {row["email"] for row in await Contact.select(Contact.email)} == imported
    subscriptions = await Subscription.select(Subscription.contact.email, Subscription.mailing_list.slug,
                                              Subscription.status)
    assert len(subscriptions) == 16
    assert {row["contact.email"] for row in subscriptions} == imported  # not the suppressed address
    assert {(row["mailing_list.slug"], row["status"]) for row in subscriptions} == {("journalists", "subscribed")}
