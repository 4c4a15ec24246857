"""Public signup with double opt-in: REQ-2, REQ-12, REQ-25, REQ-33, REQ-40, REQ-43."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from contacts.domain import Channel, SuppressionReason
from contacts.services.people import suppression
from contacts.tables import ConsentEvent, Contact, PendingConsent, Subscription
from contacts.tokens import TokenAction
from tests.web.conftest import contact_id, seal

pytestmark = pytest.mark.usefixtures("database_url")
FORM = {"first_name": "Léa", "last_name": "Martin", "language": "fr", "lists": ["public-newsletter"]}


async def subscription_of(address: str) -> dict | None:
    return await Subscription.select().where(Subscription.contact.email_canonical == address).first()


# REQ-2, REQ-12: one unticked box per purpose, and the notice version the form is tied to.
async def test_req2_the_form_has_unticked_boxes_and_the_notice(http_client):
    async with http_client() as client:
        page = await client.get("/subscribe/public-newsletter", headers={"Accept-Language": "fr-FR"})
    assert page.status_code == 200 and 'lang="fr"' in page.text
    assert 'type="checkbox" id="list-public-newsletter" name="lists" value="public-newsletter">' in page.text
    assert "checked" not in page.text
    assert "version 2026-11" in page.text and 'name="notice_version" value="2026-11"' in page.text


# REQ-2, REQ-12, REQ-13: nothing is recorded before the confirmation; then the consent has its proof, and the
# contact its source and notice version.
async def test_req2_signup_then_confirmation_records_the_consent_proof(http_client, mailbox):
    async with http_client() as client:
        answer = await client.post("/subscribe/public-newsletter", data={**FORM, "email": "Lea.Martin@Example.org"})
        assert answer.status_code == 200 and "Vérifiez votre boîte" in answer.text
        assert await Contact.count() == 0 and await Subscription.count() == 0
        message = mailbox.messages_to("Lea.Martin@example.org")[-1]
        assert message["Subject"] == "Confirmez votre inscription" and "List-Unsubscribe" not in message
        link = mailbox.link("Lea.Martin@example.org", "/confirm/")
        page = await client.get(link)
        assert "Newsletter" in page.text or "Lettre" in page.text
        assert await Subscription.count() == 0
        await client.post(link)
    contact = await Contact.select().first()
    assert (contact["email"], contact["first_name"], contact["source_type"], contact["notice_version"]) == (
        "Lea.Martin@example.org", "Léa", "given", "2026-11")
    assert contact["address_kind"] == "private" and contact["last_initiated_contact_at"] is not None
    subscription = await Subscription.select().first()
    assert (subscription["status"], subscription["legal_basis"]) == ("subscribed", "consent")
    evidence = subscription["evidence"] if isinstance(subscription["evidence"], dict) else __import__("json").loads(
        subscription["evidence"])
    assert evidence["notice_version"] == "2026-11" and evidence["double_opt_in"] is True
    assert evidence["form"] == "/subscribe/public-newsletter" and evidence["channel"] == "web_form"
    assert "J’accepte de recevoir" in evidence["wording"]
    assert evidence["consent_at"] < evidence["confirmed_at"]
    assert await ConsentEvent.count().where(ConsentEvent.action == "confirmed") == 1


# REQ-25: a new address, a subscribed one and one staff suppressed all get the same answer; only the
# mail sent after it differs.
async def test_req25_every_address_gets_the_same_answer(http_client, mailbox):
    async with http_client() as client:
        await client.post("/subscribe/public-newsletter", data={**FORM, "email": "known@example.org"})
        await client.post(mailbox.link("known@example.org", "/confirm/"))
        await suppression.suppress("blocked@example.org", SuppressionReason.MANUAL, actor="staff", channel=Channel.CLI)
        await PendingConsent.update({PendingConsent.requested_at: datetime.now(timezone.utc) - timedelta(hours=1)}
                                    ).where(PendingConsent.id > 0)
        answers = [await client.post("/subscribe/public-newsletter", data={**FORM, "email": address})
                   for address in ("new@example.org", "known@example.org", "blocked@example.org")]
    assert {answer.status_code for answer in answers} == {200}
    assert answers[0].text == answers[1].text == answers[2].text
    assert len(mailbox.messages_to("new@example.org")) == 1
    assert len(mailbox.messages_to("known@example.org")) == 1  # only the first confirmation
    assert mailbox.messages_to("blocked@example.org") == []


# REQ-25: the answer goes before the request is acted on, so a new address, whose pending request is written,
# is answered in the time of a known one; the work still happens, after it.
async def test_req25_a_signup_is_answered_before_the_address_is_looked_up(mailbox):
    import httpx

    from contacts.app import create_app

    app, pending_when_answered = create_app(), []

    async def watching_the_answer(scope, receive, send):
        async def sending(message):
            if message["type"] == "http.response.body" and not message.get("more_body"):
                pending_when_answered.append(await PendingConsent.count())
            await send(message)

        await app(scope, receive, sending if scope["type"] == "http" else send)

    async with app.lifespan():
        transport = httpx.ASGITransport(app=watching_the_answer)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
            answer = await client.post("/subscribe/public-newsletter", data={**FORM, "email": "new@example.org"})
    assert answer.status_code == 200 and "Vérifiez votre boîte" in answer.text
    assert pending_when_answered == [0]
    assert await PendingConsent.count() == 1 and len(mailbox.messages_to("new@example.org")) == 1


async def test_asking_twice_in_a_row_sends_one_mail(http_client, mailbox):
    async with http_client() as client:
        for _ in range(3):
            await client.post("/subscribe/public-newsletter", data={**FORM, "email": "twice@example.org"})
    assert len(mailbox.messages_to("twice@example.org")) == 1


# REQ-33: a link that widens processing expires.
async def test_req33_the_confirmation_link_expires(http_client, mailbox):
    async with http_client() as client:
        await client.post("/subscribe/public-newsletter", data={**FORM, "email": "late@example.org"})
        link = mailbox.link("late@example.org", "/confirm/")
        await PendingConsent.update({PendingConsent.expires_at: datetime.now(timezone.utc) - timedelta(seconds=1)}
                                    ).where(PendingConsent.id > 0)
        page = await client.get(link)
        answer = await client.post(link)
    assert "plus valable" in page.text and answer.status_code == 200
    assert await Subscription.count() == 0


# REQ-43: a confirmed signup is the fresh affirmative action that lifts the person's earlier opt-out.
async def test_req43_signing_up_again_lifts_an_earlier_unsubscribe(http_client, mailbox):
    async with http_client() as client:
        await client.post("/subscribe/public-newsletter", data={**FORM, "email": "back@example.org"})
        await client.post(mailbox.link("back@example.org", "/confirm/"))
        contact, list_id = await contact_id("back@example.org"), (await subscription_of("back@example.org"))["mailing_list"]
        await client.post(f"/u/{seal(TokenAction.UNSUBSCRIBE, contact, list_id)}", data={"List-Unsubscribe": "One-Click"})
        assert [e.scope for e in await suppression.entries_for("back@example.org")] == ["list:public-newsletter"]
        await PendingConsent.update({PendingConsent.requested_at: datetime.now(timezone.utc) - timedelta(hours=1)}
                                    ).where(PendingConsent.id > 0)
        await client.post("/subscribe/public-newsletter", data={**FORM, "email": "back@example.org"})
        await client.post(mailbox.link("back@example.org", "/confirm/"))
    assert (await subscription_of("back@example.org"))["status"] == "subscribed"
    assert await suppression.entries_for("back@example.org") == []


# REQ-40: bad input is named; the form is shown again with what was typed, and nothing is written.
@pytest.mark.parametrize(("form", "field"), [
    ({**FORM, "email": "not an address"}, "email"),
    ({**FORM, "email": "x" * 65 + "@example.org"}, "email"),
    ({**FORM, "email": "ok@example.org", "lists": []}, "purposes"),
])
async def test_req40_bad_input_names_the_field(http_client, mailbox, form, field):
    async with http_client() as client:
        page = await client.post("/subscribe/public-newsletter?lang=en", data=form)
    assert page.status_code == 400 and 'role="alert"' in page.text and f'href="#{field}"' in page.text
    assert await PendingConsent.count() == 0 and mailbox.server.handler.received == []


async def test_only_consent_lists_have_a_public_signup(http_client):
    async with http_client() as client:
        for slug in ("journalists", "no-such-list"):
            assert (await client.get(f"/subscribe/{slug}")).status_code == 404


# REQ-10, REQ-43: an archived record takes part in nothing, until the person's own confirmed consent starts a
# new relationship with it.
async def test_req10_a_confirmed_signup_brings_an_archived_contact_back(http_client, mailbox, tmp_path):
    from tests.web.conftest import import_to

    await import_to(tmp_path, "press-releases", "lea@example.org")
    lea = await contact_id("lea@example.org")
    await Contact.update({Contact.status: "archived"}).where(Contact.id == lea)
    async with http_client() as client:
        await client.post("/subscribe/public-newsletter", data={**FORM, "email": "lea@example.org"})
        await client.post(mailbox.link("lea@example.org", "/confirm/"))
    row = await Contact.select(Contact.status, Contact.last_initiated_contact_at).where(Contact.id == lea).first()
    assert row["status"] == "active" and row["last_initiated_contact_at"] is not None
    assert (await subscription_of("lea@example.org"))["status"] == "subscribed"
