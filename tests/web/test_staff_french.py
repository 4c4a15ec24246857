"""The staff pages in French by default, English as an account's choice, and a guest list that opens in a
French spreadsheet."""

from __future__ import annotations

import csv
import io
import re

import pytest

from contacts.services.staff import accounts as staff
from contacts.tables import StaffUser
from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_staff_pages import PASSWORD, csrf_of

pytestmark = pytest.mark.usefixtures("database_url")


async def sign_in(client, username: str) -> str:
    token = csrf_of((await client.get("/staff/login")).text)
    answer = await client.post("/staff/login", data={"_csrf_token": token, "username": username,
                                                     "password": PASSWORD})
    assert answer.status_code == 303
    return csrf_of((await client.get("/staff/")).text)


# REQ-24: the language switch is a staff form like the others: CSRF-protected, and stored on the account.
async def test_req24_french_by_default_and_english_by_choice(http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as client:
        token = await sign_in(client, "camille")
        french = (await client.get("/staff/")).text
        assert '<html lang="fr">' in french and "<h1>Tableau de bord</h1>" in french
        assert '<button type="submit" lang="en">English</button>' in french
        assert_reads_in_french(french, "/staff/")
        refused = await client.post("/staff/language", data={"language": "en", "next": "/staff/lists/"})
        assert refused.status_code == 403
        bad = await client.post("/staff/language", data={"_csrf_token": token, "language": "de"})
        assert bad.status_code == 400 and "Langue\u202f: " in bad.text  # the field by its name
        switched = await client.post("/staff/language", data={"_csrf_token": token, "language": "en",
                                                               "next": "/staff/lists/"})
        assert switched.status_code == 303 and switched.headers["location"] == "/staff/lists/"
        english = (await client.get("/staff/lists/")).text
        assert '<html lang="en">' in english and "<h1 id=\"lists\">Lists</h1>" in english
        assert '<button type="submit" lang="fr">Français</button>' in english
        # The error pages follow the choice too (they are drawn without the account).
        assert '<html lang="en">' in (await client.get("/staff/campaigns/999")).text
    assert await StaffUser.select(StaffUser.language).where(StaffUser.username == "camille").first() == {
        "language": "en"}
    assert (await staff.create_user("robin", "events", PASSWORD, language="en")).language == "en"


# REQ-8: a guest list from the French pages opens in a French spreadsheet: a byte-order mark, semicolons,
# French headers and words, accents intact, one value per column.
async def test_req8_a_guest_list_opens_in_a_french_spreadsheet(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["helene@presse.example,Hélène,Lefèvre; Dupré,fr"])
    await staff.create_user("eva", "events", PASSWORD)
    async with http_client() as client:
        token = await sign_in(client, "eva")
        built = await client.post("/staff/invitations/", data={"_csrf_token": token, "name": "Vernissage",
                                                               "lists": "journalists"})
        page = (await client.get(built.headers["location"])).text
        assert re.search(r'<option value=";" selected>point-virgule', page)
        refused = await client.post(f"{built.headers['location']}/export",
                                    data={"_csrf_token": token, "to": "", "why": "badges"})
        # The service's error, in the page's language
        assert refused.status_code == 400 and "Destinataire\u202f: indiquez à qui la liste est remise" in refused.text
        assert_reads_in_french(refused.text, "export refused")
        export = await client.post(f"{built.headers['location']}/export",
                                   data={"_csrf_token": token, "to": "Traiteur", "why": "badges", "separator": ";"})
    assert export.status_code == 200 and export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["civilité", "prénom", "nom", "organisme", "fonction", "courriel", "langue", "réponse"]
    assert rows[1][1:3] == ["Hélène", "Lefèvre; Dupré"] and rows[1][5:] == ["helene@presse.example", "français",
                                                                          "sur la liste"]
    assert all(len(row) == 8 for row in rows)


# Issue 21: what the walk through the French pages found in English or as codes — who a list is for in the
# record of processing, and the audit log's kinds of object and details.
async def test_register_and_audit_read_in_french(http_client):
    await staff.create_user("dominique", "dpo", PASSWORD)
    async with http_client() as client:
        await sign_in(client, "dominique")
        register = (await client.get("/staff/register/")).text
        assert "Journalistes et rédactions, à leur adresse professionnelle" in register
        assert "Journalists and editors" not in register
        audit = (await client.get("/staff/audit/")).text
    assert "compte du personnel" in audit and ">staff_user" not in audit
    assert_reads_in_french(audit, "/staff/audit/")


# Issue 21: a contact's page names its lists and purposes, and says the ledger's stored reasons, in French.
async def test_a_contact_page_reads_in_french(http_client, tmp_path):
    from contacts.tables import Contact

    await import_list(tmp_path, "journalists", ["helene@presse.example,Hélène,Lefèvre,fr"])
    contact = (await Contact.select(Contact.id).first())["id"]
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as client:
        await sign_in(client, "camille")
        page = (await client.get(f"/staff/contacts/{contact}")).text
    assert "importé depuis «\u202fAnnuaire presse\u202f»" in page and "imported from" not in page
    assert "<td>Journalistes</td>" in page and "<td>journalists</td>" not in page
    assert "communications-newsletter</td>" not in page
    assert_reads_in_french(page, "contact")
