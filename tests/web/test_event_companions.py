"""REQ-51: a guest's companion is a name only, kept for the event and deleted a set number of days after it
by the retention engine, which records that it did; the counts survive. Erasing the guest erases the name;
the record of processing and the person's export say how long it is kept."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from contacts.event_tables import Event, Invitation
from contacts.services import records_of_processing
from contacts.services.invitations import answers, events
from contacts.services.retention import engine as retention
from contacts.services.rights import erasure
from contacts.services.rights.export import assemble
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Contact
from tests.web.test_events import event_with_guests, rsvp

pytestmark = pytest.mark.usefixtures("database_url")


async def names(list_id: int) -> list[str | None]:
    return [row["companion_name"] for row in await Invitation.select(Invitation.companion_name).where(
        Invitation.invitation_list == list_id).order_by(Invitation.contact)]


async def test_req51_companions_names_go_days_after_the_event_and_the_counts_stay(tmp_path, monkeypatch):
    settings = dataclasses.replace(get_settings(), companion_retention_days=7)
    monkeypatch.setattr("contacts.services.retention.companions.get_settings", lambda: settings)
    staff, view, list_id = await event_with_guests(tmp_path, 3, capacity=10)
    await answers.answer(await rsvp(list_id, 0), True, "Camille Martin")
    await answers.answer(await rsvp(list_id, 1), True, "Dominique Petit")
    await answers.answer(await rsvp(list_id, 2), True)
    before = (await events.get(staff, view.event.id)).counts
    assert (before.companions, before.places_taken) == (2, 5)

    six_days_after = view.event.ends_at + timedelta(days=6)
    planned = await retention.run(dry_run=True, now=six_days_after)
    assert planned.expired["companion_name"] == 0
    await retention.run(now=six_days_after)
    assert sorted(filter(None, await names(list_id))) == ["Camille Martin", "Dominique Petit"]

    eight_days_after = view.event.ends_at + timedelta(days=8)
    assert (await retention.run(dry_run=True, now=eight_days_after)).expired["companion_name"] == 2
    report = await retention.run(now=eight_days_after)
    assert report.done["companion_name"] == 2
    assert await names(list_id) == [None, None, None]
    after = await events.get(staff, view.event.id)
    assert after.counts == before and after.companions_deleted_at == eight_days_after
    recorded = await AuditEvent.select(AuditEvent.details).where(
        AuditEvent.action == "event.companions_deleted", AuditEvent.object_id == str(view.event.id)).first()
    assert recorded is not None
    assert (await Event.select(Event.companions_deleted_at).first())["companions_deleted_at"] == eight_days_after


async def test_req51_erasing_a_guest_erases_their_companions_name(tmp_path):
    _, _, list_id = await event_with_guests(tmp_path, 2)
    await answers.answer(await rsvp(list_id, 0), True, "Camille Martin")
    await answers.answer(await rsvp(list_id, 1), True, "Dominique Petit")
    guest = (await Contact.select(Contact.id).where(Contact.email == "guest0@presse.example").first())["id"]
    report = await erasure.erase_contact(guest, actor="test", reason="rights request 1")
    assert report.changed["companion_name"] == 1
    assert sorted(map(str, await names(list_id))) == ["Dominique Petit", "None"]


async def test_req51_the_register_and_the_export_say_how_long_a_companions_name_is_kept(tmp_path):
    _, _, list_id = await event_with_guests(tmp_path, 1)
    await answers.answer(await rsvp(list_id, 0), True, "Camille Martin")
    register = await records_of_processing.build("fr")
    invitations = next(item for item in register.activities if item.purpose == "pr-invitations")
    assert "noms des accompagnants : supprimés 7 jours après l'événement" in invitations.erasure
    assert any("accompagnants" in item for item in invitations.categories_of_persons)
    guest = (await Contact.select(Contact.id).where(Contact.email == "guest0@presse.example").first())["id"]
    export = await assemble.build(guest, language="fr")
    assert export["invitations"][0]["companion"] == "Camille Martin"
    assert export["invitations"][0]["arrived_at"] is None and export["invitations"][0]["companion_arrived_at"] is None
    evening = datetime(2026, 12, 12, 18, 42, tzinfo=UTC)
    await Invitation.update({Invitation.arrived_at: evening, Invitation.companion_arrived_at: evening}).where(
        Invitation.contact == guest)
    arrived = (await assemble.build(guest, language="fr"))["invitations"][0]
    assert arrived["arrived_at"] == arrived["companion_arrived_at"] == evening.isoformat(timespec="seconds")  # REQ-16: the door too
    assert "7 jours après l'événement" in export["invitations"][0]["companion_retention"]
    assert any("7 jours après l'événement" in item["period"] for item in export["retention"])
