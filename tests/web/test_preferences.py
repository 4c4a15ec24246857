"""The preference centre at /p/{token}: REQ-3, REQ-14, REQ-15, REQ-22, REQ-25, REQ-42, REQ-43."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest

from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.people import suppression
from contacts.tables import (
    ConsentEvent,
    Contact,
    MailingList,
    PendingConsent,
    RightsRequest,
    Subscription,
)
from contacts.tokens import TokenAction
from tests.sending.smtp_server import Recorder
from tests.web.conftest import contact_id, import_to, same_page, seal, statuses

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "zoe@presse.example"


@pytest.fixture
async def zoe(tmp_path):
    await import_to(tmp_path, "journalists", ADDRESS)
    await import_to(tmp_path, "teachers", ADDRESS)
    return await contact_id(ADDRESS)


LISTS_FORM = {"form": "lists", "shown": ["journalists", "teachers"], "language": "fr"}


async def test_the_centre_shows_every_list_with_its_purpose_and_basis_in_plain_words(http_client, zoe):
    async with http_client() as client:
        page = await client.get(f"/p/{seal(TokenAction.PREFERENCES, zoe)}?lang=en")
    assert page.status_code == 200 and 'lang="en"' in page.text
    assert "Journalists" in page.text and "Teachers" in page.text
    assert "Purpose: Communications newsletter." in page.text and "Basis: our legitimate interest." in page.text
    assert page.text.count('name="keep"') == 2 and page.text.count("checked") >= 2
    assert "<script" not in page.text  # works without JavaScript


# REQ-3, REQ-22, REQ-42: unticking a list turns it off at once, recorded with its channel.
async def test_req22_unticking_a_list_turns_it_off(http_client, zoe):
    async with http_client() as client:
        page = await client.post(f"/p/{seal(TokenAction.PREFERENCES, zoe)}", data={**LISTS_FORM, "keep": ["teachers"]})
    assert page.status_code == 200 and "préférences sont enregistrées" in page.text
    assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "subscribed"}
    event = await ConsentEvent.select().where(ConsentEvent.action == "unsubscribed").first()
    assert event["channel"] == "preference_centre"
    assert [(e.scope, e.reason) for e in await suppression.entries_for(ADDRESS)] == [("list:journalists", "unsubscribe")]


# REQ-43: turning a list back on goes through double opt-in; only the confirmation lifts the opt-out.
async def test_req43_turning_a_list_back_on_needs_double_opt_in(http_client, zoe, mailbox):
    token = seal(TokenAction.PREFERENCES, zoe)
    async with http_client() as client:
        await client.post(f"/p/{token}", data={**LISTS_FORM, "keep": ["teachers"]})
        asked = await client.post(f"/p/{token}", data={**LISTS_FORM, "keep": ["teachers", "journalists"]})
        assert "confirmez par le lien" in asked.text
        assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "subscribed"}
        link = mailbox.link(ADDRESS, "/confirm/")
        opened = await client.get(link)  # a mail scanner opening it changes nothing (REQ-30)
        assert "Journalistes" in opened.text or "Journalists" in opened.text
        assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "subscribed"}
        confirmed = await client.post(link)
        again = await client.post(link)
    assert "Inscription confirmée" in confirmed.text and "plus valable" in again.text
    assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}
    row = await Subscription.select(Subscription.legal_basis, Subscription.evidence).where(
        Subscription.contact == zoe, Subscription.mailing_list.slug == "journalists").first()
    assert row["legal_basis"] == "consent"
    assert await suppression.entries_for(ADDRESS) == []
    assert await ConsentEvent.count().where(ConsentEvent.action == "suppression_lifted") == 1
    # The lifted entry no longer stops mail: the next campaign to the list reaches the person again.
    recorder = Recorder()
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="Next", actor="test", missing_language="other")
    await send_campaign(campaign.id, SendOptions(concurrency=1), transport=recorder)
    assert recorder.sent == [ADDRESS]


async def test_unsubscribe_from_everything(http_client, zoe):
    async with http_client() as client:
        page = await client.post(f"/p/{seal(TokenAction.PREFERENCES, zoe)}", data={"form": "everything"})
    assert "désinscrit·e de tout" in page.text
    assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "unsubscribed"}
    assert {e.scope for e in await suppression.entries_for(ADDRESS)} == {"global", "list:journalists", "list:teachers"}


async def test_the_language_of_messages_can_be_chosen(http_client, zoe):
    async with http_client() as client:
        await client.post(f"/p/{seal(TokenAction.PREFERENCES, zoe)}",
                          data={**LISTS_FORM, "keep": ["journalists", "teachers"], "language": "en"})
    assert (await Contact.select(Contact.language).where(Contact.id == zoe).first())["language"] == "en"
    assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}


# REQ-14, REQ-15: a rights request from the centre is recorded with its due date; the link mailed to the
# address is the known channel that verifies the identity; an acknowledgement says when it is due.
async def test_req14_a_rights_request_from_the_centre(http_client, zoe, mailbox):
    async with http_client() as client:
        page = await client.post(f"/p/{seal(TokenAction.PREFERENCES, zoe)}",
                                 data={"form": "rights", "request_type": "rectification", "details": "Nouvelle fonction"})
    assert "demande est enregistrée" in page.text
    request = await RightsRequest.select().first()
    assert (request["contact"], request["request_type"], request["channel"]) == (zoe, "rectification", "preference_centre")
    assert request["identity_verified"] and "link mailed" in request["identity_method"]
    assert isinstance(request["due_on"], date) and request["due_on"] > request["received_at"].date()
    acknowledgement = mailbox.messages_to(ADDRESS)[-1]
    assert acknowledgement["Subject"] == "Nous avons reçu votre demande"
    assert "List-Unsubscribe" not in acknowledgement
    assert str(request["due_on"].year) in acknowledgement.get_body(("plain",)).get_content()


# REQ-25: a forged token opens the centre a genuine one opens when there is nothing to show, and every
# form posted through it changes nothing.
async def test_req25_a_forged_token_gets_the_empty_centre_and_changes_nothing(http_client, zoe, tmp_path):
    await Contact.update({Contact.email: None, Contact.status: "erased"}).where(Contact.id == zoe)
    erased = seal(TokenAction.PREFERENCES, zoe)
    async with http_client() as client:
        genuine = await client.get(f"/p/{erased}")
        forged = await client.get("/p/AVnESEjuLVUAKA5FmodveFJ0qkEH6rZxfBuy8oJi8wxgYfIVeddO")
        for form in ({"form": "everything"}, {"form": "rights", "request_type": "erasure"},
                     {**LISTS_FORM, "keep": []}):
            answer = await client.post("/p/forged", data=form)
            assert answer.status_code == 200
    assert genuine.status_code == forged.status_code == 200 and same_page(genuine.text, forged.text)
    assert await RightsRequest.count() == 0 and await PendingConsent.count() == 0
    assert await ConsentEvent.count().where(ConsentEvent.action == "unsubscribed") == 0


def describers(page: str, slug: str) -> list[str]:
    """The texts a screen reader reads for a list's checkbox: its aria-describedby targets, which must exist."""
    box = re.search(rf'<input type="checkbox" id="list-{slug}"[^>]*aria-describedby="([^"]+)"', page)
    texts = []
    for target in box.group(1).split():
        found = re.search(rf'<p class="[^"]+" id="{target}">(.*?)</p>', page, re.S)
        assert found, target
        texts.append(html.unescape(re.sub(r"<[^>]+>", "", found.group(1))))
    return texts


