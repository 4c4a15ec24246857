"""The door pages on a steward's phone (390 × 844, no script): a pass opened signed out leads to sign-in and
back to the pass; the big button marks the guest arrived; the door page finds a guest by name; nothing is
wider than the screen and every button is a large tap target. Screenshots go to tests/artifacts/door-*.png."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from contacts.domain import InvitationStatus, Permission
from contacts.event_tables import Invitation
from contacts.services.invitations import door_pass
from contacts.services.invitations import guest_lists as invitations
from contacts.services.staff import accounts
from contacts.tables import Contact
from tests.browser.chromium import (
    ARTIFACTS,
    BROWSER_GROUP,
    CHROMIUM,
    LAUNCH_ARGS,
    requires_chromium,
)
from tests.sending.smtp_server import free_port
from tests.serving import contacts_serve
from tests.web.test_door import GUESTS

PASSWORD = "a long password here"
PHONE = {"width": 390, "height": 844}
MIN_TAP = 44  # CSS pixels: the least a thumb hits without aiming (WCAG 2.5.5)
pytestmark = [pytest.mark.usefixtures("database_url"), requires_chromium, BROWSER_GROUP]


@pytest.fixture
def server(cli_env, tmp_path):
    env = {**cli_env, "CONTACTS_MAIL_CATCHER_PORT": str(free_port())}
    env.pop("CONTACTS_SMTP_URL")
    with contacts_serve(env, tmp_path) as base_url:
        yield base_url


async def a_door(contacts_cli, tmp_path) -> tuple[int, int]:
    """A guest list whose first guest accepted with a companion; the list and that guest."""
    (tmp_path / "presse.csv").write_text("email,first_name,last_name,organisation,language\n" + "".join(
        f"{g['email']},{g['first_name']},{g['last_name']},{g['organisation']},fr\n" for g in GUESTS), encoding="utf-8")
    contacts_cli("import", "presse.csv", "--list", "journalists", "--source-type", "given", "--source", "Annuaire")
    await accounts.create_user("ed", "events", PASSWORD)
    ed = accounts.Staff(id=0, username="ed", role=accounts.Role.EVENTS, departments=frozenset({"events"}))
    assert ed.can(Permission.CHECK_IN)
    built = await invitations.build(ed, "Vernissage — exposition d'hiver", ["journalists"])
    helene = (await Contact.select(Contact.id).where(Contact.email == GUESTS[0]["email"]).first())["id"]
    await Invitation.update({Invitation.status: InvitationStatus.ACCEPTED, Invitation.responded_at: datetime.now(UTC),
                             Invitation.companion_name: "Paul Durand"}).where(Invitation.contact == helene)
    await accounts.create_user("steward", "events", PASSWORD, language="fr")
    return built.id, helene


async def assert_fits_a_phone(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=ARTIFACTS / f"door-{name}.png", full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    heights = await page.eval_on_selector_all("main button", "els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= MIN_TAP, (name, heights)


async def test_a_steward_scans_a_pass_and_finds_a_guest_on_a_phone(server, contacts_cli, tmp_path):
    from playwright.async_api import async_playwright, expect

    list_id, helene = await a_door(contacts_cli, tmp_path)
    pass_path = urlsplit(door_pass.check_in_url(list_id, helene)).path
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS)
        try:
            context = await browser.new_context(viewport=PHONE, locale="fr-FR", java_script_enabled=False,
                                                is_mobile=True, has_touch=True, device_scale_factor=2)
            page = await context.new_page()
            await page.goto(server + pass_path)  # the phone's camera opens the QR code's address
            assert urlsplit(page.url).path == "/staff/login"
            await page.get_by_label("Identifiant").fill("steward")
            await page.get_by_label("Mot de passe").fill(PASSWORD)
            await page.get_by_role("button", name="Se connecter").click()
            assert urlsplit(page.url).path == pass_path  # back to the pass
            await expect(page.get_by_role("heading", name="Hélène Dupont-Lefèvre")).to_be_visible()
            await assert_fits_a_phone(page, "pass")
            await page.get_by_role("button", name="Marquer l’arrivée", exact=True).click()
            await expect(page.get_by_role("alert")).to_contain_text("arrivée enregistrée")
            await assert_fits_a_phone(page, "pass-marked")
            await page.get_by_role("link", name="Chercher un·e autre invité·e par son nom").click()
            await page.get_by_label("Nom de l’invité·e ou organisme").fill("zoe")
            await page.get_by_role("button", name="Chercher").click()
            await expect(page.get_by_role("heading", name="Zoé Œhler")).to_be_visible()
            await expect(page.get_by_text("Invité·e n’ayant pas répondu à l’invitation")).to_be_visible()
            await assert_fits_a_phone(page, "search")
            await page.goto(f"{server}/staff/door/lists/{list_id}/door-list")
            await page.screenshot(path=ARTIFACTS / "door-list.png", full_page=True)
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        finally:
            await browser.close()
    arrived = await Invitation.select(Invitation.status, Invitation.arrived_at).where(Invitation.contact == helene)
    assert arrived[0]["status"] == InvitationStatus.ACCEPTED and arrived[0]["arrived_at"] is not None
