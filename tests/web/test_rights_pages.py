"""The rights desk's staff pages (REQ-14, REQ-15, REQ-19, REQ-23): a postal request recorded, its identity
checked with a document that is gone once checked, answered, and a death notice applied."""

from __future__ import annotations

import re

import pytest

from contacts.domain import ContactStatus, RightsRequestStatus
from contacts.tables import Contact, IdentityDocument, RightsRequest
from tests.web.conftest import contact_id, import_to, mailbox  # noqa: F401 - the fixture
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "ana@presse.example"


# REQ-14, REQ-15: recorded from a letter, shown by due date, identity checked, then answered.
async def test_req14_req15_a_postal_request_from_record_to_answer(http_client, tmp_path, mailbox):
    await import_to(tmp_path, "journalists", ADDRESS)
    async with http_client() as client:
        token = await signed_in(client, "dominique", "dpo")
        bad = await client.post("/staff/rights/", data={"_csrf_token": token, "request_type": "access",
                                                        "email": ADDRESS, "received_on": "31/01/2027"})
        assert bad.status_code == 400 and "received_on" in bad.text
        assert await RightsRequest.count() == 0
        made = await client.post("/staff/rights/", data={
            "_csrf_token": token, "request_type": "erasure", "channel": "staff", "email": ADDRESS,
            "name": "Ana", "language": "fr", "details": "Lettre du 2 mars : effacez tout."})
        assert made.status_code == 303
        page_path = made.headers["location"].split("?")[0]
        listed = await client.get("/staff/rights/")
        assert page_path in listed.text and "awaiting proof of identity" in listed.text
        dashboard = await client.get("/staff/")
        assert page_path in dashboard.text and "Every contact from a third-party source was told" in dashboard.text
        uploaded = await client.post(f"{page_path}/identity/documents", data={"_csrf_token": token},
                                     files={"document": ("id.png", b"\x89PNG fake scan", "image/png")})
        assert uploaded.status_code == 303
        scan = await client.post(f"{page_path}/identity/documents", data={"_csrf_token": token},
                                 files={"document": ("scan.pdf", b"%PDF" + b"0" * 3_000_000, "application/pdf")})
        assert scan.status_code == 303, "a 3 MB scan is within the documents' 10 MB, past the forms' 1 MB"
        document = re.search(rf'href="({page_path}/identity/documents/\d+)"', (await client.get(page_path)).text)
        shown = await client.get(document.group(1))
        assert shown.content == b"\x89PNG fake scan" and shown.headers["cache-control"] == "no-store"
        verified = await client.post(f"{page_path}/identity/verify", data={"_csrf_token": token,
                                                                           "method": "ID card checked"})
        assert verified.status_code == 303 and await IdentityDocument.count() == 0
        assert (await client.get(document.group(1))).status_code == 404
        refused = await client.post(f"{page_path}/refuse", data={"_csrf_token": token, "ground": "because"})
        assert refused.status_code == 400 and "ground" in refused.text
        answered = await client.post(f"{page_path}/answer", data={"_csrf_token": token})
        assert answered.status_code == 303
        request = await RightsRequest.select().first()
        assert (request["status"], request["identity_method"]) == (RightsRequestStatus.ANSWERED, "ID card checked")
        assert (await Contact.select(Contact.status).first())["status"] == ContactStatus.ERASED
        again = await client.post(f"{page_path}/answer", data={"_csrf_token": token})
        assert again.status_code == 409
    assert "effacées" in mailbox.messages_to(ADDRESS)[-1].get_body(("plain",)).get_content()


# REQ-23: a death notice on the contact's page; without instructions the data is kept, stored only.
async def test_req23_a_death_notice_from_the_contact_page(http_client, tmp_path, mailbox):
    await import_to(tmp_path, "journalists", ADDRESS)
    contact = await contact_id(ADDRESS)
    async with http_client() as client:
        token = await signed_in(client, "dominique", "dpo")
        page = await client.get(f"/staff/contacts/{contact}")
        assert "Record the death notice" in page.text and "No instructions" in page.text
        missing = await client.post(f"/staff/contacts/{contact}/death-notice", data={"_csrf_token": token})
        assert missing.status_code == 400
        noticed = await client.post(f"/staff/contacts/{contact}/death-notice",
                                    data={"_csrf_token": token, "verified_by": "certificate from the family"})
        assert noticed.headers["location"].endswith("notice=death-notice-kept")
        assert (await Contact.select(Contact.status).first())["status"] == ContactStatus.RESTRICTED
        other = await signed_in(client, "camille", "communications")
        assert "Record the death notice" not in (await client.get(f"/staff/contacts/{contact}")).text
        assert (await client.post(f"/staff/contacts/{contact}/death-notice", data={
            "_csrf_token": other, "verified_by": "x"})).status_code == 403


# REQ-9, REQ-13: the rights desk's dashboard says when the retention engine last ran and what it did.
async def test_req9_the_dashboard_shows_the_last_retention_run(http_client, tmp_path):
    from contacts.services.retention import daily

    async with http_client() as client:
        await signed_in(client, "dominique", "dpo")
        before = await client.get("/staff/")
        assert "The retention engine has not run yet" in before.text
        await daily.run_if_due()
        after = await client.get("/staff/")
    assert re.search(r"the last run, on \d{1,2} \w+ \d{4}, anonymised 0 and archived 0 contact\(s\), and held 0",
                     after.text)
