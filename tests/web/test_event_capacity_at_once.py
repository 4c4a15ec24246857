"""Many answers at once never overfill an event: each answer locks the event's row (PostgreSQL) or holds
the write lock (SQLite) while it counts and takes places. Run on both engines (CONTACTS_TEST_DATABASE)."""

from __future__ import annotations

import asyncio

import pytest

from contacts.event_tables import Invitation, InvitationStep
from contacts.services.invitations import answers, events
from contacts.services.invitations.answers import Outcome
from tests.web.test_events import event_with_guests, rsvp

pytestmark = pytest.mark.usefixtures("database_url")
GUESTS, CAPACITY = 40, 15


async def test_many_acceptances_at_once_fill_the_event_and_no_more(tmp_path):
    staff, view, list_id = await event_with_guests(tmp_path, GUESTS, capacity=CAPACITY)
    tokens = [await rsvp(list_id, number) for number in range(GUESTS)]
    # Every third guest brings a companion: two places for one answer.
    results = await asyncio.gather(*[answers.answer(token, True, "Camille" if number % 3 == 0 else None)
                                     for number, token in enumerate(tokens)])
    counts = (await events.get(staff, view.event.id)).counts
    assert counts.places_taken <= CAPACITY and counts.places_taken >= CAPACITY - 1  # a pair may not fit the last
    assert counts.accepted + counts.waitlisted == GUESTS
    assert sorted(result.outcome for result in results).count(Outcome.ACCEPTED) == counts.accepted
    # Declines at once: the waitlist is promoted into the freed places, never beyond them.
    accepted = [token for token, result in zip(tokens, results, strict=True) if result.outcome == Outcome.ACCEPTED]
    declines = await asyncio.gather(*[answers.answer(token, False) for token in accepted[:6]])
    assert all(result.outcome == Outcome.DECLINED for result in declines)
    after = (await events.get(staff, view.event.id)).counts
    assert after.places_taken <= CAPACITY and after.declined == 6
    promoted = sum(len(result.mails) for result in declines)
    assert promoted == await InvitationStep.count().where(InvitationStep.step == "promoted") > 0
    assert after.waitlisted == counts.waitlisted - promoted


async def test_many_posts_at_once_through_the_rsvp_page_never_overfill(tmp_path, http_client):
    staff, view, list_id = await event_with_guests(tmp_path, 24, capacity=10)
    paths = [f"/r/{await rsvp(list_id, number)}" for number in range(24)]
    async with http_client() as client:
        pages = await asyncio.gather(*[client.post(path, data={"answer": "accept", "companion": "Dominique"})
                                       for path in paths])
    assert {page.status_code for page in pages} == {200}
    counts = (await events.get(staff, view.event.id)).counts
    assert counts.places_taken == 10 and counts.accepted == 5 and counts.waitlisted == 19
    assert await Invitation.count().where(Invitation.status == "accepted") == 5
