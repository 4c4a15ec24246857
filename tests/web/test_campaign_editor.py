"""Drafts through the API and the staff editor: per-language fields, edit, duplicate, delete, the audience
count and the confirmed start; the sandboxed HTML preview; test sends to several addresses; caught mail."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from contacts import devmail
from contacts.sending import worker
from contacts.settings import get_settings
from contacts.tables import AuditEvent, Campaign, Delivery
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import import_list
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")

BILINGUAL = {"lists": ["journalists"], "template": "newsletter-communications",
             "subject_fr": "La lettre", "body_fr": "Bonjour.", "preheader_fr": "À lire",
             "subject_en": "The letter", "body_en": "Hello.", "preheader_en": "To read"}
FRAMED = re.compile(r'<iframe[^>]*\ssandbox(\s|=""|>)[^>]*src="([^"]+)"')


def details(row: dict) -> dict:
    """An audit entry's details: JSON text on SQLite."""
    return json.loads(row["details"]) if isinstance(row["details"], str) else row["details"]


async def audit_actions(campaign_id: int) -> list[str]:
    return [row["action"] for row in await AuditEvent.select(AuditEvent.action)
            .where(AuditEvent.object_id == str(campaign_id)).order_by(AuditEvent.id)]


# REQ-8, REQ-7: the API edits, duplicates and deletes drafts, audited, within the caller's departments;
# a campaign that started is refused (409).
async def test_req8_api_edits_duplicates_and_deletes_drafts(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr", "bob@press.example,Bob,Lee,en"])
    headers = await token_for("camille", "communications")
    mediation = await token_for("mona", "mediation")
    async with http_client() as client:
        created = await client.post("/api/campaigns", json=BILINGUAL, headers=headers)
        assert created.status_code == 201, created.text
        campaign = created.json()
        assert (campaign["subject_en"], campaign["preheader_fr"], campaign["missing_language"]) == (
            "The letter", "À lire", None)
        path = f"/api/campaigns/{campaign['id']}"
        edited = await client.patch(path, json={"body_en": "Hello again.", "missing_language": "skip"}, headers=headers)
        assert edited.status_code == 200 and edited.json()["body_en"] == "Hello again."
        assert edited.json()["subject_fr"] == "La lettre" and edited.json()["missing_language"] == "skip"
        bad = await client.patch(path, json={"subject_en": "", "body_fr": "x"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["error"]["field"] == "subject_en"
        assert (await client.get(path, headers=headers)).json()["campaign"]["body_fr"] == "Bonjour."  # nothing half-saved
        unknown = await client.patch(path, json={"colour": "red"}, headers=headers)
        assert unknown.status_code == 400
        for method, suffix in ((client.patch, ""), (client.delete, ""), (client.post, "/duplicate")):
            kwargs = {"json": {"subject_fr": "x"}} if method == client.patch else {}
            answer = await method(f"{path}{suffix}", headers=mediation, **kwargs)
            assert answer.status_code == 403, (suffix, answer.text)
        copy = await client.post(f"{path}/duplicate", headers=headers)
        assert copy.status_code == 201 and copy.json()["id"] != campaign["id"] and copy.json()["body_en"] == "Hello again."
        audience = (await client.get(f"{path}/audience", headers=headers)).json()
        assert audience["receiving"] == 2 and audience["by_language"] == {"en": 1, "fr": 1}
        changed = await client.post(f"{path}/send", params={"confirm_count": 5}, headers=headers)
        assert changed.status_code == 409 and "2 recipients now" in changed.json()["error"]["message"]
        assert await Delivery.count() == 0
        started = await client.post(f"{path}/send", params={"confirm_count": 2}, headers=headers)
        assert started.status_code == 202 and started.json()["by_status"]["queued"] == 2
        for refused in (await client.patch(path, json={"subject_fr": "Autre"}, headers=headers),
                        await client.delete(path, headers=headers)):
            assert refused.status_code == 409 and "only a draft" in refused.json()["error"]["message"]
        deleted = await client.delete(f"/api/campaigns/{copy.json()['id']}", headers=headers)
        assert deleted.status_code == 204
        assert (await client.get(f"/api/campaigns/{copy.json()['id']}", headers=headers)).status_code == 404
    assert await audit_actions(campaign["id"]) == ["campaign.create", "campaign.edit", "campaign.send"]
    assert await audit_actions(copy.json()["id"]) == ["campaign.duplicate", "campaign.delete"]
    edit = await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "campaign.edit").first()
    assert details(edit) == {"fields": ["body_en", "missing_language"]}


async def test_api_takes_the_old_fields_as_french_and_refuses_both_forms(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["bob@press.example,Bob,Lee,en"])
    headers = await token_for("camille", "communications")
    old = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "La lettre", "body": "Bonjour."}
    async with http_client() as client:
        created = (await client.post("/api/campaigns", json=old, headers=headers)).json()
        assert (created["subject_fr"], created["body_fr"], created["subject_en"]) == ("La lettre", "Bonjour.", "")
        both = await client.post("/api/campaigns", json={**old, "subject_fr": "Autre"}, headers=headers)
        assert both.status_code == 400 and both.json()["error"]["field"] == "subject"
        wrong = await client.post("/api/campaigns", json={**old, "missing_language": "guess"}, headers=headers)
        assert wrong.status_code == 400 and "missing_language" in wrong.text
        # Bob speaks English, which has no version, and nothing was chosen: the start says what to set.
        refused = await client.post(f"/api/campaigns/{created['id']}/send", headers=headers)
        assert refused.status_code == 400 and refused.json()["error"]["field"] == "missing_language"
        assert "1 recipients" in refused.json()["error"]["message"]
        audience = (await client.get(f"/api/campaigns/{created['id']}/audience", headers=headers)).json()
        assert audience["undecided"] == 1 and audience["without_version"] == {"en": 1}


async def test_the_editor_previews_what_is_typed_in_a_sandboxed_frame_without_saving(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,Martin,fr", "bob@press.example,Bob,Lee,en"])
    async with http_client() as client:
        token = await signed_in(client, "camille")
        created = await client.post("/staff/campaigns/", data={"_csrf_token": token, "lists": "journalists",
                                                               "template": "newsletter-communications",
                                                               **{k: v for k, v in BILINGUAL.items() if k not in (
                                                                   "lists", "template")}})
        assert created.status_code == 303, created.text
        campaign_path = created.headers["location"].split("?")[0]
        page = await client.get(f"{campaign_path}/edit")
        assert page.status_code == 200 and 'name="subject_en" maxlength="300" value="The letter"' in page.text
        policy = page.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "frame-src 'self'" in policy and "unsafe-inline" not in policy
        frames = [src.replace("&amp;", "&") for _, src in FRAMED.findall(page.text)]
        assert len(frames) == 2 and 'width="390"' in page.text and 'width="640"' in page.text
        assert "allow-scripts" not in page.text and "allow-same-origin" not in page.text
        framed = await client.get(frames[0])
        assert framed.headers["content-security-policy"].startswith("default-src 'none'")
        assert "sandbox" in framed.headers["content-security-policy"] and "Bonjour." in framed.text
        # Preview, as Bob (a real member of the audience, who speaks English), of a body not saved yet.
        typed = {"_csrf_token": token, **{k: v for k, v in BILINGUAL.items() if k not in ("lists", "template")},
                 "body_en": "Hello, typed.", "to": "bob@press.example", "lang": "fr", "action": "preview",
                 "greeting": "first_name"}
        previewed = await client.post(f"{campaign_path}/edit", data=typed)
        assert previewed.status_code == 200 and "As bob@press.example" in previewed.text
        assert "Hello, typed." in previewed.text and "Dear Bob," in previewed.text
        frame = FRAMED.findall(previewed.text)[1][1].replace("&amp;", "&")
        assert "edits=true" in frame and "Hello, typed." in (await client.get(frame)).text
        campaign_id = int(campaign_path.rsplit("/", 1)[1])
        saved = await Campaign.select(Campaign.body_en).where(Campaign.id == campaign_id).first()
        assert saved["body_en"] == "Hello."  # a preview saves nothing
        stranger = await client.post(f"{campaign_path}/edit", data={**typed, "to": "nobody@example.org"})
        assert "is not in the audience: shown as a sample" in stranger.text
        live = await client.post(f"{campaign_path}/preview", data={**typed, "body_en": "Live."},
                                 headers={"x-csrftoken": token})
        assert live.status_code in (200, 201) and "Live." in live.json()["text"]
        bad = await client.post(f"{campaign_path}/edit", data={**typed, "subject_en": "", "action": "save"})
        assert bad.status_code == 400 and "subject_en" in bad.text
        saved = await client.post(f"{campaign_path}/edit", data={**typed, "action": "save"})
        assert saved.status_code == 303 and saved.headers["location"].endswith("?notice=edited")
    assert (await Campaign.select(Campaign.body_en).where(Campaign.id == campaign_id).first())["body_en"] == \
        "Hello, typed."
    assert "campaign.edit" in await audit_actions(campaign_id)


# REQ-8: a draft starts from its confirmation page only, whose form repeats the count; tests go to several
# addresses, each checked first; duplicates and deletes from the campaign page.
async def test_req8_staff_confirm_the_count_and_send_tests_to_several_addresses(http_client, tmp_path, monkeypatch):
    await import_list(tmp_path, "journalists", [f"j{i}@presse.example,J{i},D,fr" for i in range(3)])
    with TestSmtpServer() as server:
        settings = dataclasses.replace(get_settings(), smtp_url=server.url, mail_catcher=True,
                                       database_url=f"sqlite:///{tmp_path / 'x.db'}")
        monkeypatch.setattr(worker, "get_settings", lambda: settings)
        monkeypatch.setattr("contacts.sending.preview.get_settings", lambda: settings)
        async with http_client(settings) as client:
            token = await signed_in(client, "camille")
            created = await client.post("/staff/campaigns/", data={
                "_csrf_token": token, "lists": "journalists", "template": "newsletter-communications",
                "subject_fr": "La lettre", "body_fr": "Bonjour.", "subject_en": "The letter", "body_en": "Hello."})
            campaign_path = created.headers["location"].split("?")[0]
            campaign_id = int(campaign_path.rsplit("/", 1)[1])
            page = (await client.get(campaign_path)).text
            assert f'href="{campaign_path}/confirm"' in page and f'action="{campaign_path}/send"' not in page
            bad = await client.post(f"{campaign_path}/test", data={"_csrf_token": token,
                                                                   "to": "a@example.org, not-an-address"})
            assert bad.status_code == 400 and "not-an-address" in bad.text and not server.handler.received
            sent = await client.post(f"{campaign_path}/test", data={"_csrf_token": token,
                                                                    "to": "a@example.org,\nb@example.org"})
            assert sent.status_code == 303
            subjects = sorted((m.rcpt_tos[0], m.content.split(b"Subject: ")[1].split(b"\r\n")[0])
                              for m in server.handler.received)
            assert subjects == [("a@example.org", b"[TEST] La lettre"), ("a@example.org", b"[TEST] The letter"),
                                ("b@example.org", b"[TEST] La lettre"), ("b@example.org", b"[TEST] The letter")]
            unconfirmed = await client.post(f"{campaign_path}/send", data={"_csrf_token": token})
            assert unconfirmed.headers["location"] == f"{campaign_path}/confirm" and await Delivery.count() == 0
            confirm = (await client.get(f"{campaign_path}/confirm")).text
            assert "<strong>3</strong> recipients" in confirm and 'name="expected_count" value="3"' in confirm
            assert "Send to 3 recipients" in confirm
            stale = await client.post(f"{campaign_path}/send", data={"_csrf_token": token, "expected_count": "7"})
            assert stale.status_code == 409 and "3 recipients now" in stale.text and await Delivery.count() == 0
            copy = await client.post(f"{campaign_path}/duplicate", data={"_csrf_token": token})
            copy_path = copy.headers["location"].split("/edit")[0]
            assert copy.status_code == 303 and copy_path != campaign_path
            started = await client.post(f"{campaign_path}/send", data={"_csrf_token": token, "expected_count": "3"})
            assert started.status_code == 303 and started.headers["location"].endswith("?notice=sending")
            assert (await client.post(f"{campaign_path}/delete", data={"_csrf_token": token})).status_code == 409
            deleted = await client.post(f"{copy_path}/delete", data={"_csrf_token": token})
            assert deleted.headers["location"] == "/staff/campaigns/?notice=deleted"
    send = await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "campaign.send").first()
    assert details(send) == {"confirmed_count": 3}
    test = await AuditEvent.select(AuditEvent.details).where(AuditEvent.action == "campaign.test").first()
    assert details(test) == {"to": ["a@example.org", "b@example.org"]}
    assert await audit_actions(campaign_id) == ["campaign.create", "campaign.test", "campaign.send"]


async def test_caught_mail_shows_the_html_part_in_a_sandboxed_frame(http_client, tmp_path, monkeypatch):
    settings = dataclasses.replace(get_settings(), mail_catcher=True, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    settings.mail_catcher_dir.mkdir()
    raw = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: Hi\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/alternative; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nPlain hi\r\n"
           b"--X\r\nContent-Type: text/html\r\n\r\n<p style=\"color:red\">Rich hi</p><script>alert(1)</script>\r\n--X--\r\n")

    class Envelope:
        mail_from, rcpt_tos, original_content, content = "a@example.org", ["b@example.org"], raw, raw

    await devmail.CatchingHandler(settings.mail_catcher_dir).handle_DATA(None, None, Envelope)
    async with http_client(settings) as client:
        await signed_in(client, "dominique", "dpo")
        listing = (await client.get("/staff/mail/")).text
        message_path = re.search(r'href="(/staff/mail/[^"]+)"', listing).group(1)
        page = await client.get(message_path)
        assert "Plain hi" in page.text and "frame-src 'self'" in page.headers["content-security-policy"]
        assert "script-src" not in page.headers["content-security-policy"]  # no script on this page
        frames = [src for _, src in FRAMED.findall(page.text)]
        assert frames == [f"{message_path}/html"] * 2
        html = await client.get(frames[0])
        assert "Rich hi" in html.text and html.headers["content-security-policy"].startswith("default-src 'none'")
        assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none': no script runs
