"""The event pages: the guest's RSVP page (/r/TOKEN), the staff's events pages, and /api/events."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest

from contacts.event_tables import Invitation, InvitationList
from contacts.sending import worker
from contacts.services.campaigns import campaign_operations
from contacts.services.invitations import events, guest_lists
from contacts.settings import get_settings
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_api_campaigns import token_for
from tests.web.test_events import SOON, event_with_guests, rsvp, status_of
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")


# REQ-30: a GET of the RSVP page changes nothing (mail scanners); it names the event, its date and its place
# in the guest's language, and its buttons say what they do. The POST records the answer, which may change.
async def test_req30_the_rsvp_page_names_the_event_and_records_answers_on_post_only(http_client, tmp_path,
                                                                                    mailbox):
    staff, view, list_id = await event_with_guests(tmp_path, 2, capacity=2)  # a guest and their companion
    french, english = f"/r/{await rsvp(list_id, 0)}", f"/r/{await rsvp(list_id, 1, accept=False)}"
    async with http_client() as client:
        page = (await client.get(french)).text
        assert await status_of(list_id, 0) == "listed"
        assert_reads_in_french(page, "the RSVP page")
        for words in ("Vernissage — exposition d’hiver", view.event.when("fr"), "Musée du Luxembourg",
                      "Je serai présent·e", "Je ne pourrai pas venir", "Nom de votre accompagnant"):
            assert words in page, words
        assert "Private view" in (await client.get(english)).text
        accepted = await client.post(french, data={"answer": "accept", "companion": "Camille Martin"})
        assert "vous êtes attendu·e" in accepted.text and "Camille Martin" in accepted.text
        assert_reads_in_french(accepted.text, "the RSVP page, accepted")
        assert await status_of(list_id, 0) == "accepted"
        assert mailbox.messages_to("guest0@presse.example")  # the confirmation, sent after the page
        # The English guest's decline link accepts too: the event is full, so they wait.
        waiting = await client.post(english, data={"answer": "accept"})
        assert "waiting list" in waiting.text and await status_of(list_id, 1) == "waitlisted"
        declined = await client.post(french, data={"answer": "decline"})
        assert "vous ne viendrez pas" in declined.text
        assert await status_of(list_id, 0) == "declined" and await status_of(list_id, 1) == "accepted"
        promoted = mailbox.messages_to("guest1@presse.example")
        assert [message["Subject"].split(":")[0] for message in promoted] == [
            "You are on the waiting list", "A place is free for you"]
        await events.cancel(staff, view.event.id)
        cancelled = (await client.get(french)).text
        assert "Cet événement est annulé" in cancelled and "Je serai présent·e" not in cancelled
        refused = await client.post(french, data={"answer": "accept"})
        assert "annulé" in refused.text and await status_of(list_id, 0) == "declined"


async def test_answers_after_the_deadline_are_refused_politely(http_client, tmp_path):
    staff, view, list_id = await event_with_guests(tmp_path, 1)
    await events.edit(staff, view.event.id, {"rsvp_deadline": SOON - timedelta(days=20)})
    path = f"/r/{await rsvp(list_id, 0)}"
    async with http_client() as client:
        page = (await client.get(path)).text
        assert "la date limite est passée" in page and "Je serai présent·e" not in page
        answered = await client.post(path, data={"answer": "accept"})
        assert answered.status_code == 200 and "la date limite est passée" in answered.text
    assert await status_of(list_id, 0) == "listed"


async def test_the_event_team_creates_an_event_and_its_guest_list_from_the_pages(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@monde.example,Ana,A,fr", "bob@monde.example,Bob,B,en"])
    form = {"title_fr": "Vernissage — exposition d'hiver", "title_en": "Private view", "starts_at": "2027-01-15T18:30",
            "ends_at": "2027-01-15T17:00", "place_name": "Musée du Luxembourg", "place_address": "19 rue de Vaugirard",
            "capacity": "80", "rsvp_deadline": "", "companions_allowed": "on"}
    async with http_client() as client:
        csrf = await signed_in(client, "eva", "events", language="fr")
        listing = (await client.get("/staff/events/")).text
        assert_reads_in_french(listing, "the events page")
        new = (await client.get("/staff/events/new")).text
        assert_reads_in_french(new, "the new event form")
        wrong = await client.post("/staff/events/", data={**form, "_csrf_token": csrf})
        assert wrong.status_code == 400
        assert "Fin (heure de Paris)\u202f: la fin doit venir après le début" in wrong.text
        assert 'value="Vernissage — exposition d&#39;hiver"' in wrong.text or "Vernissage" in wrong.text
        created = await client.post("/staff/events/", data={**form, "ends_at": "2027-01-15T21:00",
                                                            "_csrf_token": csrf})
        assert created.status_code == 303
        event_path = created.headers["location"].split("?")[0]
        page = (await client.get(created.headers["location"])).text
        assert_reads_in_french(page, "the event page")
        assert "vendredi 15 janvier 2027, de 18:30 à 21:00" in page and "0 sur 80" in page
        built = await client.post(f"{event_path}/guest-lists", data={"name": "Presse", "lists": ["journalists"],
                                                                     "_csrf_token": csrf})
        assert built.status_code == 303
        list_id = int(built.headers["location"].rsplit("/", 1)[1])
        event_id = int(event_path.rsplit("/", 1)[1])
        assert (await InvitationList.select(InvitationList.event).where(InvitationList.id == list_id).first()
                )["event"] == event_id
        assert await Invitation.count().where(Invitation.invitation_list == list_id) == 2
        page = (await client.get(event_path)).text
        assert "Presse" in page and re.search(r"Invités</th><td>2<", page)
        edit = (await client.get(f"{event_path}/edit")).text
        assert 'value="2027-01-15T18:30"' in edit
        assert_reads_in_french(edit, "the event's edit form")
        saved = await client.post(f"{event_path}/edit", data={**form, "ends_at": "2027-01-15T22:00", "capacity": "90",
                                                              "_csrf_token": csrf})
        assert saved.status_code == 303
        cancelled = await client.post(f"{event_path}/cancel", data={"_csrf_token": csrf})
        assert cancelled.status_code == 303
        assert "Annulé le" in (await client.get(event_path)).text


async def test_the_events_api_creates_reads_changes_and_cancels(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@monde.example,Ana,A,fr"])
    headers = await token_for("eva", "events")
    body = {"title_fr": "Vernissage", "starts_at": "2027-01-15T18:30", "ends_at": "2027-01-15T21:00",
            "place_name": "Musée du Luxembourg", "capacity": 80, "companions_allowed": True}
    async with http_client() as client:
        wrong = await client.post("/api/events", json={**body, "rsvp_deadline": "2027-01-16T12:00"}, headers=headers)
        assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "rsvp_deadline"
        none = await client.post("/api/events", json={**body, "capacity": 0}, headers=headers)
        assert none.status_code == 400 and none.json()["error"]["field"] == "capacity"
        created = await client.post("/api/events", json=body, headers=headers)
        assert created.status_code == 201, created.text
        event = created.json()
        assert event["starts_at"].startswith("2027-01-15T17:30") and event["counts"]["places_left"] == 80
        guest_list = await client.post("/api/invitation-lists", json={"name": "Presse", "lists": ["journalists"],
                                                                      "event": event["id"]}, headers=headers)
        assert guest_list.status_code == 201 and guest_list.json()["event_id"] == event["id"]
        shown = (await client.get(f"/api/events/{event['id']}", headers=headers)).json()
        assert shown["guest_lists"][0]["name"] == "Presse" and shown["counts"]["invited"] == 1
        assert [item["id"] for item in (await client.get("/api/events", headers=headers)).json()] == [event["id"]]
        moved = await client.patch(f"/api/events/{event['id']}", json={"place_name": "Orangerie"}, headers=headers)
        assert moved.status_code == 200 and moved.json()["calendar_sequence"] == 1
        assert (await client.patch(f"/api/events/{event['id']}", json={"colour": "red"},
                                   headers=headers)).status_code == 400
        cancelled = await client.post(f"/api/events/{event['id']}/cancel", headers=headers)
        assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
        assert (await client.post(f"/api/events/{event['id']}/cancel", headers=headers)).status_code == 409
        mediation = await token_for("mona", "mediation")
        assert (await client.get(f"/api/events/{event['id']}", headers=mediation)).status_code == 403
        assert (await client.get("/api/events/999", headers=headers)).status_code == 404


# REQ-27: the invitation campaign's message names the event, its date and its place in the guest's language.
async def test_req27_the_invitation_names_the_event_its_date_and_its_place(tmp_path, monkeypatch):
    staff, view, list_id = await event_with_guests(tmp_path, 2)
    campaign = await guest_lists.create_campaign(staff, list_id, "Vernissage", "Nous serions heureux de vous accueillir.")
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        await campaign_operations.change_status(staff, campaign.id, "start")
        await worker.drain_running(worker.SendOptions(concurrency=1, wait_for_retries=False))
        mail = {e.rcpt_tos[0]: message_from_bytes(e.original_content, policy=policy.default)
                for e in server.handler.received}
    french = mail["guest0@presse.example"].get_body(("plain",)).get_content()
    english = mail["guest1@presse.example"].get_body(("plain",)).get_content()
    assert view.event.when("fr") in french and "Musée du Luxembourg, 19 rue de Vaugirard 75006 Paris" in french
    assert "Vernissage — exposition d’hiver" in french
    # The campaign is written in French only: the English guest gets the French version, which names the
    # event as the French version does.
    assert view.event.when("fr") in english
