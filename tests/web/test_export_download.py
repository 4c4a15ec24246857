"""`/d/{token}` (REQ-16, REQ-17): the answer's link opens a page of three formats; each download is read-only
and audited as the person's own; an expired, tampered, unknown or erased link gets one neutral page (REQ-25)."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from contacts.domain import RightsRequestStatus
from contacts.services.rights import erasure, propagation, rights_operations
from contacts.services.rights import export as subject_export
from contacts.services.staff import accounts as staff
from contacts.settings import get_settings
from contacts.tables import AuditEvent, RightsRequest
from contacts.tokens import LinkToken, TokenAction, codec_for
from tests.web.conftest import contact_id, import_to, mailbox, same_page  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "ana@presse.example"
FILES = ("export.json", "export.csv", "export.html")


async def answered(tmp_path, mailbox, kind="access") -> tuple[str, int]:
    """The /d/ path mailed by the answer to an access or portability request, and the request's id."""
    await import_to(tmp_path, "journalists", f"{ADDRESS},=1+1", extra=",organisation")
    dpo = await staff.create_user("dpo", "dpo", "correct horse battery staple")
    request = await rights_operations.create(dpo, kind, channel="staff", email=ADDRESS,
                                       identity_method="email from the address on file")
    assert (await rights_operations.answer(dpo, request.id)).status == RightsRequestStatus.ANSWERED
    return mailbox.link(ADDRESS, "/d/"), request.id


async def downloads() -> list[dict]:
    return await AuditEvent.select().where(AuditEvent.action == "subject.download").order_by(AuditEvent.id)


# REQ-16, REQ-17: the page offers the three formats, which hold the person's data.
@pytest.mark.parametrize("kind", ["access", "portability"])
async def test_req16_req17_the_mailed_link_downloads_every_format(tmp_path, mailbox, http_client, kind):
    link, request_id = await answered(tmp_path, mailbox, kind)
    async with http_client() as client:
        page = await client.get(link)
        assert page.status_code == 200 and 'lang="fr"' in page.text
        for name in FILES:
            assert f"{link}/{name}?lang=fr" in page.text
        assert page.headers["cache-control"] == "no-store" and page.headers["referrer-policy"] == "no-referrer"
        assert not await downloads()  # the page itself discloses nothing and records nothing

        answer = await client.get(f"{link}/export.json")
        assert answer.headers["content-type"].startswith("application/json")
        assert 'filename="mes-donnees.json"' in answer.headers["content-disposition"]
        data = answer.json()
        jsonschema.validate(data, subject_export.schema())
        assert data["contact"]["email"] == ADDRESS and data["language"] == "fr"
        assert [item["list"] for item in data["subscriptions"]] == ["journalists"]
        assert request_id in [item["reference"] for item in data["rights_requests"]]

        table = await client.get(f"{link}/export.csv")
        assert table.headers["content-type"] == "text/csv; charset=utf-8" and table.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(table.content.decode("utf-8-sig"))))
        assert ["contact", "1", "email", ADDRESS] in rows and ["contact", "1", "organisation", "'=1+1"] in rows

        summary = await client.get(f"{link}/export.html")
        assert summary.headers["content-type"].startswith("text/html") and '<html lang="fr">' in summary.text
        assert "Vos données personnelles" in summary.text and ADDRESS in summary.text
        english = await client.get(f"{link}/export.html?lang=en")
        assert '<html lang="en">' in english.text and "Your personal data" in english.text
    person = await contact_id(ADDRESS)
    entries = await downloads()
    assert [(row["actor"], row["role"], row["object_type"], row["object_id"]) for row in entries] == [
        ("recipient", "recipient", "contact", str(person))] * 4
    # REQ-18: the person's own downloads are no disclosure to a recipient.
    assert await propagation.disclosures_of(person) == []
    assert not await AuditEvent.exists().where(AuditEvent.action == "export")


# REQ-25: expired, tampered, unknown, another action's and erased links: one neutral page, never a 500.
async def test_req25_links_that_open_nothing_get_one_neutral_page(tmp_path, mailbox, http_client):
    link, request_id = await answered(tmp_path, mailbox)
    token = link.removeprefix("/d/")
    codec = codec_for(get_settings().secret_keys)
    expired = codec.seal(LinkToken(TokenAction.DOWNLOAD_EXPORT, 0, request_id, 0, int(time.time()) - 86400))
    other_action = codec.seal(LinkToken(TokenAction.UNSUBSCRIBE, 0, request_id, 0, 0))
    tampered = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    async with http_client() as client:
        pages = {name: await client.get(f"/d/{bad}") for name, bad in (
            ("expired", expired), ("tampered", tampered), ("other action", other_action), ("unknown", "x" * 40))}
        files = {name: await client.get(f"/d/{bad}/export.json") for name, bad in (
            ("expired", expired), ("tampered", tampered), ("unknown", "x" * 40))}
        files["unknown format"] = await client.get(f"{link}/export.pdf")
        await erasure.erase_contact(await contact_id(ADDRESS), actor="test", reason="test")
        pages["erased"] = await client.get(link)
        files["erased"] = await client.get(f"{link}/export.json")
    first = pages["erased"]
    for name, answer in pages.items():
        assert answer.status_code == 200, name
        assert same_page(answer.text, first.text), name
        assert ADDRESS not in answer.text and "export.json" not in answer.text, name
    for name, answer in files.items():
        assert answer.status_code == 404, name
        assert answer.headers["content-type"].startswith("text/html"), name
        assert same_page(answer.text, files["erased"].text), name
    assert not await downloads()


# REQ-16: the link opens until CONTACTS_EXPORT_LINK_DAYS after it was sent, and not a day longer.
async def test_req16_the_link_opens_a_day_before_expiry_and_not_a_day_after(tmp_path, mailbox, http_client):
    link, request_id = await answered(tmp_path, mailbox)
    days = get_settings().export_link_days
    sent = datetime.now(UTC)
    fresh = subject_export.export_link(request_id, now=sent - timedelta(days=days - 1)).removeprefix(
        get_settings().base_url)
    stale = subject_export.export_link(request_id, now=sent - timedelta(days=days + 1)).removeprefix(
        get_settings().base_url)
    async with http_client() as client:
        assert (await client.get(f"{fresh}/export.json")).status_code == 200
        assert (await client.get(f"{stale}/export.json")).status_code == 404
        assert "export.json" not in (await client.get(stale)).text


# REQ-30: a scanner's HEAD on the page changes nothing; the downloads take GET only.
async def test_req30_prefetching_the_page_changes_nothing(tmp_path, mailbox, http_client):
    link, request_id = await answered(tmp_path, mailbox)
    async with http_client() as client:
        head = await client.head(link)
        assert head.status_code == 200 and head.content == b""
        assert (await client.post(f"{link}/export.json")).status_code == 405
    assert not await downloads()
    assert (await RightsRequest.select(RightsRequest.status).where(RightsRequest.id == request_id).first())[
        "status"] == RightsRequestStatus.ANSWERED
