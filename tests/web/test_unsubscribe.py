"""The one-click unsubscribe endpoint (RFC 8058): REQ-22, REQ-25, REQ-29, REQ-30, REQ-42."""

from __future__ import annotations

import pytest

from contacts.domain import SourceType
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import ConsentEvent, Contact, Subscription
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.web.conftest import same_page

pytestmark = pytest.mark.usefixtures("database_url")
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
async def subscriber(tmp_path):
    path = tmp_path / "j.csv"
    path.write_text("email\nzoe@presse.example\nhugo@presse.example\n")
    await run_import(ImportOptions(path=path, list_slug="journalists", source_type=SourceType.GIVEN, source_name="t",
                                   actor="test"))
    contact = await Contact.select(Contact.id).where(Contact.email_canonical == "zoe@presse.example").first()
    subscription = await Subscription.select(Subscription.mailing_list).where(Subscription.contact == contact["id"]).first()
    return contact["id"], subscription["mailing_list"]


def token_for(contact_id: int, list_id: int, campaign_id: int = 7) -> str:
    return TokenCodec(get_settings().secret_keys).seal(LinkToken(TokenAction.UNSUBSCRIBE, contact_id, list_id, campaign_id))


async def status_of(contact_id: int) -> str:
    return (await Subscription.select(Subscription.status).where(Subscription.contact == contact_id).first())["status"]


# REQ-30: a GET (a mail scanner opening the link) changes nothing and offers a button that POSTs.
async def test_req30_get_changes_nothing(http_client, subscriber):
    contact_id, list_id = subscriber
    async with http_client() as client:
        page = await client.get(f"/u/{token_for(contact_id, list_id)}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and '<form method="post"' in page.text and "“Journalists”" in page.text
    assert await status_of(contact_id) == "subscribed"
    assert await ConsentEvent.count() == 2  # only the import's


# REQ-29, REQ-22, REQ-42: one-click POST, form-urlencoded, no cookie or CSRF token, 200 without redirect.
async def test_req29_one_click_post_unsubscribes_at_once_and_records_it(http_client, subscriber):
    contact_id, list_id = subscriber
    async with http_client() as client:
        response = await client.post(f"/u/{token_for(contact_id, list_id)}", data=ONE_CLICK, follow_redirects=False)
    assert response.status_code == 200 and "set-cookie" not in response.headers
    assert await status_of(contact_id) == "unsubscribed"
    event = await ConsentEvent.select().where(ConsentEvent.action == "unsubscribed").first()
    assert (event["channel"], event["actor"], event["contact"]) == ("one_click", "recipient", contact_id)
    details = event["details"] if isinstance(event["details"], dict) else __import__("json").loads(event["details"])
    assert details["campaign"] == 7
    assert [(e.scope, e.reason) for e in await suppression.entries_for("zoe@presse.example")] == [
        ("list:journalists", "unsubscribe")
    ]


async def test_req29_multipart_is_accepted_and_repeating_is_harmless(http_client, subscriber):
    contact_id, list_id = subscriber
    async with http_client() as client:
        first = await client.post(f"/u/{token_for(contact_id, list_id)}", files={"List-Unsubscribe": (None, "One-Click")})
        again = await client.post(f"/u/{token_for(contact_id, list_id)}", files={"List-Unsubscribe": (None, "One-Click")})
    assert first.status_code == again.status_code == 200 and first.text == again.text
    assert await status_of(contact_id) == "unsubscribed"
    assert await ConsentEvent.count().where(ConsentEvent.action == "unsubscribed") == 1


async def test_the_page_button_records_the_page_channel(http_client, subscriber):
    contact_id, list_id = subscriber
    async with http_client() as client:
        await client.post(f"/u/{token_for(contact_id, list_id)}", data={"confirm": "1"})
    event = await ConsentEvent.select(ConsentEvent.channel).where(ConsentEvent.action == "unsubscribed").first()
    assert event["channel"] == "unsubscribe_page"


# REQ-25: an unknown or tampered token is answered exactly like a valid one, and changes nothing.
@pytest.mark.parametrize("token", ["garbage", "A" * 46, "", "%2e%2e"])
async def test_req25_unknown_tokens_get_the_same_answer(http_client, subscriber, token):
    contact_id, list_id = subscriber
    async with http_client() as client:
        valid_token = token_for(contact_id, list_id)
        valid = await client.post(f"/u/{valid_token}", data=ONE_CLICK)
        unknown = await client.post(f"/u/{token}x", data=ONE_CLICK)
        page = await client.get(f"/u/{token}x")
    # The pages link to themselves (the language switch): the same once each one's own URL is set aside.
    assert unknown.status_code == valid.status_code == 200
    assert same_page(unknown.text, valid.text)
    assert page.status_code == 200


async def test_an_unsubscribe_token_cannot_object_or_touch_another_list(http_client, subscriber):
    contact_id, list_id = subscriber
    objection = TokenCodec(get_settings().secret_keys).seal(LinkToken(TokenAction.OBJECT, contact_id, 1, 7))
    async with http_client() as client:
        await client.post(f"/u/{objection}", data=ONE_CLICK)
        await client.post(f"/u/{token_for(contact_id, list_id + 1)}", data=ONE_CLICK)
    assert await status_of(contact_id) == "subscribed"


# Issue 3, done when: a one-click POST to one recipient's List-Unsubscribe URL removes them from the next campaign.
async def test_req3_one_click_removes_the_person_from_the_next_campaign(http_client, subscriber):
    from tests.sending.smtp_server import Recorder

    recorder = Recorder()
    contact_id, list_id = subscriber
    async with http_client() as client:
        await client.post(f"/u/{token_for(contact_id, list_id)}", data=ONE_CLICK)
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="Next", actor="test", missing_language="other")
    await send_campaign(campaign.id, SendOptions(concurrency=1), transport=recorder)
    assert recorder.sent == ["hugo@presse.example"]