# REQ-21, REQ-43: a list that is off says why: unsubscribed, objected (and then ticking it again cannot lift
# the objection: only the confirmation, a fresh consent, can) or waiting for confirmation. Without JavaScript,
# with each reason tied to its box for screen readers.
async def test_req43_the_centre_says_why_a_list_is_off(http_client, zoe, mailbox):
    token = seal(TokenAction.PREFERENCES, zoe)
    objection = seal(TokenAction.OBJECT, zoe, (await Subscription.select(
        Subscription.mailing_list.purpose.as_alias("purpose")).where(
        Subscription.contact == zoe, Subscription.mailing_list.slug == "teachers").first())["purpose"])
    async with http_client() as client:
        on = await client.get(f"/p/{token}?lang=fr")
        await client.post(f"/p/{token}", data={**LISTS_FORM, "keep": ["teachers"]})
        await client.post(f"/o/{objection}", data={"scope": "purpose"})
        french = await client.get(f"/p/{token}?lang=fr")
        english = await client.get(f"/p/{token}?lang=en")
        asked = await client.post(f"/p/{token}?lang=fr", data={**LISTS_FORM, "keep": ["journalists", "teachers"]})
        asked_en = await client.get(f"/p/{token}?lang=en")
    assert "Désactivée" not in on.text and len(describers(on.text, "journalists")) == 1
    assert 'class="state"' not in on.text
    unsubscribed = describers(french.text, "journalists")
    assert unsubscribed[0].startswith("Désactivée. Vous vous êtes désinscrit·e de cette liste.")
    objected = describers(french.text, "teachers")[0]
    assert objected.startswith("Désactivée\u202f: opposition.") and "ne lève pas votre opposition" in objected
    assert "nouveau consentement" in objected
    assert describers(english.text, "teachers")[0].startswith("Off: objection. You objected to these messages.")
    assert "fresh consent" in describers(english.text, "teachers")[0]
    assert "You unsubscribed from this list." in describers(english.text, "journalists")[0]
    # Ticking both again: a confirmation mail, and until it is confirmed the objection holds, and says so.
    assert await statuses(zoe) == {"journalists": "unsubscribed", "teachers": "objected"}
    assert len(mailbox.messages_to(ADDRESS)) == 1
    assert describers(asked.text, "journalists")[0].startswith("En attente de confirmation.")
    assert "Votre opposition reste en vigueur" in describers(asked.text, "teachers")[0]
    assert describers(asked_en.text, "journalists")[0].startswith("Waiting for confirmation.")
    assert "<script" not in asked.text
    assert {e.scope for e in await suppression.entries_for(ADDRESS)} >= {"purpose:mediation-newsletter"}
    async with http_client() as client:
        link = mailbox.link(ADDRESS, "/confirm/")
        confirm_page = await client.get(f"{link}?lang=fr")
        await client.post(link)
        after = await client.get(f"/p/{token}?lang=fr")
    assert "elle lève une désinscription ou une opposition" in confirm_page.text
    assert await statuses(zoe) == {"journalists": "subscribed", "teachers": "subscribed"}
    assert await suppression.entries_for(ADDRESS) == []
    assert 'class="state"' not in after.text


