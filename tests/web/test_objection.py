"""The objection page of GDPR Art. 21: REQ-21, REQ-25, REQ-30, REQ-42."""

from __future__ import annotations

import pytest

from contacts.domain import SourceType
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services import catalogue
from contacts.services.campaigns import core as campaigns
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import suppression
from contacts.tables import ConsentEvent
from contacts.tokens import TokenAction
from tests.sending.smtp_server import Recorder
from tests.web.conftest import contact_id, import_to, same_page, seal, statuses

pytestmark = pytest.mark.usefixtures("database_url")


@pytest.fixture
async def zoe(tmp_path):
    await import_to(tmp_path, "journalists", "zoe@presse.example", "hugo@presse.example")
    await import_to(tmp_path, "teachers", "zoe@presse.example")
    return await contact_id("zoe@presse.example")


async def purpose_id(code: str) -> int:
    return next(p.id for p in await catalogue.purposes() if p.code == code)


# REQ-30: opening the link (a mail scanner does) changes nothing; the page explains the right.
async def test_req30_the_objection_page_explains_the_right_and_changes_nothing(http_client, zoe):
    token = seal(TokenAction.OBJECT, zoe, await purpose_id("communications-newsletter"))
    async with http_client() as client:
        page = await client.get(f"/o/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "Article 21" in page.text and "none of our staff can override it" in page.text
    assert "Communications newsletter" in page.text and 'name="scope" value="all"' in page.text
    assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}
    assert await ConsentEvent.count().where(ConsentEvent.action == "objected") == 0


# REQ-21, REQ-42: an objection to one purpose is immediate: its subscriptions end, the next campaign skips
# the person, and a do-not-contact record for the purpose outlives the contact's data.
async def test_req21_an_objection_to_the_purpose_applies_at_once(http_client, zoe):
    token = seal(TokenAction.OBJECT, zoe, await purpose_id("communications-newsletter"))
    async with http_client() as client:
        done = await client.post(f"/o/{token}", data={"scope": "purpose", "reason": "Trop de messages"})
    assert done.status_code == 200 and "opposition est enregistrée" in done.text
    assert await statuses(zoe) == {"journalists": "objected", "teachers": "subscribed"}
    event = await ConsentEvent.select().where(ConsentEvent.action == "objected").first()
    assert (event["channel"], event["reason"], event["contact"]) == ("objection_page", "Trop de messages", zoe)
    assert [(e.scope, e.reason) for e in await suppression.entries_for("zoe@presse.example")] == [
        ("purpose:communications-newsletter", "objection")]
    recorder = Recorder()
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="Next", actor="test", missing_language="other")
    await send_campaign(campaign.id, SendOptions(concurrency=1), transport=recorder)
    assert recorder.sent == ["hugo@presse.example"]


# REQ-21: the page also offers every direct-marketing purpose at once.
async def test_req21_an_objection_to_all_direct_marketing(http_client, zoe):
    token = seal(TokenAction.OBJECT, zoe, await purpose_id("communications-newsletter"))
    async with http_client() as client:
        await client.post(f"/o/{token}", data={"scope": "all"})
    assert await statuses(zoe) == {"journalists": "objected", "teachers": "objected"}
    marketing = {f"purpose:{p.code}" for p in await catalogue.purposes() if p.is_direct_marketing}
    entries = await suppression.entries_for("zoe@presse.example")
    assert {e.scope for e in entries} == marketing and {e.reason for e in entries} == {"objection"}


# REQ-21: absolute, with no staff override: importing the person again does not re-subscribe them.
async def test_req21_no_import_overrides_an_objection(http_client, zoe, tmp_path):
    token = seal(TokenAction.OBJECT, zoe, await purpose_id("communications-newsletter"))
    async with http_client() as client:
        await client.post(f"/o/{token}", data={"scope": "purpose"})
    path = tmp_path / "again.csv"
    path.write_text("email\nzoe@presse.example\n")
    report = await run_import(ImportOptions(path=path, list_slug="vips", source_type=SourceType.THIRD_PARTY,
                                            source_name="annuaire", actor="staff", workers=0))
    assert report.counts.get("subscribed", 0) == 0
    assert "vips" not in await statuses(zoe)


# REQ-25: a forged token gets the page a genuine one gets when it names no purpose, and changes nothing.
async def test_req25_a_forged_objection_token_reveals_and_changes_nothing(http_client, zoe):
    genuine_for_all = seal(TokenAction.OBJECT, zoe, 0)
    async with http_client() as client:
        forged = await client.get("/o/AVnESEjuLVUAKA5FmodveFJ0qkEH6rZxfBuy8oJi8wxgYfIVeddO")
        genuine = await client.get(f"/o/{genuine_for_all}")
        answer = await client.post("/o/not-a-token", data={"scope": "all"})
        unsubscribe_token = await client.post(f"/o/{seal(TokenAction.UNSUBSCRIBE, zoe, 1)}", data={"scope": "all"})
    assert forged.status_code == genuine.status_code == answer.status_code == unsubscribe_token.status_code == 200
    assert same_page(forged.text, genuine.text)
    assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}
