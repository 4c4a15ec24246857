"""A guest list's reminders: to the invited guests who have not answered, and a practical one to those who
accepted, each a campaign whose audience is drawn from the guest list when it starts and checked by the
campaign audience rules (REQ-21, REQ-42); nobody gets the same reminder twice."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime

import pytest

from contacts.db.engine import write_transaction
from contacts.domain import Channel
from contacts.event_tables import Event, InvitationList, InvitationStep
from contacts.sending import worker
from contacts.services.invitations.history import histories as history_of
from contacts.services.people import suppression
from contacts.services.staff import accounts
from contacts.settings import get_settings
from contacts.tables import Contact, Delivery
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list, received
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
GUESTS = ["ana@monde.example,Ana,A,fr", "bob@monde.example,Bob,B,en", "cy@figaro.example,Cy,C,fr",
          "dee@monde.example,Dee,D,fr", "eve@monde.example,Eve,E,fr", "fay@monde.example,Fay,F,fr"]


async def send(client, events, campaign_id: int) -> None:
    assert (await client.post(f"/api/campaigns/{campaign_id}/send", headers=events)).status_code == 202
    await worker.drain_running(worker.SendOptions(concurrency=2, wait_for_retries=False))


def rsvp_links(message) -> list[str]:
    return re.findall(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]+)", message.get_body(("plain",)).get_content())


async def invited(client, events, server) -> int:
    """Six journalists invited; Ana accepts, Bob declines; the others have not answered."""
    await import_list(server.tmp_path, "journalists", GUESTS)
    guest_list = (await client.post("/api/invitation-lists", json={"name": "Vernissage", "lists": ["journalists"]},
                                    headers=events)).json()
    early = await client.post(f"/api/invitation-lists/{guest_list['id']}/reminders",
                              json={"kind": "no_answer", "subject": "Trop tôt"}, headers=events)
    assert early.status_code == 409  # nobody is invited yet
    campaign = (await client.post(f"/api/invitation-lists/{guest_list['id']}/campaign",
                                  json={"subject": "Vernissage", "body": "Le 12 décembre."}, headers=events)).json()
    await send(client, events, campaign["id"])
    mail = received(server)
    await client.post(rsvp_links(mail["ana@monde.example"])[0])
    await client.post(rsvp_links(mail["bob@monde.example"])[1])
    server.handler.received.clear()
    return guest_list["id"]


# REQ-21, REQ-42: the reminder to those who have not answered goes to them only, minus whoever objected to
# invitations, was suppressed or restricted since; sent again (resumed), it sends nobody a second message.
async def test_req21_req42_a_reminder_reaches_only_guests_without_an_answer_under_the_audience_rules(
        http_client, tmp_path, monkeypatch):
    events = await token_for("eva", "events")
    with TestSmtpServer() as server:
        server.tmp_path = tmp_path
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            list_id = await invited(client, events, server)
            await suppression.suppress("cy@figaro.example", "objection", scope="purpose:pr-invitations", actor="test",
                                       channel=Channel.OBJECTION_PAGE)
            await suppression.suppress("dee@monde.example", "manual", actor="test", channel=Channel.CLI)
            async with write_transaction():
                await Contact.update({Contact.status: "restricted"}).where(Contact.email == "eve@monde.example")
            bad = await client.post(f"/api/invitation-lists/{list_id}/reminders",
                                    json={"kind": "everybody", "subject": "x"}, headers=events)
            assert bad.status_code == 400 and bad.json()["error"]["field"] == "kind"
            reminder = await client.post(f"/api/invitation-lists/{list_id}/reminders", json={
                "kind": "no_answer", "subject": "Vous êtes attendus", "body": "Il reste des places."}, headers=events)
            assert reminder.status_code == 201, reminder.text
            campaign_id = reminder.json()["id"]
            audience = (await client.get(f"/api/campaigns/{campaign_id}/audience", headers=events)).json()
            assert audience["receiving"] == 1, audience
            await send(client, events, campaign_id)
            mail = received(server)
            assert sorted(mail) == ["fay@monde.example"]
            assert len(rsvp_links(mail["fay@monde.example"])) == 2  # she can answer from the reminder
            skipped = {row["contact"]: row["skip_reason"] for row in await Delivery.select(
                Delivery.contact.email.as_alias("contact"), Delivery.skip_reason).where(
                Delivery.campaign == campaign_id, Delivery.status == "skipped")}
            assert skipped == {"cy@figaro.example": "suppressed", "dee@monde.example": "suppressed",
                               "eve@monde.example": "restricted"}
            # Started again: the same reminder goes to nobody twice.
            await worker.send_campaign(campaign_id, worker.SendOptions(concurrency=1), settings=settings)
            assert len(server.handler.received) == 1
            listed = (await client.get(f"/api/invitation-lists/{list_id}/reminders", headers=events)).json()
            assert [(r["kind"], r["sent"], r["status"]) for r in listed] == [("no_answer", 1, "finished")]
            # Fay's history says she was reminded, once, read from the ledger: listing writes nothing.
            assert await InvitationStep.count().where(InvitationStep.step == "reminded") == 0
            events_staff = await accounts.staff_for_token(events["Authorization"].removeprefix("Bearer "))
            fay = (await Contact.select(Contact.id).where(Contact.email == "fay@monde.example").first())["id"]
            history = (await history_of(events_staff, list_id))[fay]
            assert [step.step for step in history].count("reminded") == 1


# The practical reminder goes to those who accepted, and names the event's time and place.
async def test_a_practical_reminder_goes_to_those_who_accepted_with_time_and_place(http_client, tmp_path,
                                                                                   monkeypatch):
    events = await token_for("eva", "events")
    with TestSmtpServer() as server:
        server.tmp_path = tmp_path
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            list_id = await invited(client, events, server)
            async with write_transaction():
                rows = await Event.insert(Event(
                    title_fr="Vernissage", starts_at=datetime(2026, 12, 12, 17, 30, tzinfo=UTC),
                    ends_at=datetime(2026, 12, 12, 20, 0, tzinfo=UTC), place_name="Musée du Luxembourg",
                    place_address="19 rue de Vaugirard, 75006 Paris", calendar_uid="test-1", created_by="test",
                )).returning(Event.id)
                await InvitationList.update({InvitationList.event: rows[0]["id"]}).where(InvitationList.id == list_id)
            reminder = await client.post(f"/api/invitation-lists/{list_id}/reminders", json={
                "kind": "accepted", "subject": "À demain", "body": "Nous vous attendons demain."}, headers=events)
            assert reminder.status_code == 201, reminder.text
            await send(client, events, reminder.json()["id"])
            mail = received(server)
    assert sorted(mail) == ["ana@monde.example"]
    text = mail["ana@monde.example"].get_body(("plain",)).get_content()
    assert "Nous vous attendons demain." in text
    assert "12 décembre 2026 à 18:30" in text and "Musée du Luxembourg, 19 rue de Vaugirard, 75006 Paris" in text


# The staff page keeps the invitation campaign in view and offers the reminders, in French.
async def test_the_guest_list_page_offers_reminders_once_invitations_are_out(http_client, tmp_path, monkeypatch):
    events = await token_for("ed", "events")
    with TestSmtpServer() as server:
        server.tmp_path = tmp_path
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            list_id = await invited(client, events, server)
            csrf = await signed_in(client, "eva", "events", language="fr")
            page = await client.get(f"/staff/invitations/{list_id}")
            assert page.status_code == 200 and f'action="/staff/invitations/{list_id}/reminders"' in page.text
            # Each guest's history starts with the invitation sent, read from the ledger, then their answer.
            assert page.text.count("invité·e le ") == len(GUESTS), page.text
            assert "invité·e le " in page.text.split("<td>Ana A</td>")[1].split("</tr>")[0]
            assert "accepté à " in page.text.split("<td>Ana A</td>")[1].split("</tr>")[0]
            assert_reads_in_french(page.text, "guest list")
            created = await client.post(f"/staff/invitations/{list_id}/reminders", data={
                "_csrf_token": csrf, "kind": "no_answer", "subject": "Relance", "body": "Répondez-nous."})
            assert created.status_code == 303 and created.headers["location"].startswith("/staff/campaigns/")
            refused = await client.post(f"/staff/invitations/{list_id}/reminders", data={
                "_csrf_token": csrf, "kind": "no_answer", "subject": ""})
            assert refused.status_code == 400 and 'role="alert"' in refused.text
            again = await client.get(f"/staff/invitations/{list_id}")
            assert "Relance" in again.text and "invités sans réponse" in again.text
            assert_reads_in_french(again.text, "guest list with a reminder")