# A subscription still waiting for its double-opt-in confirmation (imported so) says so too.
async def test_a_subscription_awaiting_confirmation_says_so(http_client, zoe):
    journalists = (await MailingList.select(MailingList.id).where(MailingList.slug == "journalists").first())["id"]
    await Subscription.update({Subscription.status: "pending"}).where(
        Subscription.contact == zoe, Subscription.mailing_list == journalists)
    async with http_client() as client:
        page = await client.get(f"/p/{seal(TokenAction.PREFERENCES, zoe)}?lang=en")
    assert describers(page.text, "journalists")[0].startswith("Waiting for confirmation.")


# REQ-9, REQ-30: a form the person sends restarts a prospect's retention clock; opening the page does not
# (mail scanners open every link, and an open never counts).
async def test_req9_saving_the_centre_counts_as_contact_the_person_initiated_but_opening_it_does_not(http_client, zoe):
    token = seal(TokenAction.PREFERENCES, zoe)

    async def last_initiated():
        row = await Contact.select(Contact.last_initiated_contact_at).where(Contact.id == zoe).first()
        return row["last_initiated_contact_at"]

    async with http_client() as client:
        await client.get(f"/p/{token}")
        assert await last_initiated() is None
        await client.post(f"/p/{token}", data={**LISTS_FORM, "keep": ["journalists", "teachers"]})
    assert await last_initiated() is not None
