"""The staff JSON API for campaigns: tokens, role scoping, the audit log and a send through the API."""

from __future__ import annotations

import dataclasses
import json

import pytest

from contacts.domain import Channel
from contacts.sending import worker
from contacts.services.people import suppression
from contacts.services.staff import accounts as staff
from contacts.settings import get_settings
from contacts.tables import ApiToken, AuditEvent, StaffUser
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"


async def token_for(username: str, role: str, *departments: str) -> dict[str, str]:
    await staff.create_user(username, role, PASSWORD, departments)
    return {"Authorization": f"Bearer {await staff.create_token(username, 'tests')}"}


NEWSLETTER = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "La lettre"}
MEDIATION = {"lists": ["teachers"], "template": "newsletter-mediation", "subject": "Ateliers"}


# REQ-24: every API route needs a valid token; a revoked token or a disabled account is refused.
async def test_req24_the_api_refuses_missing_wrong_and_revoked_tokens(http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        assert (await client.get("/api/campaigns")).status_code == 401
        wrong = await client.get("/api/campaigns", headers={"Authorization": "Bearer ct_forged"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
        assert wrong.json()["error"]["code"] == "unauthenticated"
        assert (await client.get("/api/campaigns", headers=headers)).status_code == 200
        await staff.set_active("camille", False)
        assert (await client.get("/api/campaigns", headers=headers)).status_code == 401
        await staff.set_active("camille", True)  # its old tokens stay revoked: test_staff_accounts.py
        assert (await client.get("/api/campaigns", headers=headers)).status_code == 401
        fresh = {"Authorization": f"Bearer {await staff.create_token('camille', 'tests')}"}
        assert (await client.get("/api/campaigns", headers=fresh)).status_code == 200
        assert await staff.revoke_token("camille", "tests") == 1
        assert (await client.get("/api/campaigns", headers=fresh)).status_code == 401


# REQ-24: passwords are kept as argon2 hashes, tokens as SHA-256 only; a wrong password and an unknown
# name get the same refusal.
async def test_req24_passwords_are_argon2_and_tokens_are_not_stored():
    headers = await token_for("dominique", "dpo")
    row = await StaffUser.select().where(StaffUser.username == "dominique").first()
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    token = headers["Authorization"].removeprefix("Bearer ")
    assert token not in str(await ApiToken.select())
    assert (await staff.authenticate("dominique", PASSWORD)).username == "dominique"
    refusals = []
    for name, password in (("dominique", "wrong password!!"), ("nobody", PASSWORD)):
        with pytest.raises(Exception) as caught:
            await staff.authenticate(name, password)
        refusals.append((type(caught.value), str(caught.value)))
    assert refusals[0] == refusals[1]


# REQ-7: the communications role gets 403 for the mediation list, and sees neither its lists nor its campaigns.
async def test_req7_a_role_acts_only_on_the_purposes_of_its_department(http_client):
    communications = await token_for("camille", "communications")
    mediation = await token_for("mona", "mediation")
    async with http_client() as client:
        refused = await client.post("/api/campaigns", json=MEDIATION, headers=communications)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
        theirs = (await client.post("/api/campaigns", json=MEDIATION, headers=mediation)).json()
        ours = (await client.post("/api/campaigns", json=NEWSLETTER, headers=communications)).json()
        slugs = {item["slug"] for item in (await client.get("/api/lists", headers=communications)).json()}
        assert "journalists" in slugs and not slugs & {"teachers", "town-halls", "associations", "partners"}
        listed = (await client.get("/api/campaigns", headers=communications)).json()
        assert [item["id"] for item in listed["items"]] == [ours["id"]]
        for path in ("", "/preview", "/send", "/pause", "/cancel"):
            method = client.get if path in ("", "/preview") else client.post
            assert (await method(f"/api/campaigns/{theirs['id']}{path}", headers=communications)).status_code == 403
        # A purpose named outright is checked too.
        named = await client.post("/api/campaigns", json={**NEWSLETTER, "purpose": "mediation-newsletter"},
                                  headers=communications)
        assert named.status_code == 403


# REQ-7: read-only accounts view their departments' campaigns but change nothing; the DPO sees every purpose
# and sends nothing.
async def test_req7_read_only_and_dpo_roles_view_but_do_not_send(http_client):
    communications = await token_for("camille", "communications")
    reader = await token_for("rene", "read_only", "communications")
    dpo = await token_for("dominique", "dpo")
    async with http_client() as client:
        created = (await client.post("/api/campaigns", json=NEWSLETTER, headers=communications)).json()
        for headers in (reader, dpo):
            assert (await client.get(f"/api/campaigns/{created['id']}", headers=headers)).status_code == 200
            assert (await client.post("/api/campaigns", json=NEWSLETTER, headers=headers)).status_code == 403
            assert (await client.post(f"/api/campaigns/{created['id']}/send", headers=headers)).status_code == 403


# REQ-27, REQ-8: a campaign created and sent through the API reaches the list; each step is in the audit log.
async def test_req27_req8_a_campaign_sent_through_the_api_is_delivered_and_audited(http_client, tmp_path,
                                                                                  monkeypatch):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,Jeanne{i},Dupont,fr" for i in range(5)])
    headers = await token_for("camille", "communications")
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)  # what `contacts worker` would send with
        async with http_client(settings) as client:
            created = await client.post("/api/campaigns", json=NEWSLETTER, headers=headers)
            assert created.status_code == 201
            campaign_id = created.json()["id"]
            preview = (await client.get(f"/api/campaigns/{campaign_id}/preview", headers=headers)).json()
            assert preview["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
            started = await client.post(f"/api/campaigns/{campaign_id}/send", headers=headers)
            assert started.status_code == 202
            assert started.json()["by_status"]["queued"] == 5 and started.json()["campaign"]["status"] == "running"
            assert started.json()["campaign"]["audience_built_at"]  # built before it runs
            await worker.drain_running(worker.SendOptions(concurrency=2, wait_for_retries=False))
            status = (await client.get(f"/api/campaigns/{campaign_id}", headers=headers)).json()
    assert status["by_status"]["sent"] == 5 and status["campaign"]["status"] == "finished"
    assert len(server.handler.received) == 5
    actions = [row["action"] for row in await AuditEvent.select(AuditEvent.action)
               .where(AuditEvent.object_id == str(campaign_id)).order_by(AuditEvent.id)]
    assert actions == ["campaign.create", "campaign.send"]


# REQ-8: the audit log is append-only, enforced by the database.
async def test_req8_the_audit_log_refuses_updates_and_deletes():
    from contacts.services import audit

    await audit.record("cli:test", "user.create", "staff_user", 1)
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.update({AuditEvent.action: "forged"}, force=True)
    with pytest.raises(Exception, match="append-only"):
        await AuditEvent.delete(force=True)
    assert await AuditEvent.count() == 1


async def test_api_lists_are_paginated_and_errors_name_the_field(http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        for n in range(3):
            await client.post("/api/campaigns", json={**NEWSLETTER, "subject": f"n°{n}"}, headers=headers)
        first = (await client.get("/api/campaigns?per_page=2", headers=headers)).json()
        second = (await client.get("/api/campaigns?per_page=2&page=2", headers=headers)).json()
        assert (first["total"], len(first["items"]), len(second["items"])) == (3, 2, 1)
        assert [item["subject"] for item in first["items"] + second["items"]] == ["n°2", "n°1", "n°0"]
        errors = {
            "per_page": await client.get("/api/campaigns?per_page=1000", headers=headers),
            "lists": await client.post("/api/campaigns", json={**NEWSLETTER, "lists": ["nowhere"]}, headers=headers),
            "subject": await client.post("/api/campaigns", json={**NEWSLETTER, "subject": " "}, headers=headers),
            "template": await client.post("/api/campaigns", json={k: v for k, v in NEWSLETTER.items()
                                                                  if k != "template"}, headers=headers),
        }
    for field, response in errors.items():
        assert response.status_code == 400, field
        assert response.json()["error"]["field"] == field, response.json()


# REQ-7, REQ-8: contacts are found only on the caller's lists; every view and search is audited, and only the
# DPO and admin read the audit log.
async def test_req7_req8_contacts_are_scoped_and_their_views_audited(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelace,en"])
    await import_list(tmp_path, "teachers", ["tom@ecole.example,Tom,Prof,fr"])
    communications = await token_for("camille", "communications")
    dpo = await token_for("dominique", "dpo")
    async with http_client() as client:
        found = (await client.get("/api/contacts?q=presse", headers=communications)).json()
        assert [item["email"] for item in found["items"]] == ["ada@presse.example"]
        assert (await client.get("/api/contacts?q=ecole", headers=communications)).json()["total"] == 0
        ada = found["items"][0]["id"]
        detail = (await client.get(f"/api/contacts/{ada}", headers=communications)).json()
        assert detail["contact"]["last_name"] == "Lovelace" and detail["contact"]["source_type"] == "third_party"
        assert [s["list"] for s in detail["subscriptions"]] == ["journalists"]
        assert detail["consent_history"] and detail["suppressions"] == []
        tom = (await client.get("/api/contacts?q=ecole", headers=dpo)).json()["items"][0]["id"]
        # Another department's contact answers exactly as no contact at all.
        hidden = await client.get(f"/api/contacts/{tom}", headers=communications)
        missing = await client.get("/api/contacts/999999", headers=communications)
        assert hidden.status_code == missing.status_code == 404
        assert (await client.get("/api/audit", headers=communications)).status_code == 403
        log = (await client.get("/api/audit?action=contact.view", headers=dpo)).json()
    assert [(e["actor"], e["object_id"], e["purpose"]) for e in log] == [
        ("staff:camille", str(ada), "communications-newsletter")]


# REQ-42, REQ-46: staff add suppressions (global, or a scope of their own purposes) and check addresses;
# counts by reason name no address.
async def test_req42_staff_suppress_check_and_count(http_client):
    communications = await token_for("camille", "communications")
    async with http_client() as client:
        added = await client.post("/api/suppression", json={"email": "Stop@Presse.example", "reason": "manual"},
                                  headers=communications)
        assert added.status_code == 201 and added.json()["created"] is True
        again = (await client.post("/api/suppression", json={"email": "stop@presse.example"},
                                   headers=communications)).json()
        assert again["created"] is False
        other = await client.post("/api/suppression", json={"email": "x@y.example", "scope": "list:teachers"},
                                  headers=communications)
        assert other.status_code == 403
        bad = await client.post("/api/suppression", json={"email": "not an address"}, headers=communications)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "email"
        check = (await client.get("/api/suppression/check?email=stop@presse.example", headers=communications)).json()
        assert check["suppressed"] is True and check["entries"][0]["scope"] == "global"
        counts = (await client.get("/api/suppression/counts", headers=communications)).json()
    assert counts == {"manual": 1}


# REQ-8: a correction is recorded in the consent ledger with old and new values, and audited; the address and
# unknown fields are refused, naming the field; another department's contact is not found.
async def test_req8_rectification_is_recorded_and_scoped(http_client, tmp_path):
    from contacts.tables import ConsentEvent

    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelase,en"])
    await import_list(tmp_path, "teachers", ["tom@ecole.example,Tom,Prof,fr"])
    communications = await token_for("camille", "communications")
    async with http_client() as client:
        ada = (await client.get("/api/contacts?q=ada", headers=communications)).json()["items"][0]["id"]
        fixed = await client.patch(f"/api/contacts/{ada}", json={"last_name": "Lovelace", "language": "en"},
                                   headers=communications)
        assert fixed.status_code == 200 and fixed.json() == {"changed": ["last_name"]}
        for body, field in (({"email": "x@y.example"}, "email"), ({"language": "de"}, "language"),
                            ({"first_name": "x" * 201}, "first_name")):
            refused = await client.patch(f"/api/contacts/{ada}", json=body, headers=communications)
            assert refused.status_code == 400 and refused.json()["error"]["field"] == field
        dpo = await token_for("dominique", "dpo")
        tom = (await client.get("/api/contacts?q=ecole", headers=dpo)).json()["items"][0]["id"]
        assert (await client.patch(f"/api/contacts/{tom}", json={"last_name": "X"},
                                   headers=communications)).status_code == 404
    event = await ConsentEvent.select().where(ConsentEvent.action == "rectified").first()
    details = event["details"] if isinstance(event["details"], dict) else json.loads(event["details"])
    assert details == {"fields": {"last_name": {"from": "Lovelase", "to": "Lovelace"}}}
    assert event["actor"] == "staff:camille" and event["channel"] == "staff"
    assert await AuditEvent.count().where(AuditEvent.action == "contact.rectify") == 1


# REQ-22, REQ-42: an opt-out received by post or phone is recorded by staff through the same path as a link's:
# the subscription ends, the list is suppressed, and the ledger names the staff member and the channel.
async def test_req22_staff_record_an_opt_out_and_list_members_show_it(http_client, tmp_path):
    from contacts.tables import ConsentEvent

    await import_list(tmp_path, "journalists", ["ada@presse.example,Ada,Lovelace,en", "bo@presse.example,Bo,B,fr"])
    communications = await token_for("camille", "communications")
    async with http_client() as client:
        members = (await client.get("/api/lists/journalists/members", headers=communications)).json()
        assert members["total"] == 2 and {m["status"] for m in members["items"]} == {"subscribed"}
        ada = next(m["contact_id"] for m in members["items"] if m["email"] == "ada@presse.example")
        recorded = await client.post(f"/api/contacts/{ada}/unsubscribe",
                                     json={"list": "journalists", "reason": "letter of 2 December"},
                                     headers=communications)
        assert recorded.status_code == 200 and recorded.json() == {"changed": True}
        again = await client.post(f"/api/contacts/{ada}/unsubscribe", json={"list": "journalists"},
                                  headers=communications)
        assert again.json() == {"changed": False}
        left = (await client.get("/api/lists/journalists/members?status=unsubscribed", headers=communications)).json()
        assert [m["email"] for m in left["items"]] == ["ada@presse.example"]
        assert (await client.get("/api/lists/teachers/members", headers=communications)).status_code == 403
    event = await ConsentEvent.select().where(ConsentEvent.action == "unsubscribed").first()
    assert (event["actor"], event["channel"], event["reason"]) == ("staff:camille", "staff", "letter of 2 December")
    assert [(e.scope, e.reason) for e in await suppression.entries_for("ada@presse.example")] == [
        ("list:journalists", "unsubscribe")]


# REQ-2, REQ-42, REQ-40: contacts subscribed through the API follow the import's rules: a suppressed address is
# not subscribed, a bad one is named by its place in the request, consent needs its proof.
async def test_req2_req42_api_subscriptions_follow_the_import_rules(http_client):
    communications = await token_for("camille", "communications")
    await suppression.suppress("stop@presse.example", "manual", actor="test", channel=Channel.CLI)
    body = {"source_type": "third-party", "source_name": "Annuaire presse", "contacts": [
        {"email": "ada@presse.example", "first_name": "Ada"}, {"email": "broken@"},
        {"email": "stop@presse.example"}]}
    async with http_client() as client:
        answer = await client.post("/api/lists/journalists/subscriptions", json=body, headers=communications)
        assert answer.status_code == 201, answer.text
        result = answer.json()
        assert (result["counts"]["subscribed"], result["counts"]["invalid"], result["counts"]["skipped_suppressed"]) \
            == (1, 1, 1)
        assert {(p["row"], p["outcome"]) for p in result["problems"]} == {("2", "invalid"), ("3", "skipped")}
        # the API speaks English, whatever the account's pages speak (French by default)
        assert "on the suppression list (manual); not subscribed" in {p["reason"] for p in result["problems"]}
        consent = await client.post("/api/lists/public-newsletter/subscriptions", headers=communications, json={
            **body, "legal_basis": "consent", "contacts": [{"email": "x@example.org"}]})
        assert consent.status_code == 400 and "consent" in consent.json()["error"]["message"]
        unknown = await client.post("/api/lists/journalists/subscriptions", headers=communications,
                                    json={**body, "contacts": [{"email": "a@b.example", "shoe_size": "42"}]})
        assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "contacts"
