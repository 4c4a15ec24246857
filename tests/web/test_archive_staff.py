"""Marking a campaign for the public archive and withdrawing it (issue 23, item 5), through the API, the staff
pages and the command line: refused with the field named for what may not be archived, audited, never the
default."""

from __future__ import annotations

import pytest

from contacts.tables import AuditEvent, Campaign
from tests.web.test_api_campaigns import token_for
from tests.web.test_archive import import_readers, send
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")

PUBLIC = {"lists": ["public-newsletter"], "template": "newsletter-communications", "subject_fr": "La lettre",
          "body_fr": "Bonjour.", "missing_language": "other"}


async def test_the_api_marks_refuses_and_withdraws(tmp_path, http_client):
    headers = await token_for("camille", "communications")
    async with http_client() as client:
        plain = await client.post("/api/campaigns", json=PUBLIC, headers=headers)
        refused = await client.post("/api/campaigns", json={**PUBLIC, "lists": ["journalists"], "archive": True},
                                    headers=headers)
        marked = await client.post("/api/campaigns", json={**PUBLIC, "archive": True}, headers=headers)
        not_bool = await client.patch(f"/api/campaigns/{plain.json()['id']}", json={"archive": "yes"}, headers=headers)
        patched = await client.patch(f"/api/campaigns/{plain.json()['id']}", json={"archive": True}, headers=headers)
        refused_patch = await client.patch(f"/api/campaigns/{marked.json()['id']}", json={"lists": ["journalists"]},
                                           headers=headers)
    assert plain.status_code == marked.status_code == 201
    assert plain.json()["archive"] is False and marked.json()["archive"] is True  # never by default
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "archive"
    assert "journalists" in refused.json()["error"]["message"]
    assert not_bool.status_code == 400 and patched.status_code == 200 and patched.json()["archive"] is True
    assert refused_patch.status_code == 400 and refused_patch.json()["error"]["field"] == "archive"
    assert await Campaign.count() == 2
    await import_readers(tmp_path)
    await send(marked.json()["id"])
    async with http_client() as client:
        shown = await client.get(f"/archive/public-newsletter/{marked.json()['id']}")
        withdrawn = await client.post(f"/api/campaigns/{marked.json()['id']}/withdraw-from-archive", headers=headers)
        again = await client.post(f"/api/campaigns/{marked.json()['id']}/withdraw-from-archive", headers=headers)
        gone = await client.get(f"/archive/public-newsletter/{marked.json()['id']}")
    assert shown.status_code == 200 and gone.status_code == 410
    assert withdrawn.status_code == 200 and withdrawn.json()["archive_withdrawn_by"] == "staff:camille"
    assert again.status_code == 409
    rows = await AuditEvent.select(AuditEvent.actor, AuditEvent.object_id).where(
        AuditEvent.action == "campaign.archive_withdraw")
    assert rows == [{"actor": "staff:camille", "object_id": str(marked.json()["id"])}]


async def test_the_staff_form_has_the_box_and_the_page_withdraws(tmp_path, http_client):
    async with http_client() as client:
        csrf = await signed_in(client, "camille", language="fr")
        form = (await client.get("/staff/campaigns/")).text
        assert 'type="checkbox" id="archive" name="archive"' in form and "checked" not in form.split('id="archive"')[1][:60]
        refused = await client.post("/staff/campaigns/", data={"_csrf_token": csrf, "lists": "journalists",
                                                               "template": "newsletter-communications",
                                                               "subject_fr": "Presse", "archive": "on"})
        created = await client.post("/staff/campaigns/", data={"_csrf_token": csrf, "lists": "public-newsletter",
                                                               "template": "newsletter-communications",
                                                               "subject_fr": "La lettre", "archive": "on",
                                                               "missing_language": "other"})
        assert refused.status_code == 400 and "archive" in refused.text and created.status_code == 303
        campaign_id = int(created.headers["location"].split("/")[3].split("?")[0])
        editor = (await client.get(f"/staff/campaigns/{campaign_id}/edit")).text
        assert 'name="archive" value="on" aria-describedby="archive-hint" checked' in editor
        await import_readers(tmp_path)
        await send(campaign_id)
        page = (await client.get(f"/staff/campaigns/{campaign_id}")).text
        assert f'href="/archive/public-newsletter/{campaign_id}"' in page
        assert f'action="/staff/campaigns/{campaign_id}/withdraw-from-archive"' in page
        withdrawn = await client.post(f"/staff/campaigns/{campaign_id}/withdraw-from-archive",
                                      data={"_csrf_token": csrf})
        assert withdrawn.status_code == 303
        page = (await client.get(withdrawn.headers["location"])).text
    assert "Retirée de l\u2019archive publique le" in page and "par staff:camille" in page
    assert f'action="/staff/campaigns/{campaign_id}/withdraw-from-archive"' not in page
    assert (await Campaign.select(Campaign.archive).where(Campaign.id == campaign_id).first())["archive"]
