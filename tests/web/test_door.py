"""At the door (issue 22): a guest's pass, the QR code's staff-only address, opens a page where a signed-in
steward marks the guest and their companion arrived; the door page finds guests by name; arrivals are counted
against acceptances; the door list is exported as a logged disclosure. Arriving never erases having accepted."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from contacts.db.engine import json_value
from contacts.domain import GuestStep, InvitationStatus
from contacts.event_tables import Event, Invitation, InvitationList, InvitationStep
from contacts.i18n import PARIS
from contacts.services.invitations import door_pass
from contacts.services.staff import accounts
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Contact
from contacts.tokens import LinkToken, TokenAction, codec_for
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import PASSWORD, signed_in

pytestmark = pytest.mark.usefixtures("database_url")

GUESTS = [
    {"email": "helene@monde.example", "first_name": "Hélène", "last_name": "Dupont-Lefèvre",
     "organisation": "Le Monde", "language": "fr"},
    {"email": "zoe@figaro.example", "first_name": "Zoé", "last_name": "Œhler", "organisation": "Le Figaro",
     "language": "fr"},
    {"email": "bob@liberation.example", "first_name": "Bob", "last_name": "Martin", "organisation": "Libération",
     "language": "en"},
    {"email": "wanda@ouest.example", "first_name": "Wanda", "last_name": "Attente", "organisation": "Ouest-France",
     "language": "fr"},
]


async def guest_list(client, name: str = "Vernissage — exposition d'hiver") -> tuple[int, dict[str, int]]:
    """A guest list of the four journalists; their contact ids by address."""
    communications = await token_for("camille", "communications")
    subscribed = await client.post("/api/lists/journalists/subscriptions", headers=communications, json={
        "contacts": GUESTS, "source_type": "third_party", "source_name": "Annuaire presse"})
    assert subscribed.status_code == 201, subscribed.text
    built = await client.post("/api/invitation-lists", json={"name": name, "lists": ["journalists"]},
                              headers=await token_for("ed", "events"))
    assert built.status_code == 201, built.text
    contacts = {row["email"]: row["id"] for row in await Contact.select(Contact.email, Contact.id)}
    return built.json()["id"], contacts


async def answered(list_id: int, contact: int, status: InvitationStatus, companion: str | None = None,
                   at: datetime | None = None) -> None:
    """The guest's answer as the RSVP page records it: the status beside the invitation, and a step."""
    at = at or datetime.now(UTC)
    await Invitation.update({Invitation.status: status, Invitation.responded_at: at,
                             Invitation.companion_name: companion}).where(
        Invitation.invitation_list == list_id, Invitation.contact == contact)
    invitation = (await Invitation.select(Invitation.id).where(Invitation.invitation_list == list_id,
                                                               Invitation.contact == contact).first())["id"]
    await InvitationStep.insert(InvitationStep(invitation=invitation, step=GuestStep(status.value), actor="guest",
                                               at=at))


async def invitation(list_id: int, contact: int) -> dict:
    return await Invitation.select().where(Invitation.invitation_list == list_id,
                                           Invitation.contact == contact).first()


def said(page: str) -> str:
    """The sentence the steward is told after a button, as text."""
    found = re.search(r'role="alert">([^<]*)<', page)
    return found.group(1).replace("\u202f", " ").replace("’", "'") if found else ""


def csrf_in(page: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)


