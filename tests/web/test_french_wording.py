"""The purposes' descriptions in the person's language: the consent boxes of the signup form, the consent
proof they leave, and the preference centre (REQ-2, REQ-12)."""

from __future__ import annotations

import html
import json
import re

import pytest

from contacts.services import catalogue
from contacts.tables import PendingConsent
from contacts.tokens import TokenAction
from tests.web.conftest import contact_id, import_to, seal

pytestmark = pytest.mark.usefixtures("database_url")
SEEDED = ("press-information", "pr-invitations", "communications-newsletter", "mediation-newsletter",
          "partnership-offers", "public-newsletter")


def consent_boxes(page: str) -> list[str]:
    return [html.unescape(text) for text in re.findall(r'<label for="list-[^"]+">([^<]*)</label>', page)]


async def test_every_seeded_purpose_has_a_french_description():
    purposes = {purpose.code: purpose for purpose in await catalogue.purposes()}
    for code in SEEDED:
        purpose = purposes[code]
        assert purpose.description_fr and purpose.description_fr != purpose.description, code
        assert purpose.display_description("fr") == purpose.description_fr
        assert purpose.display_description("en") == purpose.description


# REQ-2: the words of a consent box are in one language, the page's, and read as sentences.
async def test_req2_the_consent_box_speaks_the_pages_language_only(http_client):
    async with http_client() as client:
        french = consent_boxes((await client.get("/subscribe/public-newsletter?lang=fr")).text)
        english = consent_boxes((await client.get("/subscribe/public-newsletter?lang=en")).text)
    # The purpose in the words written for the public, not the staff description ("who asked for it").
    assert french == ["J’accepte de recevoir les envois de la liste «\u202fLettre d’information\u202f». L’actualité "
                      "des expositions et des événements du musée. Je peux retirer mon consentement à tout moment."]
    assert english == ["I agree to receive the messages of the list “Public newsletter”. News of the museum's "
                       "exhibitions and events. I can withdraw my consent at any time."]
    assert ".." not in french[0] + english[0]


# REQ-2: the consent keeps the words the person ticked, those of the page, even when they chose the other
# language for their messages (the confirmation mail is in that one).
async def test_req2_the_proof_keeps_the_words_shown_not_those_of_the_mail(http_client, mailbox):
    async with http_client() as client:
        answer = await client.post("/subscribe/public-newsletter?lang=fr", data={
            "email": "anne@example.org", "language": "en", "lists": "public-newsletter"})
    assert answer.status_code == 200
    row = await PendingConsent.select(PendingConsent.lists, PendingConsent.language).first()
    lists = row["lists"] if isinstance(row["lists"], list) else json.loads(row["lists"])
    assert row["language"] == "en"
    assert lists[0]["wording"].startswith(
        "J’accepte de recevoir les envois de la liste «\u202fLettre d’information\u202f». L’actualité des expositions")
    assert mailbox.messages_to("anne@example.org")[-1]["Subject"] == "Please confirm your subscription"


# The preference centre says what each purpose is for, in the page's language; turning a list back on
# records the page's words as the consent's wording.
async def test_the_preference_centre_describes_purposes_in_the_pages_language(http_client, tmp_path, mailbox):
    await import_to(tmp_path, "teachers", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    token = seal(TokenAction.PREFERENCES, zoe)
    async with http_client() as client:
        french = await client.get(f"/p/{token}?lang=fr")
        english = await client.get(f"/p/{token}?lang=en")
        await client.post(f"/p/{token}?lang=en", data={"form": "lists", "shown": "teachers", "language": "fr"})
        await client.post(f"/p/{token}?lang=fr", data={"form": "lists", "shown": "teachers", "keep": "teachers",
                                                       "language": "en"})
    assert "La lettre de la médiation, adressée aux mairies, aux enseignants et aux associations." in french.text
    assert "town halls" not in french.text
    assert "The mediation newsletter to town halls, teachers and community associations." in english.text
    row = await PendingConsent.select(PendingConsent.lists).first()
    lists = row["lists"] if isinstance(row["lists"], list) else json.loads(row["lists"])
    assert lists[0]["wording"].startswith(
        "J’accepte de recevoir les envois de la liste «\u202fEnseignants\u202f». Les activités de médiation du musée")
