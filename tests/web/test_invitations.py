"""Event invitation lists: built from lists and filters, excluding objectors, suppressed and restricted
people, one invitation per person; sent as an invitation campaign with tokenised RSVP links; exported as
a logged disclosure."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from email import message_from_bytes, policy

import pytest

from contacts.db.engine import write_transaction
from contacts.domain import Channel
from contacts.event_tables import Invitation
from contacts.sending import worker
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Contact
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list
from tests.web.test_api_campaigns import token_for

pytestmark = pytest.mark.usefixtures("database_url")


async def guests_and_exclusions(tmp_path) -> None:
    await import_list(tmp_path, "journalists", [
        "ana@monde.example,Ana,A,fr", "bob@monde.example,Bob,B,en", "cy@figaro.example,Cy,C,fr",
        "dee@monde.example,Dee,D,fr", "eve@monde.example,Eve,E,fr"], header="email,first_name,last_name,language")
    await import_list(tmp_path, "vips", ["ana@monde.example,Ana,A,fr", "vic@vip.example,Vic,V,fr"],
                      header="email,first_name,last_name,language")
    await suppression.suppress("dee@monde.example", "objection", scope="purpose:pr-invitations", actor="test",
                               channel=Channel.OBJECTION_PAGE)
    await suppression.suppress("eve@monde.example", "manual", actor="test", channel=Channel.CLI)
    async with write_transaction():
        await Contact.update({Contact.status: "restricted"}).where(Contact.email == "vic@vip.example")


# REQ-20, REQ-21, REQ-42: objectors to PR invitations, suppressed and restricted people are left out and
# counted; a person on two lists is invited once; the events role builds it from the journalists and VIPs.
async def test_req21_a_guest_list_leaves_out_objectors_and_lists_each_person_once(http_client, tmp_path):
    await guests_and_exclusions(tmp_path)
    events = await token_for("eva", "events")
    async with http_client() as client:
        built = await client.post("/api/invitation-lists", json={"name": "Vernissage", "lists": ["journalists", "vips"]},
                                  headers=events)
        assert built.status_code == 201, built.text
        body = built.json()
        assert body["by_status"] == {"listed": 3}
        # The objection to PR invitations is a purpose-scoped do-not-contact entry: counted as suppressed.
        assert body["excluded"] == {"restricted": 1, "suppressed": 2}
        filtered = (await client.post("/api/invitation-lists", json={
            "name": "Le Monde", "lists": ["journalists"], "filters": {"organisation": "", "language": "en"}},
            headers=events)).json()
        assert filtered["by_status"] == {"listed": 1}
        guests = (await client.get(f"/api/invitation-lists/{body['id']}/guests", headers=events)).json()
        assert sorted(g["email"] for g in guests["items"]) == ["ana@monde.example", "bob@monde.example",
                                                               "cy@figaro.example"]
        mediation = await token_for("mona", "mediation")
        assert (await client.get(f"/api/invitation-lists/{body['id']}", headers=mediation)).status_code == 403
        bad = await client.post("/api/invitation-lists", json={"name": "x", "lists": ["journalists"],
                                                               "filters": {"colour": "red"}}, headers=events)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "filters"


# REQ-27, REQ-30: the invitation campaign reaches the guests only, with their own accept and decline links;
# a GET of a link changes nothing, its POST records the answer; attendance is marked at the door.
async def test_req30_invitations_carry_rsvp_links_that_record_answers(http_client, tmp_path, monkeypatch):
    await guests_and_exclusions(tmp_path)
    await import_list(tmp_path, "journalists", ["late@monde.example,Late,L,fr"],
                      header="email,first_name,last_name,language")
    events = await token_for("eva", "events")
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url)
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        async with http_client(settings) as client:
            guest_list = (await client.post("/api/invitation-lists", json={
                "name": "Vernissage", "lists": ["journalists", "vips"]}, headers=events)).json()
            # Somebody added to the list afterwards is not a guest.
            await import_list(tmp_path, "journalists", ["later@monde.example,Later,L,fr"],
                              header="email,first_name,last_name,language")
            campaign = await client.post(f"/api/invitation-lists/{guest_list['id']}/campaign",
                                         json={"subject": "Vernissage", "body": "Le 12 décembre."}, headers=events)
            assert campaign.status_code == 201, campaign.text
            campaign_id = campaign.json()["id"]
            assert (await client.post(f"/api/campaigns/{campaign_id}/send", headers=events)).status_code == 202
            await worker.drain_running(worker.SendOptions(concurrency=2, wait_for_retries=False))
            mail = {e.rcpt_tos[0]: message_from_bytes(e.original_content, policy=policy.default)
                    for e in server.handler.received}
            assert sorted(mail) == ["ana@monde.example", "bob@monde.example", "cy@figaro.example",
                                    "late@monde.example"]
            text = mail["ana@monde.example"].get_body(("plain",)).get_content()
            accept, decline = re.findall(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]+)", text)
            assert (await client.get(accept)).status_code == 200
            invited = (await client.get(f"/api/invitation-lists/{guest_list['id']}", headers=events)).json()
            assert invited["by_status"] == {"invited": 4}
            assert (await client.post(accept)).status_code == 200
            bob_text = mail["bob@monde.example"].get_body(("plain",)).get_content()
            bob_decline = re.findall(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]+)", bob_text)[1]
            await client.post(bob_decline)
            forged = await client.post(accept[:-4] + "AAAA")
            assert forged.status_code == 200 and forged.text.replace(accept[:-4] + "AAAA", "") \
                == (await client.post(accept)).text.replace(accept, "")
            ana = (await Contact.select(Contact.id).where(Contact.email == "ana@monde.example").first())["id"]
            marked = await client.post(f"/api/invitation-lists/{guest_list['id']}/attended", json={"contacts": [ana]},
                                       headers=events)
            assert marked.json() == {"marked": 1}
            await client.post(decline)  # a guest who came cannot be turned into one who declined
            final = (await client.get(f"/api/invitation-lists/{guest_list['id']}", headers=events)).json()
    assert final["by_status"] == {"accepted": 1, "declined": 1, "invited": 2}  # arriving is not an answer
    assert await Invitation.count() == 4


# REQ-8, REQ-18: an export names to whom and why, and which contacts it disclosed; it needs both.
async def test_req8_an_export_is_a_logged_disclosure(http_client, tmp_path):
    await guests_and_exclusions(tmp_path)
    events = await token_for("eva", "events")
    async with http_client() as client:
        guest_list = (await client.post("/api/invitation-lists", json={"name": "Dîner", "lists": ["journalists"]},
                                        headers=events)).json()
        missing = await client.get(f"/api/invitation-lists/{guest_list['id']}/export.csv?to=Traiteur&why=",
                                   headers=events)
        assert missing.status_code == 400 and missing.json()["error"]["field"] == "why"
        exported = await client.get(f"/api/invitation-lists/{guest_list['id']}/export.csv",
                                    params={"to": "Traiteur Dupont", "why": "badges d'accès"}, headers=events)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sorted(row["email"] for row in rows) == ["ana@monde.example", "bob@monde.example", "cy@figaro.example"]
    entry = await AuditEvent.select().where(AuditEvent.action == "export").first()
    details = entry["details"] if isinstance(entry["details"], dict) else json.loads(entry["details"])
    assert details["to"] == "Traiteur Dupont" and details["why"] == "badges d'accès" and len(details["contacts"]) == 3
    assert entry["actor"] == "staff:eva" and entry["purpose"] == "pr-invitations"


# REQ-10, REQ-20, REQ-21: whoever objected, was restricted or archived after the guest list was built is left
# out of its export, and the disclosure's audit entry counts them by reason.
async def test_req20_an_export_leaves_out_whoever_has_since_objected_or_been_restricted(http_client, tmp_path):
    await guests_and_exclusions(tmp_path)
    events = await token_for("eva", "events")
    async with http_client() as client:
        guest_list = (await client.post("/api/invitation-lists", json={"name": "Dîner", "lists": ["journalists"]},
                                        headers=events)).json()
        await suppression.suppress("ana@monde.example", "objection", scope="purpose:pr-invitations", actor="test",
                                   channel=Channel.OBJECTION_PAGE)
        async with write_transaction():
            await Contact.update({Contact.status: "restricted"}).where(Contact.email == "bob@monde.example")
            await Contact.update({Contact.status: "archived"}).where(Contact.email == "cy@figaro.example")
        exported = await client.get(f"/api/invitation-lists/{guest_list['id']}/export.csv",
                                    params={"to": "Traiteur Dupont", "why": "badges d'accès"}, headers=events)
    assert list(csv.DictReader(io.StringIO(exported.text))) == []
    entry = await AuditEvent.select().where(AuditEvent.action == "export").first()
    details = entry["details"] if isinstance(entry["details"], dict) else json.loads(entry["details"])
    assert details["contacts"] == [] and details["left_out"] == {"archived": 1, "restricted": 1, "suppressed": 1}
