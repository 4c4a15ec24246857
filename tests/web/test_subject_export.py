"""Access and portability (REQ-16, REQ-17): the answer mails an expiring link to everything held about the
person, as JSON against its documented schema, CSV and a readable summary in their language."""

from __future__ import annotations

import csv
import io
import json
import time
from importlib import resources

import jsonschema
import pytest

from contacts.domain import RightsRequestStatus
from contacts.services import erasure, rights_desk, staff, subject_export
from contacts.tables import AuditEvent, Contact, RightsRequest
from tests.web.conftest import import_to, mailbox, same_page  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "ana@presse.example"


async def answered_access(tmp_path, mailbox, kind="access") -> tuple[str, int]:
    await import_to(tmp_path, "journalists", ADDRESS)
    dpo = await staff.create_user("dpo", "dpo", "correct horse battery staple")
    request = await rights_desk.create(dpo, kind, channel="staff", email=ADDRESS,
                                       identity_method="email from the address on file")
    answered = await rights_desk.answer(dpo, request.id)
    assert answered.status == RightsRequestStatus.ANSWERED
    return mailbox.link(ADDRESS, "/d/"), request.id


def schema() -> dict:
    return json.loads(resources.files("contacts").joinpath("schemas/subject-export.schema.json").read_text())


# REQ-16, REQ-17
async def test_req16_req17_the_answer_mails_a_link_to_every_format(tmp_path, mailbox, http_client):
    link, _ = await answered_access(tmp_path, mailbox, "portability")
    async with http_client() as client:
        page = await client.get(link)
        assert page.status_code == 200 and f"{link}/export.json" in page.text
        data = (await client.get(f"{link}/export.json")).json()
        jsonschema.validate(data, schema())
        assert data["contact"]["email"] == ADDRESS
        assert [item["list"] for item in data["subscriptions"]] == ["journalists"]
        assert data["subscriptions"][0]["legal_basis"] and data["consent_events"]
        assert data["source"]["type"] and data["processing"][0]["retention"]  # (g), (d)
        assert "CNIL" in data["complaint"] and data["automated_decisions"]  # (f), (h)
        table = list(csv.reader(io.StringIO((await client.get(f"{link}/export.csv")).text)))
        assert table[0] == ["section", "item", "field", "value"]
        assert ["contact", "1", "email", ADDRESS] in table
        summary = await client.get(f"{link}/export.html")
        assert summary.status_code == 200 and ADDRESS in summary.text and 'lang="fr"' in summary.text
    downloads = await AuditEvent.select().where(AuditEvent.action == "subject.download")
    assert {row["role"] for row in downloads} == {"recipient"} and len(downloads) == 3
    # A person's own download is not a disclosure that erasure would have to propagate (REQ-18).
    assert not await AuditEvent.exists().where(AuditEvent.action == "export")


# REQ-17: a cell that a spreadsheet would run as a formula is quoted.
def test_req17_csv_cells_never_run_as_formulas():
    text = subject_export.as_csv({"contact": {"organisation": "=HYPERLINK(\"x\")", "phone": "+33 1 23"}})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][3] == "'=HYPERLINK(\"x\")" and rows[2][3] == "'+33 1 23"


# REQ-16: the link expires; a tampered or erased one shows nothing, as an expired one does.
async def test_req16_links_expire_and_tampered_or_erased_show_nothing(tmp_path, mailbox, http_client):
    link, request_id = await answered_access(tmp_path, mailbox)
    token = link.removeprefix("/d/")
    contact = (await RightsRequest.select(RightsRequest.contact).where(RightsRequest.id == request_id).first())["contact"]
    day = 86400
    assert await subject_export.open_link(token, now=time.time() + subject_export.LINK_DAYS * day - 60) == contact
    assert await subject_export.open_link(token, now=time.time() + subject_export.LINK_DAYS * day + 60) is None
    async with http_client() as client:
        tampered = await client.get(f"/d/{token[:-2]}xx/export.json")
        assert tampered.status_code == 404 and ADDRESS not in tampered.text
        await erasure.erase_contact(contact, actor="test", reason="test")
        erased = await client.get(f"{link}/export.json")
        assert erased.status_code == 404 and same_page(erased.text, tampered.text)
    assert await Contact.count().where(Contact.email == ADDRESS) == 0
