"""Events: their details checked field by field, answers against capacity with a waitlist promoted in its
order, companions counted and named, each step in the guest's history, and the guest's mails with their
calendar files (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from contacts.domain import Channel, GuestStep
from contacts.errors import ConflictError, ValidationError
from contacts.event_tables import Invitation, InvitationStep
from contacts.services.invitations import answers, events, guest_lists, guest_mail
from contacts.services.invitations.answers import Outcome
from contacts.services.people import suppression
from contacts.services.staff import accounts
from contacts.settings import get_settings
from contacts.tables import Contact
from contacts.tokens import LinkToken, TokenAction, TokenCodec
from tests.sending.test_campaign_send import import_list

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"
SOON = datetime.now(UTC) + timedelta(days=10)


def event_values(**overrides) -> dict[str, object]:
    starts = SOON.replace(hour=17, minute=30, second=0, microsecond=0)
    return {"title_fr": "Vernissage — exposition d'hiver", "title_en": "Private view — winter exhibition",
            "description_fr": "Visite commentée par la commissaire.", "description_en": "Guided by the curator.",
            "starts_at": starts, "ends_at": starts + timedelta(hours=3), "place_name": "Musée du Luxembourg",
            "place_address": "19 rue de Vaugirard\n75006 Paris", "capacity": None, "rsvp_deadline": None,
            "companions_allowed": True, **overrides}


async def event_team() -> accounts.Staff:
    return await accounts.create_user("eva", "events", PASSWORD)


async def event_with_guests(tmp_path, count: int, **overrides) -> tuple[accounts.Staff, events.EventView, int]:
    """An event with a guest list of `count` journalists (guest0@… to guestN@…, the odd ones English)."""
    staff = await event_team()
    await import_list(tmp_path, "journalists", [f"guest{n}@presse.example,Guest,N{n},{'en' if n % 2 else 'fr'}"
                                                for n in range(count)])
    view = await events.create(staff, event_values(**overrides))
    built = await guest_lists.build(staff, "Presse", ["journalists"], event_id=view.event.id)
    return staff, view, built.id


async def rsvp(list_id: int, number: int, accept: bool = True) -> str:
    contact = (await Contact.select(Contact.id).where(Contact.email == f"guest{number}@presse.example").first())["id"]
    action = TokenAction.RSVP_ACCEPT if accept else TokenAction.RSVP_DECLINE
    return TokenCodec(get_settings().secret_keys).seal(LinkToken(action, contact, list_id, 0))


async def status_of(list_id: int, number: int) -> str:
    token = answers.token_for(await rsvp(list_id, number))
    row = await Invitation.select(Invitation.status).where(Invitation.invitation_list == list_id,
                                                           Invitation.contact == token.contact_id).first()
    return row["status"]


async def steps_of(list_id: int, number: int) -> list[str]:
    token = answers.token_for(await rsvp(list_id, number))
    return [row["step"] for row in await InvitationStep.select(InvitationStep.step).where(
        InvitationStep.invitation.invitation_list == list_id,
        InvitationStep.invitation.contact == token.contact_id).order_by(InvitationStep.id)]


@pytest.mark.parametrize(("changes", "field"), [
    ({"ends_at": SOON - timedelta(days=1)}, "ends_at"),
    ({"rsvp_deadline": SOON + timedelta(days=1)}, "rsvp_deadline"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "many"}, "capacity"),
    ({"starts_at": "le 12 décembre"}, "starts_at"),
    ({"title_fr": "  "}, "title_fr"),
    ({"place_name": ""}, "place_name"),
    ({"colour": "red"}, "colour"),
])
async def test_bad_event_details_are_refused_naming_the_field(changes, field):
    staff = await event_team()
    with pytest.raises(ValidationError) as refused:
        await events.create(staff, event_values(**changes))
    assert refused.value.field == field
    assert await events.all_events(staff) == []


async def test_paris_times_are_read_as_paris_and_kept_in_utc():
    staff = await event_team()
    view = await events.create(staff, event_values(starts_at="2026-12-12T18:30", ends_at="2026-12-12T21:00",
                                                   rsvp_deadline="2026-12-10T12:00"))
    assert view.event.starts_at == datetime(2026, 12, 12, 17, 30, tzinfo=UTC)
    assert view.event.when("fr") == "samedi 12 décembre 2026, de 18:30 à 21:00"
    assert view.event.when("en") == "Saturday 12 December 2026, from 18:30 to 21:00"


# REQ-51: a companion takes a place; past capacity guests wait, in order; a decline promotes the first who fits.
async def test_req51_capacity_counts_companions_and_a_decline_promotes_the_first_waiting(tmp_path):
    staff, view, list_id = await event_with_guests(tmp_path, 5, capacity=3)
    first = await answers.answer(await rsvp(list_id, 0), True, "  Camille   Martin ")
    assert first.outcome == Outcome.ACCEPTED
    assert (await answers.answer(await rsvp(list_id, 1), True)).outcome == Outcome.ACCEPTED
    third = await answers.answer(await rsvp(list_id, 2), True)
    assert third.outcome == Outcome.WAITLISTED and third.mails == [
        guest_mail.GuestMail(guest_mail.MailKind.WAITLISTED, third.mails[0].invitation_id)]
    assert (await answers.answer(await rsvp(list_id, 3), True)).outcome == Outcome.WAITLISTED
    counts = (await events.get(staff, view.event.id)).counts
    assert (counts.accepted, counts.companions, counts.places_taken, counts.places_left, counts.waitlisted,
            counts.no_answer) == (2, 1, 3, 0, 2, 1)
    declined = await answers.answer(await rsvp(list_id, 1, accept=False), False)
    assert declined.outcome == Outcome.DECLINED
    assert [mail.kind for mail in declined.mails] == [guest_mail.MailKind.PROMOTED]
    assert await status_of(list_id, 2) == "accepted" and await status_of(list_id, 3) == "waitlisted"
    assert await steps_of(list_id, 2) == [GuestStep.WAITLISTED, GuestStep.PROMOTED]
    assert await steps_of(list_id, 1) == [GuestStep.ACCEPTED, GuestStep.DECLINED]
    assert await steps_of(list_id, 0) == [GuestStep.ACCEPTED, GuestStep.COMPANION_NAMED]
    # Withdrawing the companion frees their place: the next waiting guest gets it.
    withdrawn = await answers.answer(await rsvp(list_id, 0), True, "")
    assert guest_mail.MailKind.PROMOTED in [mail.kind for mail in withdrawn.mails]
    assert await status_of(list_id, 3) == "accepted"
    # No place is left for a new companion: the guest keeps their own place.
    refused = await answers.answer(await rsvp(list_id, 3), True, "Dominique")
    assert refused.companion_refused and await status_of(list_id, 3) == "accepted"
    assert (await events.get(staff, view.event.id)).counts.places_taken == 3


async def test_a_guest_may_change_their_answer_and_the_same_answer_changes_nothing(tmp_path):
    _, _, list_id = await event_with_guests(tmp_path, 1)
    assert (await answers.answer(await rsvp(list_id, 0, accept=False), False)).outcome == Outcome.DECLINED
    assert (await answers.answer(await rsvp(list_id, 0, accept=False), False)).outcome == Outcome.UNCHANGED
    assert (await answers.answer(await rsvp(list_id, 0, accept=False), True)).outcome == Outcome.ACCEPTED
    assert await steps_of(list_id, 0) == [GuestStep.DECLINED, GuestStep.ACCEPTED]


async def test_answers_after_the_deadline_or_for_a_cancelled_event_are_refused(tmp_path):
    staff, view, list_id = await event_with_guests(tmp_path, 2, rsvp_deadline=SOON - timedelta(days=1))
    late = await answers.answer(await rsvp(list_id, 0), True, now=SOON - timedelta(hours=12))
    assert late.outcome == Outcome.CLOSED and await status_of(list_id, 0) == "listed"
    await events.cancel(staff, view.event.id)
    assert (await answers.answer(await rsvp(list_id, 1), True)).outcome == Outcome.CANCELLED
    with pytest.raises(ConflictError):
        await events.edit(staff, view.event.id, {"capacity": 10})
    with pytest.raises(ValidationError):
        await guest_lists.build(staff, "Trop tard", ["journalists"], event_id=view.event.id)


async def test_the_capacity_cannot_fall_below_the_places_taken_and_raising_it_promotes(tmp_path):
    staff, view, list_id = await event_with_guests(tmp_path, 3, capacity=1)
    await answers.answer(await rsvp(list_id, 0), True)
    await answers.answer(await rsvp(list_id, 1), True)
    with pytest.raises(ValidationError) as refused:
        await events.edit(staff, view.event.id, {"capacity": 0})
    assert refused.value.field == "capacity"
    changed = await events.edit(staff, view.event.id, {"capacity": 2})
    assert [mail.kind for mail in changed.mails] == [guest_mail.MailKind.PROMOTED]
    assert changed.view.event.calendar_sequence == 0  # neither the time nor the place changed
    assert await status_of(list_id, 1) == "accepted"


def calendar_of(message) -> icalendar.Calendar:
    part = next(part for part in message.walk() if part.get_content_type() == "text/calendar")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


# REQ-21: a confirmation is transactional: it goes to a guest who answered, not to a hard-bounced address.
async def test_req21_the_confirmation_names_the_event_in_the_guests_language_with_its_calendar_file(tmp_path,
                                                                                                    mailbox):
    staff, view, list_id = await event_with_guests(tmp_path, 3)
    mails = []
    for number in (0, 1):
        mails += (await answers.answer(await rsvp(list_id, number), True, "Camille Martin")).mails
    await suppression.suppress("guest2@presse.example", "hard_bounce", actor="test", channel=Channel.BOUNCE)
    mails += (await answers.answer(await rsvp(list_id, 2), True)).mails
    assert await guest_mail.send_all(mails) == 2
    assert mailbox.messages_to("guest2@presse.example") == []
    french = mailbox.messages_to("guest0@presse.example")[0]
    assert french["Subject"] == "Votre place est confirmée\u202f: Vernissage — exposition d’hiver"
    text = french.get_body(("plain",)).get_content()
    assert view.event.when("fr") in text and "Vernissage — exposition d’hiver" in text
    assert "Musée du Luxembourg, 19 rue de Vaugirard 75006 Paris" in text and "Camille Martin" in text
    calendar = calendar_of(french)
    assert calendar["METHOD"] == "PUBLISH"
    entry = calendar.walk("VEVENT")[0]
    assert entry["UID"] == view.event.calendar_uid and entry["SUMMARY"] == "Vernissage — exposition d'hiver"
    assert entry["SUMMARY"].params["LANGUAGE"] == "fr"
    assert entry["DTSTART"].params["TZID"] == "Europe/Paris"
    assert entry.decoded("DTSTART") == view.event.starts_at
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Paris"
    assert any(part.get_content_type() == "image/png" for part in french.walk())  # the door pass
    english = calendar_of(mailbox.messages_to("guest1@presse.example")[0]).walk("VEVENT")[0]
    assert english["SUMMARY"] == "Private view — winter exhibition"
    # A change of place raises the sequence and tells those who accepted, with the same UID.
    changed = await events.edit(staff, view.event.id, {"place_name": "Orangerie du Sénat"})
    assert await guest_mail.send_all(changed.mails) == 2
    update = calendar_of(mailbox.messages_to("guest0@presse.example")[-1]).walk("VEVENT")[0]
    assert (update["UID"], update["SEQUENCE"]) == (view.event.calendar_uid, 1)
    assert "Orangerie du Sénat" in str(update["LOCATION"])
    cancelled = await events.cancel(staff, view.event.id)
    assert await guest_mail.send_all(cancelled.mails) == 2
    cancel = calendar_of(mailbox.messages_to("guest1@presse.example")[-1])
    assert cancel["METHOD"] == "CANCEL"
    entry = cancel.walk("VEVENT")[0]
    assert (entry["STATUS"], entry["UID"], entry["SEQUENCE"]) == ("CANCELLED", view.event.calendar_uid, 2)
