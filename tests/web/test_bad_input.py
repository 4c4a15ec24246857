"""Bad input is a 4xx, never a 500, the same on both engines: control characters, bodies that cannot be
decoded, JSON nested too deep, numbers out of their column's range (issue 18, defects 3 to 6)."""

from __future__ import annotations

import pytest

from contacts.event_tables import InvitationList
from contacts.services.staff import accounts as staff
from contacts.tables import AuditEvent, Campaign, Contact
from contacts.tokens import TokenAction
from tests.web.conftest import contact_id, import_to, seal
from tests.web.test_api_campaigns import NEWSLETTER, token_for
from tests.web.test_staff_pages import PASSWORD, csrf_of, signed_in

pytestmark = pytest.mark.usefixtures("database_url")
BAD_MULTIPART = (b"--XyZ\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\n\xff\xfe\r\n--XyZ--\r\n")
MULTIPART = {"content-type": "multipart/form-data; boundary=XyZ"}


def refused(answer, field: str | None = None) -> bool:
    """A 400 with the API's error body, naming the field when one is given."""
    error = answer.json()["error"] if answer.headers.get("content-type", "").startswith("application/json") else {}
    return answer.status_code == 400 and (field is None or error.get("field") == field)


async def test_a_nul_in_an_api_body_or_query_is_a_400_naming_the_field(http_client, tmp_path):
    await import_to(tmp_path, "journalists", "ada@presse.example")
    communications = await token_for("camille", "communications")
    events = await token_for("eva", "events")
    dpo = await token_for("dominique", "dpo")
    async with http_client() as client:
        for field in ("subject", "body"):
            answer = await client.post("/api/campaigns", json={**NEWSLETTER, field: "La\x00lettre"},
                                       headers=communications)
            assert refused(answer, field), answer.text
        answer = await client.post("/api/invitation-lists", json={"name": "Ver\x00nissage", "lists": ["journalists"]},
                                   headers=events)
        assert refused(answer, "name"), answer.text
        answer = await client.post("/api/lists/journalists/subscriptions", headers=communications, json={
            "source_type": "given", "source_name": "Annuaire\x00", "contacts": [{"email": "bo@presse.example"}]})
        assert refused(answer, "source_name"), answer.text
        answer = await client.post("/api/lists/journalists/subscriptions", headers=communications, json={
            "source_type": "given", "source_name": "Annuaire", "contacts": [{"email": "bo@presse.example",
                                                                             "first_name": "B\x01o"}]})
        assert refused(answer, "contacts[0].first_name"), answer.text
        assert refused(await client.get("/api/contacts?q=%00", headers=communications), "q")
        assert refused(await client.get("/api/audit?actor=%00", headers=dpo), "actor")
        assert refused(await client.get("/api/contacts?q=ada%ff", headers=communications), "q")
        assert refused(await client.get("/api/contacts?q=%ED%A0%80", headers=communications), "q")  # a surrogate
        lone = await client.post("/api/campaigns", headers={**communications, "content-type": "application/json"},
                                 content=b'{"lists": ["journalists"], "template": "t", "subject": "\\ud800"}')
        assert refused(lone, "body"), lone.text
        # A line break is text in a body, but no parameter or one-line field needs one.
        assert refused(await client.get("/api/contacts?q=a%0Ab", headers=communications), "q")
        multiline = await client.post("/api/campaigns", json={**NEWSLETTER, "body": "Bonjour,\r\n\tà bientôt"},
                                      headers=communications)
        assert multiline.status_code == 201, multiline.text
    assert await Campaign.count() == 1 and await InvitationList.count() == 0
    assert await Contact.count() == 1


async def test_a_nul_on_staff_pages_is_an_error_page(http_client):
    async with http_client() as client:
        token = csrf_of((await client.get("/staff/login")).text)
        await staff.create_user("camille", "communications", PASSWORD, ())
        login = await client.post("/staff/login", data={"_csrf_token": token, "username": "camille\x00",
                                                        "password": PASSWORD})
        assert login.status_code == 400 and "text/html" in login.headers["content-type"]
        assert "Identifiant" in login.text  # the field by its name on the form
        token = await signed_in(client, "dominique", "dpo")
        for path in ("/staff/contacts/?q=%00", "/staff/audit/?actor=%00", "/staff/lists/journalists?status=%00",
                     "/staff/lists/jour%00nalists"):
            page = await client.get(path)
            assert page.status_code == 400 and "text/html" in page.headers["content-type"], path
        page = await client.post("/staff/campaigns/", data={"_csrf_token": token, "lists": "journalists",
                                                            "template": "newsletter-communications",
                                                            "subject": "La\x00lettre"})
        assert page.status_code == 400 and "Subject: " in page.text  # the field in words
    assert await Campaign.count() == 0