# REQ-29: a mail client's malformed body still unsubscribes; the token decides.
@pytest.mark.parametrize(("content_type", "body"), [
    ("multipart/form-data", b"List-Unsubscribe=One-Click"),  # no boundary
    ("application/x-www-form-urlencoded", b"\xff\xfe garbage"),
    ("text/plain", b""),
])
async def test_req29_malformed_bodies_still_unsubscribe(http_client, subscriber, content_type, body):
    contact_id, list_id = subscriber
    async with http_client() as client:
        response = await client.post(f"/u/{token_for(contact_id, list_id)}", content=body,
                                     headers={"Content-Type": content_type})
    assert response.status_code == 200
    assert await status_of(contact_id) == "unsubscribed"


# REQ-29, REQ-42: a burst of one-click POSTs is written in groups; each person, even one who clicks twice
# within the same group, ends up unsubscribed once, with one event and one do-not-contact entry.
async def test_req29_a_burst_of_one_clicks_is_written_once_per_person(http_client, tmp_path):
    import asyncio

    addresses = [f"reader{i}@presse.example" for i in range(40)]
    path = tmp_path / "burst.csv"
    path.write_text("email\n" + "\n".join(addresses) + "\n")
    await run_import(ImportOptions(path=path, list_slug="journalists", source_type=SourceType.GIVEN, source_name="t",
                                   actor="test"))
    rows = await Subscription.select(Subscription.contact, Subscription.mailing_list)
    paths = [f"/u/{token_for(row['contact'], row['mailing_list'])}" for row in rows] * 2  # everybody clicks twice
    async with http_client() as client:
        answers = await asyncio.gather(*(client.post(path, data=ONE_CLICK) for path in paths))
    assert {answer.status_code for answer in answers} == {200}
    assert set(await Subscription.select(Subscription.status).output(as_list=True)) == {"unsubscribed"}
    assert await ConsentEvent.count().where(ConsentEvent.action == "unsubscribed") == len(addresses)
    assert await ConsentEvent.count().where(ConsentEvent.action == "suppressed") == len(addresses)
    for address in addresses[:5]:
        assert [(e.scope, e.reason) for e in await suppression.entries_for(address)] == [
            ("list:journalists", "unsubscribe")]
