"""The import page's row report gives each reason in the staff member's language; the CLI's report stays
English. Service errors are catalogue messages: English as before, French where a page asks for it."""

from __future__ import annotations

import html
import re

import pytest

from contacts.errors import NotFoundError, ValidationError
from contacts.services.importing.rows import reason_in
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")

CONTENT = ("email;nom;telephone\nada@presse.example;Lovelace;\nada@presse.example;Again;\n"
           "bob@presse.example;Bob;call me\n").encode()


async def preview_as(client, username: str, language: str) -> str:
    token = await signed_in(client, username, language=language)
    form = {"_csrf_token": token, "list_slug": "journalists", "source_type": "third_party",
            "source_name": "Annuaire presse"}
    page = await client.post("/staff/import/preview", data=form, files={"file": ("presse.csv", CONTENT, "text/csv")})
    assert page.status_code == 200, page.text
    return page.text


def reasons(page: str) -> list[str]:
    cells = re.findall(r"<tr><td>\d+</td><td>[^<]*</td><td>[^<]*</td><td>(.*?)</td></tr>", page)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)) for cell in cells]


# The staff pages speak the account's language: the row report's reasons too.
async def test_the_row_report_is_in_the_staff_members_language(http_client):
    async with http_client() as client:
        french = reasons(await preview_as(client, "camille", "fr"))
    assert any("n’est pas un numéro de téléphone" in reason for reason in french), french
    assert any(reason.startswith("doublon de la ligne 2") for reason in french), french
    async with http_client() as client:
        english = reasons(await preview_as(client, "alex", "en"))
    assert "'call me' is not a phone number" in english and "duplicate of row 2" in english, english


def test_a_reason_is_english_as_written_and_french_from_the_catalogue():
    assert reason_in("en", "duplicate of row %(first)s", {"first": 4}) == "duplicate of row 4"
    assert reason_in("fr", "duplicate of row %(first)s", {"first": 4}) == "doublon de la ligne 4"
    assert reason_in("fr", "an unknown library message, 100% as it is", {}) == \
        "an unknown library message, 100% as it is"


def test_service_errors_keep_their_english_and_say_it_in_french():
    error = NotFoundError("no contact %(contact_id)s", contact_id=7)
    assert str(error) == "no contact 7" and error.said_in("fr") == "aucun contact 7"
    invalid = ValidationError("per_page", "must be between 1 and %(limit)s", limit=100)
    assert invalid.message == "must be between 1 and 100"
    assert invalid.said_in("fr") == "Par page: doit être compris entre 1 et 100"  # the field in words
