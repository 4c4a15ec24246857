"""A guest list's export from the staff pages opens in a French spreadsheet: UTF-8 with a byte-order mark,
semicolons for French staff (commas when chosen), headers, answers and languages in the staff member's words,
one value per column however many commas and semicolons a cell holds; each export a logged disclosure (REQ-8)."""

from __future__ import annotations

import csv
import io

import pytest

from contacts.tables import AuditEvent
from tests.sending.test_campaign_send import import_list
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
HEADER = "email,first_name,last_name,organisation,language"
GUESTS = ["ana@monde.example,Anaïs,Dupré,\"Dupont; Fils, et Cie\",fr", "bob@times.example,Bob,Smith,The Times,en"]


async def guest_list(client, csrf) -> int:
    built = await client.post("/staff/invitations/", data={"_csrf_token": csrf, "name": "Vernissage",
                                                           "lists": "journalists"})
    assert built.status_code == 303, built.text
    return int(built.headers["location"].rsplit("/", 1)[1])


async def test_req8_a_french_member_of_staff_gets_semicolons_a_bom_and_french_words(http_client, tmp_path):
    await import_list(tmp_path, "journalists", GUESTS, header=HEADER)
    async with http_client() as client:
        csrf = await signed_in(client, "eva", "events", language="fr")
        list_id = await guest_list(client, csrf)
        # No separator chosen (a form posted without it): a French account gets semicolons.
        exported = await client.post(f"/staff/invitations/{list_id}/export",
                                     data={"_csrf_token": csrf, "to": "Traiteur Dupont", "why": "badges"})
    assert exported.status_code == 200 and exported.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["civilité", "prénom", "nom", "organisme", "fonction", "courriel", "langue", "réponse"]
    assert all(len(row) == len(rows[0]) for row in rows)
    assert sorted(rows[1:]) == [
        ["", "Anaïs", "Dupré", "Dupont; Fils, et Cie", "", "ana@monde.example", "français", "sur la liste"],
        ["", "Bob", "Smith", "The Times", "", "bob@times.example", "anglais", "sur la liste"]]
    assert await AuditEvent.count().where(AuditEvent.action == "export", AuditEvent.actor == "staff:eva") == 1


async def test_commas_when_chosen_and_english_words_for_an_english_account(http_client, tmp_path):
    await import_list(tmp_path, "journalists", GUESTS, header=HEADER)
    async with http_client() as client:
        csrf = await signed_in(client, "ed", "events", language="en")
        list_id = await guest_list(client, csrf)
        page = await client.get(f"/staff/invitations/{list_id}")
        assert '<option value="," selected>' in page.text  # an English account's default
        exported = await client.post(f"/staff/invitations/{list_id}/export", data={
            "_csrf_token": csrf, "to": "Caterer", "why": "badges", "separator": ","})
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["title", "first name", "last name", "organisation", "position", "email", "language", "answer"]
    assert all(len(row) == 8 for row in rows) and {row[6] for row in rows[1:]} == {"French", "English"}