# The QR code's address round trip: the confirmation's pass, opened by a signed-in steward, marks the guest and
# the companion arrived; the history says accepted, then arrived; the answer is still "accepted" (REQ-51: the
# companion by name only).
async def test_req51_a_pass_marks_the_guest_and_the_companion_arrived_and_they_stay_accepted(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        helene = contacts["helene@monde.example"]
        accepted_at = datetime(2026, 12, 6, 14, 42, tzinfo=UTC)  # 15:42 in Paris
        await answered(list_id, helene, InvitationStatus.ACCEPTED, companion="Paul Durand", at=accepted_at)
        url = door_pass.check_in_url(list_id, helene)  # what the confirmation's QR code holds
        path = urlsplit(url).path
        assert path.startswith("/staff/door/check-in/")
        await signed_in(client, "steward", "events", language="fr")
        page = await client.get(path)
        assert page.status_code == 200
        assert "Hélène Dupont-Lefèvre" in page.text and "Le Monde" in page.text and "Paul Durand" in page.text
        assert "Marquer l’arrivée" in page.text and "Marquer l’arrivée de l’accompagnant·e" in page.text
        assert_reads_in_french(page.text, "the door pass")
        marked = await client.post(path, data={"_csrf_token": csrf_in(page.text), "who": "guest"})
        assert marked.status_code == 200 and said(marked.text).startswith("Hélène Dupont-Lefèvre : arrivée enregistrée à")
        assert_reads_in_french(marked.text, "the door pass, marked")
        companion = await client.post(path, data={"_csrf_token": csrf_in(page.text), "who": "companion"})
        assert said(companion.text).startswith("Paul Durand, accompagnant·e de Hélène Dupont-Lefèvre : arrivée")
        assert "Invité·es arrivé·es : 1 sur 1" in companion.text.replace("\u202f", " ")
        row = await invitation(list_id, helene)
        assert row["status"] == InvitationStatus.ACCEPTED
        assert row["arrived_at"] is not None and row["companion_arrived_at"] is not None
        steps = await InvitationStep.select(InvitationStep.step, InvitationStep.actor).where(
            InvitationStep.invitation == row["id"]).order_by(InvitationStep.id)
        assert [(s["step"], s["actor"]) for s in steps] == [("accepted", "guest"), ("arrived", "steward"),
                                                          ("companion_arrived", "steward")]
        # The arrival moved to 19:42 in Paris, the same day as the answer, so the history reads in full.
        evening = datetime(2026, 12, 6, 18, 42, tzinfo=UTC)
        await Invitation.update({Invitation.arrived_at: evening}).where(Invitation.id == row["id"])
        await InvitationStep.update({InvitationStep.at: evening}).where(InvitationStep.invitation == row["id"],
                                                                       InvitationStep.step == GuestStep.ARRIVED)
        later = datetime(2026, 12, 6, 18, 47, tzinfo=UTC)  # the companion too, whatever the clock says now
        await Invitation.update({Invitation.companion_arrived_at: later}).where(Invitation.id == row["id"])
        await InvitationStep.update({InvitationStep.at: later}).where(
            InvitationStep.invitation == row["id"], InvitationStep.step == GuestStep.COMPANION_ARRIVED)
        history = (await client.get(f"/staff/invitations/{list_id}")).text
    assert ("accepté le 6 décembre 2026 à 15:42, arrivé·e à 19:42 (steward), "
            "accompagnant·e arrivé·e à 19:47 (steward)") in history
    assert_reads_in_french(history, "the guest list's history")


# A second scan writes nothing and says when the guest came; two stewards scanning at once write one arrival.
async def test_a_second_scan_says_already_arrived_and_writes_nothing(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        helene = contacts["helene@monde.example"]
        await answered(list_id, helene, InvitationStatus.ACCEPTED)
        path = urlsplit(door_pass.check_in_url(list_id, helene)).path
        token = await signed_in(client, "steward", "events", language="fr")
        first = await client.post(path, data={"_csrf_token": token, "who": "guest"})
        row = await invitation(list_id, helene)
        time = row["arrived_at"].astimezone(PARIS).strftime("%H:%M")
        assert "arrivée enregistrée" in said(first.text)
        again = await client.post(path, data={"_csrf_token": token, "who": "guest"})
        assert said(again.text) == f"Déjà arrivé·e à {time}"
        no_companion = await client.post(path, data={"_csrf_token": token, "who": "companion"})
        assert said(no_companion.text) == "Aucun·e accompagnant·e n'est nommé·e pour cet·te invité·e"
    assert (await invitation(list_id, helene))["arrived_at"] == row["arrived_at"]
    assert await InvitationStep.count().where(InvitationStep.step == GuestStep.ARRIVED) == 1
    assert await InvitationStep.count().where(InvitationStep.step == GuestStep.COMPANION_ARRIVED) == 0


async def test_a_waitlisted_declined_or_silent_guest_is_not_let_in(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        await answered(list_id, contacts["wanda@ouest.example"], InvitationStatus.WAITLISTED)
        await answered(list_id, contacts["bob@liberation.example"], InvitationStatus.DECLINED)
        token = await signed_in(client, "steward", "events", language="fr")
        told = {}
        for address in ("wanda@ouest.example", "bob@liberation.example", "zoe@figaro.example"):
            path = urlsplit(door_pass.check_in_url(list_id, contacts[address])).path
            page = await client.get(path)
            assert "Marquer l’arrivée" not in page.text
            told[address] = said((await client.post(path, data={"_csrf_token": token, "who": "guest"})).text)
    assert told == {"wanda@ouest.example": "Invité·e sur liste d'attente : pas de place confirmée",
                    "bob@liberation.example": "Invité·e ayant décliné l'invitation",
                    "zoe@figaro.example": "Invité·e n'ayant pas répondu à l'invitation"}
    assert await Invitation.count().where(Invitation.arrived_at.is_not_null()) == 0
    assert await InvitationStep.count().where(InvitationStep.step == GuestStep.ARRIVED) == 0


# REQ-24: the pass needs a signed-in steward; signing in leads back to it. Roles without the door are refused.
async def test_req24_a_pass_signed_out_leads_to_sign_in_and_back(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        await answered(list_id, contacts["helene@monde.example"], InvitationStatus.ACCEPTED)
        path = urlsplit(door_pass.check_in_url(list_id, contacts["helene@monde.example"])).path
        answer = await client.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == f"/staff/login?next={path}"
        login = await client.get(answer.headers["location"])
        assert f'name="next" value="{path}"' in login.text and "Hélène" not in login.text
        await accounts.create_user("steward", "events", PASSWORD)
        back = await client.post("/staff/login", data={"_csrf_token": csrf_in(login.text), "username": "steward",
                                                        "password": PASSWORD, "next": path})
        assert back.status_code == 303 and back.headers["location"] == path
        assert "Hélène Dupont-Lefèvre" in (await client.get(path)).text
    async with http_client() as client:
        await signed_in(client, "camille2", "communications")
        assert (await client.get(path)).status_code == 403
        assert (await client.get(f"/staff/door/lists/{list_id}")).status_code == 403
    assert await Invitation.count().where(Invitation.arrived_at.is_not_null()) == 0


async def test_a_tampered_pass_is_an_unknown_pass(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        await answered(list_id, contacts["helene@monde.example"], InvitationStatus.ACCEPTED)
        path = urlsplit(door_pass.check_in_url(list_id, contacts["helene@monde.example"])).path
        tampered = path[:-4] + ("AAAA" if not path.endswith("AAAA") else "BBBB")
        token = await signed_in(client, "steward", "events", language="fr")
        page = await client.get(tampered)
        assert page.status_code == 404 and "Laissez-passer inconnu" in page.text and "Hélène" not in page.text
        assert_reads_in_french(page.text, "an unknown pass")
        posted = await client.post(tampered, data={"_csrf_token": token, "who": "guest"})
        assert posted.status_code == 404 and "Laissez-passer inconnu" in posted.text
        # A genuine pass of another kind (an RSVP link's token) opens nothing either.
        other = codec_for(get_settings().secret_keys).seal(
            LinkToken(TokenAction.RSVP_ACCEPT, contacts["helene@monde.example"], list_id))
        assert (await client.get(f"/staff/door/check-in/{other}")).status_code == 404
    assert await Invitation.count().where(Invitation.arrived_at.is_not_null()) == 0


def names_found(page: str) -> list[str]:
    return re.findall(r'<article class="guest[^"]*">\s*<h2>([^<]*)</h2>', page)


# Accents and case aside, any part of the first name, the last name or the organisation finds a guest; an
# event's door finds the guests of all its guest lists.
async def test_the_door_finds_guests_by_name_without_accents_or_case(http_client):
    async with http_client() as client:
        list_id, _ = await guest_list(client)
        await signed_in(client, "steward", "events", language="fr")
        found = {}
        for query in ("helene", "HÉLÈNE", "dupont lef", "oehler", "œhl", "figaro", "liberation", "zo", "xyz", " "):
            page = await client.get(f"/staff/door/lists/{list_id}", params={"q": query})
            assert page.status_code == 200
            found[query] = names_found(page.text)
        assert_reads_in_french(page.text, "the door page")
        nothing = (await client.get(f"/staff/door/lists/{list_id}", params={"q": "xyz"})).text
        assert "Aucun·e invité·e trouvé·e pour « xyz »." in nothing.replace("\u202f", " ")
    assert found == {"helene": ["Hélène Dupont-Lefèvre"], "HÉLÈNE": ["Hélène Dupont-Lefèvre"],
                     "dupont lef": ["Hélène Dupont-Lefèvre"], "oehler": ["Zoé Œhler"], "œhl": ["Zoé Œhler"],
                     "figaro": ["Zoé Œhler"], "liberation": ["Bob Martin"], "zo": ["Zoé Œhler"], "xyz": [], " ": []}


async def test_an_events_door_spans_its_guest_lists_and_marks_on_the_right_one(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        vips = await client.post("/api/invitation-lists", json={"name": "Mécènes", "lists": ["journalists"]},
                                 headers=await token_for("ed2", "events"))
        second = vips.json()["id"]
        starts = datetime(2026, 12, 10, 18, 0, tzinfo=UTC)
        event = (await Event.insert(Event(title_fr="Vernissage — exposition d'hiver", title_en="Winter opening",
                                          starts_at=starts, ends_at=starts + timedelta(hours=3), calendar_uid="u1",
                                          created_by="ed")).returning(Event.id))[0]["id"]
        await InvitationList.update({InvitationList.event: event}).where(InvitationList.id.is_in([list_id, second]))
        await answered(list_id, contacts["helene@monde.example"], InvitationStatus.ACCEPTED, companion="Paul")
        await answered(second, contacts["zoe@figaro.example"], InvitationStatus.ACCEPTED)
        token = await signed_in(client, "steward", "events", language="fr")
        index = (await client.get("/staff/door/")).text
        assert f'href="/staff/door/events/{event}"' in index and "Vernissage — exposition d" in index
        assert_reads_in_french(index, "the doors")
        page = (await client.get(f"/staff/door/events/{event}", params={"q": "le"})).text  # Le Monde, Le Figaro
        assert "Mécènes" in page and "Invité·es arrivé·es : 0 sur 2" in page.replace("\u202f", " ")
        assert "Accompagnant·es arrivé·es : 0 sur 1" in page.replace("\u202f", " ")
        marked = await client.post(f"/staff/door/lists/{second}/arrivals", data={
            "_csrf_token": token, "contact": str(contacts["zoe@figaro.example"]), "who": "guest", "q": "le",
            "event": str(event)})
        assert marked.status_code == 200 and "arrivée enregistrée" in said(marked.text)
        assert f'action="/staff/door/events/{event}"' in marked.text  # the search stays on the event's door
        assert "Invité·es arrivé·es : 1 sur 2" in marked.text.replace("\u202f", " ")
    assert (await invitation(second, contacts["zoe@figaro.example"]))["arrived_at"] is not None
    assert (await invitation(list_id, contacts["zoe@figaro.example"]))["arrived_at"] is None


# Counts of arrivals against acceptances, guests and companions apart; an undone mistake is in the audit log.
async def test_arrivals_are_counted_and_a_mistake_is_undone_with_an_audit_entry(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        events = await token_for("ed2", "events")
        for address, companion in (("helene@monde.example", "Paul"), ("zoe@figaro.example", None),
                                   ("bob@liberation.example", "Ann")):
            await answered(list_id, contacts[address], InvitationStatus.ACCEPTED, companion=companion)
        await answered(list_id, contacts["wanda@ouest.example"], InvitationStatus.WAITLISTED)
        token = await signed_in(client, "steward", "events", language="en")
        arrivals = f"/staff/door/lists/{list_id}/arrivals"
        for address, who in (("helene@monde.example", "guest"), ("helene@monde.example", "companion"),
                             ("zoe@figaro.example", "guest"), ("wanda@ouest.example", "guest")):
            await client.post(arrivals, data={"_csrf_token": token, "contact": str(contacts[address]), "who": who})
        counted = await client.get(f"/api/invitation-lists/{list_id}/arrivals", headers=events)
        assert counted.json() == {"accepted": 3, "arrived": 2, "companions": 2, "companions_arrived": 1}
        undone = await client.post(f"{arrivals}/undo", data={
            "_csrf_token": token, "contact": str(contacts["zoe@figaro.example"]), "who": "guest"})
        assert said(undone.text) == "Arrival undone"
        again = await client.post(f"{arrivals}/undo", data={
            "_csrf_token": token, "contact": str(contacts["zoe@figaro.example"]), "who": "guest"})
        assert said(again.text) == "Nothing to undo: not marked as arrived"
        counted = await client.get(f"/api/invitation-lists/{list_id}/arrivals", headers=events)
        assert counted.json() == {"accepted": 3, "arrived": 1, "companions": 2, "companions_arrived": 1}
        communications = await token_for("camille2", "communications")
        assert (await client.get(f"/api/invitation-lists/{list_id}/arrivals", headers=communications)).status_code \
            == 403
    zoe = await invitation(list_id, contacts["zoe@figaro.example"])
    assert zoe["arrived_at"] is None and zoe["status"] == InvitationStatus.ACCEPTED
    assert await InvitationStep.count().where(InvitationStep.invitation == zoe["id"],
                                              InvitationStep.step == GuestStep.ARRIVED) == 0
    audits = await AuditEvent.select().where(AuditEvent.action == "invitation.arrival_undone")
    assert len(audits) == 1 and audits[0]["actor"] == "staff:steward" and audits[0]["object_id"] == str(zoe["id"])


# The old route keeps its name: it marks accepted guests arrived, never changes an answer, and skips the others.
async def test_the_attended_route_marks_arrivals_and_keeps_the_answers(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        await answered(list_id, contacts["helene@monde.example"], InvitationStatus.ACCEPTED)
        await answered(list_id, contacts["bob@liberation.example"], InvitationStatus.DECLINED)
        events = await token_for("ed2", "events")
        chosen = [contacts["helene@monde.example"], contacts["bob@liberation.example"], contacts["zoe@figaro.example"]]
        marked = await client.post(f"/api/invitation-lists/{list_id}/attended", json={"contacts": chosen},
                                   headers=events)
        assert marked.status_code == 200 and marked.json() == {"marked": 1}
        again = await client.post(f"/api/invitation-lists/{list_id}/attended", json={"contacts": chosen},
                                  headers=events)
        assert again.json() == {"marked": 0}
        shown = (await client.get(f"/api/invitation-lists/{list_id}", headers=events)).json()
    assert shown["by_status"] == {"accepted": 1, "declined": 1, "listed": 2}
    assert await InvitationStep.count().where(InvitationStep.step == GuestStep.ARRIVED) == 1


def rows_of(content: bytes, separator: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=separator))


# REQ-8, REQ-18: the door list is a disclosure, logged with to whom, why and whom it names; for French staff it
# opens in a French spreadsheet (a byte-order mark, semicolons, French headers); the API keeps codes.
async def test_req8_the_door_list_export_is_a_logged_disclosure_in_the_staff_members_language(http_client):
    async with http_client() as client:
        list_id, contacts = await guest_list(client)
        await answered(list_id, contacts["helene@monde.example"], InvitationStatus.ACCEPTED, companion="Paul Durand")
        await answered(list_id, contacts["zoe@figaro.example"], InvitationStatus.ACCEPTED)
        await answered(list_id, contacts["wanda@ouest.example"], InvitationStatus.WAITLISTED)
        token = await signed_in(client, "eva", "events", language="fr")
        printable = await client.get(f"/staff/door/lists/{list_id}/door-list")
        assert printable.status_code == 200 and "Paul Durand" in printable.text and "Wanda" not in printable.text
        assert_reads_in_french(printable.text, "the door list")
        await client.post(f"/staff/door/lists/{list_id}/arrivals", data={
            "_csrf_token": token, "contact": str(contacts["helene@monde.example"]), "who": "guest"})
        missing = await client.post(f"/staff/door/lists/{list_id}/door-list.csv",
                                    data={"_csrf_token": token, "to": "", "why": "badges", "separator": ";"})
        assert missing.status_code == 400 and "to" in missing.text
        french = await client.post(f"/staff/door/lists/{list_id}/door-list.csv", data={
            "_csrf_token": token, "to": "Sécurité Dupuis", "why": "contrôle à l'entrée", "separator": ";"})
        assert french.status_code == 200 and french.content.startswith("\ufeff".encode())
        assert french.headers["content-disposition"] == f'attachment; filename="door-list-{list_id}.csv"'
        rows = rows_of(french.content, ";")
        assert rows[0] == ["Nom", "Prénom", "Organisme", "Accompagnant·e", "Arrivé·e à", "Accompagnant·e arrivé·e à"]
        assert [row[:4] for row in rows[1:]] == [["Dupont-Lefèvre", "Hélène", "Le Monde", "Paul Durand"],
                                                 ["Œhler", "Zoé", "Le Figaro", ""]]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[1][4]) and rows[1][5] == "" and rows[2][4] == ""
    async with http_client() as client:
        token = await signed_in(client, "ted", "events", language="en")
        english = await client.post(f"/staff/door/lists/{list_id}/door-list.csv", data={
            "_csrf_token": token, "to": "Security", "why": "door", "separator": ","})
        assert rows_of(english.content, ",")[0] == ["Last name", "First name", "Organisation", "Companion",
                                                    "Arrived at", "Companion arrived at"]
        api = await client.get(f"/api/invitation-lists/{list_id}/door-list.csv", params={"to": "Cloakroom",
                               "why": "coats"}, headers=await token_for("ed2", "events"))
        assert api.status_code == 200 and not api.content.startswith("\ufeff".encode())
        assert rows_of(api.content, ",")[0] == ["last_name", "first_name", "organisation", "companion",
                                                "arrived_at", "companion_arrived_at"]
        refused = await client.get(f"/api/invitation-lists/{list_id}/door-list.csv", params={
            "to": "x", "why": "y", "separator": "|"}, headers=await token_for("ed3", "events"))
        assert refused.status_code == 400 and "separator" in refused.text
    exports = [{**e, "details": json_value(e["details"])} for e in await AuditEvent.select().where(
        AuditEvent.action == "export").order_by(AuditEvent.id)]
    assert [(e["actor"], e["details"]["to"], e["details"]["what"]) for e in exports] == [
        ("staff:eva", "Sécurité Dupuis", "door_list"), ("staff:ted", "Security", "door_list"),
        ("staff:ed2", "Cloakroom", "door_list")]
    assert sorted(exports[0]["details"]["contacts"]) == sorted([contacts["helene@monde.example"],
                                                                 contacts["zoe@figaro.example"]])


# Two stewards scanning one pass at the same moment: one arrival, one step; the others are told when.
async def test_passes_scanned_at_once_write_one_arrival(http_client):
    import asyncio

    from contacts.services.invitations import door

    async with http_client() as client:
        list_id, contacts = await guest_list(client)
    helene = contacts["helene@monde.example"]
    await answered(list_id, helene, InvitationStatus.ACCEPTED)
    stewards = [accounts.Staff(id=0, username=name, role=accounts.Role.EVENTS, departments=frozenset({"events"}))
                for name in ("s1", "s2", "s3", "s4")]
    answers = await asyncio.gather(*[door.mark_arrived(steward, list_id, helene) for steward in stewards])
    assert sorted(answer.done for answer in answers) == [False, False, False, True]
    assert {answer.message for answer in answers if not answer.done} == {"Already arrived at %(time)s"}
    assert await InvitationStep.count().where(InvitationStep.step == GuestStep.ARRIVED) == 1
