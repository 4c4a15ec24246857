"""The public rights form (REQ-14, REQ-15, REQ-25, REQ-30): the request waits, its clock stopped, until the
link mailed to the address is confirmed; every address gets the same answer."""

from __future__ import annotations

import time

import pytest

from contacts.domain import RightsRequestStatus
from contacts.services.rights import form as rights_form
from contacts.tables import Restriction, RightsRequest
from tests.web.conftest import contact_id, import_to, mailbox, same_page  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("database_url")
KNOWN, STRANGER = "ana@presse.example", "nobody@ailleurs.example"


# REQ-25: a known address and a stranger get the same page; neither is linked to a contact before the click.
async def test_req25_every_address_gets_the_same_answer(http_client, tmp_path, mailbox):
    await import_to(tmp_path, "journalists", KNOWN)
    async with http_client() as client:
        form = await client.get("/rights", headers={"accept-language": "en"})
        assert form.status_code == 200 and 'lang="en"' in form.text and 'for="email"' in form.text
        answers = [await client.post("/rights", data={"request_type": "objection", "email": address})
                   for address in (KNOWN, STRANGER)]
        assert [answer.status_code for answer in answers] == [200, 200]
        assert same_page(answers[0].text, answers[1].text)
        bad = await client.post("/rights", data={"request_type": "everything", "email": KNOWN})
        assert bad.status_code == 400 and 'href="#request_type"' in bad.text
    rows = await RightsRequest.select().order_by(RightsRequest.id)
    assert [(row["status"], row["contact"]) for row in rows] == [(RightsRequestStatus.AWAITING_IDENTITY, None)] * 2
    assert mailbox.link(KNOWN, "/rights/verify/") and mailbox.link(STRANGER, "/rights/verify/")


# REQ-15, REQ-30: the GET shows a button and changes nothing; the POST verifies, once; the objection
# restricts the contact until answered (REQ-20), and the acknowledgement gives the due date (REQ-14).
async def test_req15_the_mailed_link_verifies_the_address(http_client, tmp_path, mailbox):
    await import_to(tmp_path, "journalists", KNOWN)
    async with http_client() as client:
        await client.post("/rights", data={"request_type": "objection", "email": KNOWN, "name": "Ana"})
        link = mailbox.link(KNOWN, "/rights/verify/")
        page = await client.get(link)
        assert page.status_code == 200 and f'action="{link}"' in page.text
        assert (await RightsRequest.select().first())["status"] == RightsRequestStatus.AWAITING_IDENTITY
        done = await client.post(link)
        assert done.status_code == 200
        request = await RightsRequest.select().first()
        assert (request["status"], request["identity_verified"], request["contact"]) == (
            RightsRequestStatus.IN_PROGRESS, True, await contact_id(KNOWN))
        assert request["identity_method"] == rights_form.VERIFIED_BY
        assert await Restriction.count() == 1
        assert "Nous y répondrons au plus tard" in mailbox.messages_to(KNOWN)[-1].get_body(("plain",)).get_content()
        used = await client.get(link)
        tampered = await client.get(link[:-3] + "abc")
        assert same_page(used.text, tampered.text) and "Je confirme ma demande" not in used.text


# REQ-15: the link expires.
async def test_req15_the_link_expires(tmp_path, mailbox):
    mail = await rights_form.submit("access", email=STRANGER)
    token = mail.verify_url.rsplit("/", 1)[1]
    from datetime import UTC, datetime

    late = datetime.fromtimestamp(time.time() + rights_form.VERIFY_DAYS * 86400 + 60, UTC)
    assert await rights_form.confirm(token, now=late) is None
    assert await rights_form.confirm(token) is not None