async def test_a_nul_on_recipients_pages_is_an_error_page(http_client, tmp_path):
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    async with http_client() as client:
        for path, form in ((f"/o/{seal(TokenAction.OBJECT, zoe, 0)}", {"scope": "all", "reason": "a\x00b"}),
                           ("/subscribe/public-newsletter", {"email": "lea@example.org", "first_name": "L\x00a"}),
                           ("/rights", {"request_type": "access", "email": "lea@example.org", "name": "L\x00a"}),
                           (f"/p/{seal(TokenAction.PREFERENCES, zoe)}", {"form": "lists", "language": "f\x00r"})):
            page = await client.post(path, data=form)
            assert page.status_code == 400 and "text/html" in page.headers["content-type"], path
        # A list's name in a recipient's path that cannot be one is an unknown list, as any other (REQ-25).
        assert (await client.get("/subscribe/public%00newsletter")).status_code == 404


@pytest.mark.parametrize("path", ["/rights", "/subscribe/public-newsletter", "/o/T", "/p/T", "/staff/login"])
async def test_a_multipart_body_that_is_not_utf8_is_a_400_page(http_client, tmp_path, path):
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    zoe = await contact_id("zoe@presse.example")
    path = path.replace("/o/T", f"/o/{seal(TokenAction.OBJECT, zoe, 0)}").replace(
        "/p/T", f"/p/{seal(TokenAction.PREFERENCES, zoe)}")
    async with http_client() as client:
        await client.get("/staff/login")
        answer = await client.post(path, content=BAD_MULTIPART, headers=MULTIPART)
        assert answer.status_code == 400 and "text/html" in answer.headers["content-type"], answer.text
        raw = await client.post(path, content=b"email=\xff\xfe", headers={
            "content-type": "application/x-www-form-urlencoded"})
        assert raw.status_code == 400 and "text/html" in raw.headers["content-type"], raw.text
        escaped = await client.post(path, content=b"email=%ff%fe", headers={
            "content-type": "application/x-www-form-urlencoded"})
        assert escaped.status_code == 400, escaped.text


async def test_deep_json_is_refused_and_a_token_is_checked_before_the_body(http_client):
    communications = await token_for("camille", "communications")
    deep = b"[" * 5000 + b"]" * 5000
    async with http_client() as client:
        anonymous = await client.post("/api/campaigns", content=deep, headers={"content-type": "application/json"})
        assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "unauthenticated"
        assert (await client.options("/api/campaigns")).status_code == 204  # reads nothing: no token needed
        signed = await client.post("/api/campaigns", content=deep, headers={
            "content-type": "application/json", **communications})
        assert refused(signed), signed.text
        nested = await client.post("/api/campaigns", headers=communications,
                                   json={**NEWSLETTER, "lists": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["journalists"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]})
        assert refused(nested), nested.text


@pytest.mark.parametrize("rate", [2**31, 2**63, -1, 0])
async def test_an_out_of_range_rate_is_a_400_naming_it(http_client, rate):
    communications = await token_for("camille", "communications")
    async with http_client() as client:
        answer = await client.post("/api/campaigns", json={**NEWSLETTER, "rate": rate}, headers=communications)
        assert refused(answer, "rate"), answer.text
        assert (await client.post("/api/campaigns", json={**NEWSLETTER, "rate": 2**31 - 1},
                                  headers=communications)).status_code == 201
    assert await Campaign.count() == 1


async def test_out_of_range_ids_and_counts_are_refused(http_client):
    communications = await token_for("camille", "communications")
    dpo = await token_for("dominique", "dpo")
    events = await token_for("eva", "events")
    async with http_client() as client:
        for path in ("/api/campaigns/99999999999", "/api/campaigns/9223372036854775808", "/api/contacts/-1",
                     "/api/campaigns?per_page=99999999999", "/api/campaigns?page=99999999999",
                     "/api/contacts?per_page=0"):
            answer = await client.get(path, headers=communications)
            assert answer.status_code in (400, 404), (path, answer.text)
        assert (await client.get("/api/audit?limit=99999999999", headers=dpo)).status_code == 400
        assert (await client.get("/api/audit?after_id=99999999999", headers=dpo)).status_code == 400
        guests = await client.post("/api/invitation-lists/1/attended", json={"contacts": [2**40]}, headers=events)
        assert guests.status_code in (400, 404), guests.text
    assert await AuditEvent.count().where(AuditEvent.action == "never") == 0


async def test_an_unknown_body_field_is_a_400_naming_it(http_client):
    """A misspelt field is not ignored: the body's schema takes no other property than its own."""
    dpo = await token_for("dominique", "dpo")
    async with http_client() as client:
        answer = await client.post("/api/suppression", json={"email": "ada@presse.example", "resaon": "manual"},
                                   headers=dpo)
        assert refused(answer, "resaon"), answer.text
        answer = await client.post("/api/campaigns", json={**NEWSLETTER, "x\x19": "\x19"},
                                   headers=await token_for("camille", "communications"))
        assert refused(answer), answer.text
    assert await Campaign.count() == 0
