"""REQ-53, a second pair of eyes: with approval required (for the whole installation or a purpose), the author
cannot approve their own campaign; a second account holding the approve permission does; an edit afterwards
withdraws it; a send or a schedule before approval is refused in the API, on the pages and on the command
line; every step is in the audit log and on the campaign's page. Scheduling through the API and the pages."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from contacts.i18n import PARIS
from contacts.services import catalogue
from contacts.services.campaigns import approvals
from contacts.services.campaigns import core as campaigns
from contacts.settings import get_settings, load_settings
from contacts.tables import AuditEvent, Campaign
from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
NEWSLETTER = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "La lettre",
              "body": "Bonjour.", "missing_language": "other"}


async def actions(campaign_id: int) -> list[tuple[str, str]]:
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.actor).where(
        AuditEvent.object_id == str(campaign_id), AuditEvent.object_type == "campaign").order_by(AuditEvent.id)
    return [(row["action"], row["actor"]) for row in rows]


def test_req53_contacts_approval_is_none_in_development_and_required_in_production():
    base = {"CONTACTS_DATABASE_URL": "sqlite:///x.db", "CONTACTS_SECRET_KEY": "k" * 32}
    production = {**base, "CONTACTS_ENV": "production", "CONTACTS_SMTP_URL": "smtp://relay.example:25",
                  "CONTACTS_BASE_URL": "https://contacts.musee.example"}
    assert load_settings(base).approval_required is False
    assert load_settings({**base, "CONTACTS_APPROVAL": "required"}).approval_required is True
    assert load_settings(production).approval_required is True
    assert load_settings({**production, "CONTACTS_APPROVAL": "none"}).approval_required is False
    with pytest.raises(Exception, match="CONTACTS_APPROVAL"):
        load_settings({**base, "CONTACTS_APPROVAL": "maybe"})


# REQ-53 in the API: refusals with their codes, the author's own approval refused, a second account approves,
# an edit withdraws the approval, and the steps in the audit log.
async def test_req53_api_approval_by_another_account_and_an_edit_withdraws_it(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr"])
    await catalogue.set_approval_required("communications-newsletter", True)
    author = await token_for("camille", "communications")
    colleague = await token_for("claude", "communications")  # a sender, without the approve permission
    lead = await token_for("lea", "communications_lead")
    async with http_client() as client:
        campaign = (await client.post("/api/campaigns", json=NEWSLETTER, headers=author)).json()
        path = f"/api/campaigns/{campaign['id']}"
        sent = await client.post(f"{path}/send", headers=author)
        assert sent.status_code == 409 and sent.json()["error"]["code"] == "approval_required"
        assert "needs approval" in sent.json()["error"]["message"]
        at = (datetime.now(PARIS) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
        early = await client.post(f"{path}/schedule", json={"at": at}, headers=author)
        assert early.status_code == 409 and early.json()["error"]["code"] == "approval_required"
        no_permission = await client.post(f"{path}/approve", headers=colleague)
        assert no_permission.status_code == 403 and no_permission.json()["error"]["code"] == "forbidden"
        await token_for("alex", "admin")  # an admin writes one and may not approve it either
        own = await client.post(f"{path}/approve", headers=lead)
        assert own.status_code == 200, own.text  # lea did not write it
        approved = own.json()
        assert (approved["status"], approved["approved_by"]) == ("approved", "staff:lea")
        # The author changes the body: the approval is withdrawn, and the send refused again.
        edited = await client.patch(path, json={"body": "Bonjour à tous."}, headers=author)
        assert edited.json()["status"] == "draft" and edited.json()["approved_by"] is None
        again = await client.post(f"{path}/send", headers=author)
        assert again.status_code == 409 and again.json()["error"]["code"] == "approval_required"
        assert (await client.post(f"{path}/approve", headers=lead)).json()["status"] == "approved"
        scheduled = await client.post(f"{path}/schedule", json={"at": at}, headers=author)
        assert scheduled.status_code == 200, scheduled.text
        assert scheduled.json()["campaign"]["status"] == "scheduled" and scheduled.json()["audience"]["receiving"] == 1
        # A lead's own campaign: refused to them (403, own_approval), approved by another lead.
        mine = (await client.post("/api/campaigns", json=NEWSLETTER, headers=lead)).json()
        refused = await client.post(f"/api/campaigns/{mine['id']}/approve", headers=lead)
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "own_approval"
        assert "another staff member" in refused.json()["error"]["message"]
        unscheduled = await client.post(f"{path}/unschedule", headers=author)
        assert unscheduled.json()["status"] == "approved"  # back to draft, its approval still of this content
        assert (await client.post(f"{path}/send", headers=author)).status_code == 202
    assert await actions(campaign["id"]) == [
        ("campaign.create", "staff:camille"), ("campaign.approve", "staff:lea"), ("campaign.edit", "staff:camille"),
        ("campaign.approval_withdrawn", "staff:camille"), ("campaign.approve", "staff:lea"),
        ("campaign.schedule", "staff:camille"), ("campaign.unschedule", "staff:camille"),
        ("campaign.send", "staff:camille")]


# REQ-53: CONTACTS_APPROVAL=required asks it of every purpose's campaigns; none leaves it to the purposes.
async def test_req53_the_installation_setting_asks_approval_of_every_campaign(monkeypatch, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr"])
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body="Bonjour.", actor="staff:camille")
    assert not approvals.needed(campaign)
    required = dataclasses.replace(get_settings(), approval_required=True)
    monkeypatch.setattr(approvals, "get_settings", lambda: required)
    assert approvals.needed(campaign)
    with pytest.raises(Exception, match="needs approval"):
        approvals.refuse_manual_start(campaign)


async def test_scheduling_through_the_api_refuses_a_past_or_badly_written_time_naming_at(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr"])
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        campaign = (await client.post("/api/campaigns", json=NEWSLETTER, headers=headers)).json()
        path = f"/api/campaigns/{campaign['id']}"
        for at in ("2020-01-01T09:30", "demain", "2031-02-30T09:30"):
            refused = await client.post(f"{path}/schedule", json={"at": at}, headers=headers)
            assert refused.status_code == 400 and refused.json()["error"]["field"] == "at", refused.text
        offset = await client.post(f"{path}/schedule", json={"at": "2031-03-10T09:30+01:00"}, headers=headers)
        assert offset.json()["campaign"]["scheduled_at"].startswith("2031-03-10T08:30")
        assert (await client.patch(path, json={"body": "Autre."}, headers=headers)).status_code == 409
        listed = (await client.get("/api/campaigns", headers=headers)).json()["items"][0]
        assert listed["status"] == "scheduled"
        assert (await client.post(f"{path}/unschedule", headers=headers)).json()["status"] == "draft"
        assert (await client.post(f"{path}/unschedule", headers=headers)).status_code == 409


# REQ-53 on the staff pages, in French: the author is refused, a lead approves with the button, the campaign is
# scheduled from its page, the dashboard lists it, and the timeline says who did what and when.
async def test_req53_pages_approve_schedule_and_show_the_timeline_in_french(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr"])
    await catalogue.set_approval_required("communications-newsletter", True)
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body="Bonjour.", actor="staff:camille",
                                      missing_language="other")
    page_path = f"/staff/campaigns/{campaign.id}"
    async with http_client() as author:
        token = await signed_in(author, "camille", language="fr")
        page = (await author.get(page_path)).text
        assert "a besoin de l’approbation d’un autre membre" in page
        assert f'action="{page_path}/approve"' not in page  # no button for the author
        refused = await author.post(f"{page_path}/send", data={"_csrf_token": token, "expected_count": "1"})
        assert refused.status_code == 409
        approve = await author.post(f"{page_path}/approve", data={"_csrf_token": token})
        assert approve.status_code == 403  # not a lead, and the author besides
    async with http_client() as lead:
        token = await signed_in(lead, "lea", "communications_lead", language="fr")
        page = (await lead.get(page_path)).text
        assert f'action="{page_path}/approve"' in page
        assert (await lead.post(f"{page_path}/approve", data={"_csrf_token": token})).status_code == 303
        bad = await lead.post(f"{page_path}/schedule", data={"_csrf_token": token, "at": "2020-01-01T10:00"})
        assert bad.status_code == 400 and "passé" in bad.text
        at = (datetime.now(PARIS) + timedelta(days=3)).replace(hour=9, minute=30)
        done = await lead.post(f"{page_path}/schedule", data={"_csrf_token": token, "at": at.strftime("%Y-%m-%dT%H:%M")})
        assert done.status_code == 303 and done.headers["location"].endswith("notice=scheduled")
        page = (await lead.get(page_path)).text
        assert "<strong>programmée</strong>" in page
        for words in ("créée par camille", "approuvée par lea", "programmée par lea", "Retour au brouillon"):
            assert words in page, words
        assert_reads_in_french(page, "the campaign page")
        dashboard = (await lead.get("/staff/")).text
        assert "Campagnes programmées" in dashboard and "La lettre" in dashboard
        back = await lead.post(f"{page_path}/unschedule", data={"_csrf_token": token})
        assert back.status_code == 303
    assert (await Campaign.select(Campaign.status).where(Campaign.id == campaign.id).first())["status"] == "draft"


async def test_purposes_page_sets_which_purposes_need_approval_for_admins_only(http_client):
    async with http_client() as admin:
        token = await signed_in(admin, "alex", "admin", language="fr")
        page = (await admin.get("/staff/purposes/")).text
        assert 'action="/staff/purposes/communications-newsletter/approval"' in page
        assert_reads_in_french(page, "the purposes page")
        saved = await admin.post("/staff/purposes/communications-newsletter/approval",
                                 data={"_csrf_token": token, "approval": "required"})
        assert saved.status_code == 303
    purposes = {purpose.code: purpose for purpose in await catalogue.purposes()}
    assert purposes["communications-newsletter"].approval_required and not purposes["press-information"].approval_required
    async with http_client() as sender:
        token = await signed_in(sender, "camille", language="fr")
        assert 'action="/staff/purposes/' not in (await sender.get("/staff/purposes/")).text
        refused = await sender.post("/staff/purposes/communications-newsletter/approval",
                                    data={"_csrf_token": token, "approval": "none"})
        assert refused.status_code == 403
    entries = await AuditEvent.select().where(AuditEvent.action == "purpose.approval")
    assert len(entries) == 1 and entries[0]["actor"] == "staff:alex"


# REQ-53 on the command line: a send or a schedule before approval is refused, naming why; a bad --at too.
def test_req53_the_command_line_refuses_to_send_or_schedule_before_approval(contacts_cli, tmp_path):
    body = tmp_path / "lettre.txt"
    body.write_text("Bonjour.", encoding="utf-8")
    assert "approval required" in contacts_cli("purpose", "approval", "communications-newsletter", "required").stdout
    listed = contacts_cli("purpose", "list").stdout
    assert "communications-newsletter" in listed and "required" in listed
    created = contacts_cli("campaign", "create", "--list", "journalists", "--template", "newsletter-communications",
                           "--subject", "La lettre", "--body", str(body)).stdout
    campaign_id = created.strip().splitlines()[-1]
    for args in (("send", campaign_id, "--yes"), ("schedule", campaign_id, "--at", "2031-03-10 09:30")):
        refused = contacts_cli("campaign", *args, check=False)
        assert refused.returncode == 2 and "needs approval" in refused.stderr, refused.stderr
    bad = contacts_cli("campaign", "schedule", campaign_id, "--at", "10/03/2031", check=False)
    assert bad.returncode == 2 and "--at" in bad.stderr and "2026-12-10 09:30" in bad.stderr
    assert "(draft)" in contacts_cli("campaign", "status", campaign_id).stdout
    contacts_cli("purpose", "approval", "communications-newsletter", "none")
    scheduled = contacts_cli("campaign", "schedule", campaign_id, "--at", "2031-03-10 09:30").stdout
    assert "will receive it: 0" in scheduled and "is scheduled for 10 March 2031 at 09:30 (Paris time)" in scheduled
    assert "is draft" in contacts_cli("campaign", "unschedule", campaign_id).stdout
