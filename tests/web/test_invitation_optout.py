"""REQ-52: the unsubscribe and objection links of an invitation stop invitations and nothing else. The links
are those every invitation has carried (the list the guest was drawn from, the campaign), so the links of
invitations sent before the rule do the right thing too."""

from __future__ import annotations

import dataclasses
import re

import pytest

from contacts.sending import worker
from contacts.services.optout import links as optout
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import Contact, Subscription
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, new_campaign, received
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_api_campaigns import token_for

pytestmark = pytest.mark.usefixtures("database_url")
JOURNALISTS = ["zoe@presse.example,Zoé,Z,fr", "hugo@presse.example,Hugo,H,fr", "lea@presse.example,Léa,L,fr",
               "max@presse.example,Max,M,en"]
SENTENCE_FR = "Vous ne recevrez plus d’invitations du musée ; vos autres abonnements ne changent pas."


async def subscriptions_of(email: str) -> dict[str, str]:
    rows = await Subscription.select(Subscription.mailing_list.slug.as_alias("slug"), Subscription.status).where(
        Subscription.contact.email == email)
    return {row["slug"]: row["status"] for row in rows}


async def sent_invitations(client, events, settings) -> dict:
    """Journalists on the press releases (a contract) and the journalists' list, invited from the press releases."""
    guest_list = (await client.post("/api/invitation-lists", json={
        "name": "Vernissage", "lists": ["press-releases"]}, headers=events)).json()
    campaign = (await client.post(f"/api/invitation-lists/{guest_list['id']}/campaign",
                                  json={"subject": "Vernissage", "body": "Le 12 décembre."}, headers=events)).json()
    assert (await client.post(f"/api/campaigns/{campaign['id']}/send", headers=events)).status_code == 202
    await worker.drain_running(worker.SendOptions(concurrency=2, wait_for_retries=False))
    return guest_list


def plain(text: str) -> str:
    """French typography's narrow no-break spaces read as spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


def local(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


async def test_req52_an_opt_out_through_an_invitation_keeps_the_press_subscription(http_client, tmp_path,
                                                                                   monkeypatch):
    await import_list(tmp_path, "press-releases", JOURNALISTS)
    await import_list(tmp_path, "journalists", JOURNALISTS)
    events = await token_for("eva", "events")
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            await sent_invitations(client, events, settings)
            mail = received(server)
            assert sorted(mail) == ["hugo@presse.example", "lea@presse.example", "max@presse.example",
                                    "zoe@presse.example"]
            text = mail["zoe@presse.example"].get_body(("plain",)).get_content()
            html = mail["zoe@presse.example"].get_body(("html",)).get_content()
            assert SENTENCE_FR in plain(text) and SENTENCE_FR in plain(html)
            # Zoé: her mail client's one-click POST to the List-Unsubscribe address (RFC 8058).
            one_click = local(re.search(r"<(https?://[^>]+)>", mail["zoe@presse.example"]["List-Unsubscribe"])[1])
            page = await client.get(one_click)
            assert SENTENCE_FR in plain(page.text)
            assert_reads_in_french(page.text, one_click)
            assert (await client.post(one_click, data={"List-Unsubscribe": "One-Click"})).status_code == 200
            # Hugo: the footer's link, its page, and its button.
            hugo = mail["hugo@presse.example"].get_body(("plain",)).get_content()
            link = local(re.search(r"(https?://\S+/u/\S+)", hugo)[1])
            done = await client.post(link, data={"confirm": "1"})
            assert SENTENCE_FR in plain(done.text)
            assert_reads_in_french(done.text, link)
            # Léa: the objection link, to the purpose it names.
            lea = mail["lea@presse.example"].get_body(("plain",)).get_content()
            objection = local(re.search(r"(https?://\S+/o/\S+)", lea)[1])
            assert SENTENCE_FR in plain((await client.get(objection)).text)
            objected = await client.post(objection, data={"scope": "purpose"})
            assert SENTENCE_FR in plain(objected.text)
            assert_reads_in_french(objected.text, objection)

            # Max: his mail client's mailto unsubscribe (List-Unsubscribe's second address).
            mailto = re.search(r"<mailto:unsubscribe\+([a-z0-9]+)@", mail["max@presse.example"]["List-Unsubscribe"])[1]
            assert await optout.unsubscribe_by_mail(mailto) is True

            for email in ("zoe@presse.example", "hugo@presse.example", "lea@presse.example", "max@presse.example"):
                assert await subscriptions_of(email) == {"press-releases": "subscribed", "journalists": "subscribed"}
                scopes = {entry.scope for entry in await suppression.entries_for(email)}
                assert scopes == {"purpose:pr-invitations"}, (email, scopes)
            # The next invitation reaches none of them; the press releases and the letter reach all three.
            again = (await client.post("/api/invitation-lists", json={
                "name": "Dîner", "lists": ["press-releases", "journalists"]}, headers=events)).json()
            assert again["by_status"] == {} and again["excluded"] == {"suppressed": 4}
            server.handler.received.clear()
            for slug, template in (("press-releases", "newsletter-communications"),
                                   ("journalists", "newsletter-communications")):
                campaign = await new_campaign(slug, template=template)
                await worker.send_campaign(campaign.id, worker.SendOptions(concurrency=1), settings=settings)
            assert len(server.handler.received) == 8
    assert await Contact.count() == 4


# REQ-52: an opt-out through a newsletter still stops that list, as before.
async def test_req52_an_opt_out_through_a_newsletter_still_leaves_its_list(http_client, tmp_path):
    await import_list(tmp_path, "press-releases", JOURNALISTS[:1])
    await import_list(tmp_path, "journalists", JOURNALISTS[:1])
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        campaign = await new_campaign("journalists")
        await worker.send_campaign(campaign.id, worker.SendOptions(concurrency=1), settings=settings)
        message = received(server)["zoe@presse.example"]
        assert SENTENCE_FR not in plain(message.get_body(("plain",)).get_content())
        async with http_client(settings) as client:
            one_click = local(re.search(r"<(https?://[^>]+)>", message["List-Unsubscribe"])[1])
            assert SENTENCE_FR not in plain((await client.get(one_click)).text)
            await client.post(one_click, data={"List-Unsubscribe": "One-Click"})
    assert await subscriptions_of("zoe@presse.example") == {"press-releases": "subscribed",
                                                             "journalists": "unsubscribed"}
