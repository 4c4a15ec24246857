"""Sending windows on the staff pages (REQ-54): each purpose's window, changed by an admin only and audited;
a campaign page that says when a campaign outside its window starts; and transactional mail that ignores
windows (a double opt-in confirmation goes out while every window is closed)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from contacts.i18n import opening
from contacts.services import catalogue, window_operations
from contacts.services.campaigns import core as campaigns
from contacts.services.windows import DAY_CODES, PARIS
from contacts.settings import get_settings
from contacts.tables import AuditEvent
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_staff_pages import assert_accessible_basics, signed_in

pytestmark = pytest.mark.usefixtures("database_url")


@pytest.fixture
def windows_on(monkeypatch):
    monkeypatch.setenv("CONTACTS_SENDING_WINDOWS", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("CONTACTS_SENDING_WINDOWS")
    get_settings.cache_clear()


def closed_today() -> str:
    """A day that is not today in Paris: a window on it alone is closed now."""
    return DAY_CODES[(datetime.now(PARIS).weekday() + 3) % 7]


async def purpose(code: str):
    return next(item for item in await catalogue.purposes() if item.code == code)


async def test_req54_an_admin_sets_a_purposes_window_on_the_staff_page(http_client, windows_on):
    async with http_client() as client:
        token = await signed_in(client, "alex", "admin", language="fr")
        page = await client.get("/staff/windows/")
        assert page.status_code == 200 and "Plages d’envoi" in page.text
        assert "de 08:00 à 20:00" in page.text and "sauf les jours fériés français" in page.text
        assert "Les plages d’envoi sont respectées sur cette instance." in page.text
        assert_reads_in_french(page.text, "/staff/windows/")
        assert_accessible_basics(page, "/staff/windows/", lang="fr")
        saved = await client.post("/staff/windows/public-newsletter", data={
            "_csrf_token": token, "days": ["sat", "sun"], "opens": "10:00", "closes": "18:30", "on_holidays": "yes"})
        assert saved.status_code == 303
        window = (await purpose("public-newsletter")).window
        assert window is not None and (window.days_text, window.hours_text, window.skips_holidays) == (
            "sat,sun", "10:00-18:30", False)
        refused = await client.post("/staff/windows/public-newsletter", data={
            "_csrf_token": token, "days": ["mon"], "opens": "18:00", "closes": "09:00"})
        assert refused.status_code == 400 and "doit être après l’heure d’ouverture" in refused.text
        assert (await purpose("public-newsletter")).window == window  # nothing half-written
        cleared = await client.post("/staff/windows/press-information",
                                    data={"_csrf_token": token, "opens": "08:00", "closes": "20:00"})
        assert cleared.status_code == 303 and (await purpose("press-information")).window is None
    event = await AuditEvent.select().where(AuditEvent.action == "purpose.window").first()
    assert event["actor"] == "staff:alex" and event["object_id"] == "public-newsletter"


async def test_req54_only_an_admin_changes_a_window(http_client):
    async with http_client() as client:
        token = await signed_in(client, "camille", "communications")
        page = await client.get("/staff/windows/")
        assert page.status_code == 200 and "Save the window" not in page.text
        assert "Sending windows are not kept on this instance" in page.text  # development: off
        refused = await client.post("/staff/windows/communications-newsletter",
                                    data={"_csrf_token": token, "days": ["sun"], "opens": "08:00", "closes": "20:00"})
        assert refused.status_code == 403
    assert (await purpose("communications-newsletter")).window.days_text == "mon-fri"


async def test_req54_the_campaign_page_says_when_a_waiting_campaign_starts(http_client, windows_on, tmp_path):
    day = closed_today()
    await window_operations.set_window("test", "communications-newsletter", [day], "08:00", "20:00")
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body="Bonjour.", actor="test")
    window = (await purpose("communications-newsletter")).window
    expected = opening(window.next_opening(datetime.now(UTC)), "fr")
    async with http_client() as client:
        await signed_in(client, "camille", "communications", language="fr")
        page = await client.get(f"/staff/campaigns/{campaign.id}")
        text = html.unescape(page.text)
        assert f"Hors de sa plage d’envoi en ce moment\u202f: envoyée maintenant, elle partira le {expected}." in text
        await campaigns.change_status(campaign.id, "start")
        page = await client.get(f"/staff/campaigns/{campaign.id}")
        assert f"reprendra le {expected}." in html.unescape(page.text)
        assert_reads_in_french(page.text, "/staff/campaigns/ID")
    assert expected.split()[0] in ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")


async def test_req54_a_double_opt_in_confirmation_ignores_the_windows(http_client, windows_on, mailbox):
    await window_operations.set_window("test", "public-newsletter", [closed_today()], "08:00", "20:00")
    async with http_client() as client:
        answer = await client.post("/subscribe/public-newsletter", data={
            "first_name": "Léa", "last_name": "Martin", "language": "fr", "lists": ["public-newsletter"],
            "email": "lea@example.org"})
        assert answer.status_code == 200
    assert mailbox.messages_to("lea@example.org")[-1]["Subject"] == "Confirmez votre inscription"
