"""A campaign's report (issue 24): audience and skipped by reason, sent, failed, bounces, complaints, and the
unsubscribes and objections through the campaign's own links, each as a count and a rate; the links' clicks
counted in aggregate (REQ-48); on the campaign's page in French with charts and their tables, in the API,
and as CSV for a French spreadsheet; the lists' trends and the dashboard's last campaigns."""

from __future__ import annotations

import csv
import io
import re

import pytest

from contacts.services.campaigns import clicks
from contacts.services.staff import accounts as staff
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_link_clicks import BROWSER, send
from tests.web.test_staff_french import sign_in
from tests.web.test_staff_pages import PASSWORD

pytestmark = pytest.mark.usefixtures("database_url")
ONE_CLICK = {"List-Unsubscribe": "One-Click"}


def link(message_html: str, path: str) -> str:
    return re.findall(rf"https?://[^/\s\"]+({re.escape(path)}[A-Za-z0-9_-]+)", message_html)[0]


async def sent_and_followed(tmp_path, client):
    """The campaign of tests.web.test_link_clicks: Zoé unsubscribes through its link, Hugo objects through
    his, Victor follows his English link twice and a scanner fetches it once."""
    sent = await send(tmp_path)
    _, zoe = sent.parts("zoe@presse.example")
    _, hugo = sent.parts("hugo@presse.example")
    assert (await client.post(link(zoe, "/u/"), data=ONE_CLICK)).status_code == 200
    assert (await client.post(link(hugo, "/o/"), data={"scope": "purpose"})).status_code in (200, 303)
    (english,) = sent.counted("victor@vip.example")
    for agent in (BROWSER, BROWSER, "Mimecast URL protect"):
        assert (await client.get(english, headers={"User-Agent": agent})).status_code == 302
    await clicks.flush()
    return sent


async def test_req48_the_report_counts_opt_outs_through_the_campaign_and_its_clicks(tmp_path, http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    token = await staff.create_token("camille", "tests")
    async with http_client() as client:
        sent = await sent_and_followed(tmp_path, client)
        answer = await client.get(f"/api/campaigns/{sent.campaign_id}/report",
                                  headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    report = answer.json()
    figures = {item["name"]: item for item in report["figures"]}
    assert figures["audience"]["count"] == 3 and figures["sent"]["count"] == 3
    assert figures["unsubscribes"] == {"name": "unsubscribes", "count": 1, "rate": pytest.approx(1 / 3),
                                       "base": "sent"}
    assert figures["objections"]["count"] == 1
    assert figures["hard_bounces"]["count"] == 0 and figures["complaints"]["rate"] == 0
    assert report["sent_at"] and report["duration_seconds"] is not None
    assert report["links"] == [{"language": "en", "url": "https://musee.example/en/expo", "clicks": 2,
                                "scanner_fetches": 1}]
    assert report["clicks_by_language"] == {"en": 2}
    assert sum(sum(moment["clicks"].values()) for moment in report["over_time"]) == 2


async def test_req48_the_report_page_in_french_with_charts_tables_and_a_french_csv(tmp_path, http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as client:
        sent = await sent_and_followed(tmp_path, client)
        await sign_in(client, "camille")
        page = (await client.get(f"/staff/campaigns/{sent.campaign_id}")).text
        download = await client.get(f"/staff/campaigns/{sent.campaign_id}/report.csv")
        dashboard = (await client.get("/staff/")).text
        trends = (await client.get("/staff/trends")).text
    assert_reads_in_french(page, "campaign report")
    assert "désinscriptions par cette campagne" in page and "oppositions par cette campagne" in page
    assert page.count('<svg class="chart"') == 2 and "<script" not in page
    assert "https://musee.example/en/expo" in page  # the table beside the chart
    assert download.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Indicateur", "Nombre", "Taux (%)", "Taux de"]
    by_name = {row[0]: row for row in rows if row}
    assert by_name["désinscriptions par cette campagne"][1:3] == ["1", "33,33"]
    assert ["en", "https://musee.example/en/expo", "2", "1"] in rows
    assert_reads_in_french(dashboard, "dashboard")
    assert "Les dernières campagnes" in dashboard and '<svg class="chart"' in dashboard
    assert_reads_in_french(trends, "trends")
    assert trends.count('<svg class="chart"') >= 4  # gained and lost, and size, per purpose and per list


async def test_req48_the_counting_switch_is_staff_s_and_audited(tmp_path, http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    token = await staff.create_token("camille", "tests")
    sent = await send(tmp_path)
    async with http_client() as client:
        answer = await client.put(f"/api/campaigns/{sent.campaign_id}/clicks", json={"count_clicks": False},
                                  headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 200 and answer.json() == {"id": sent.campaign_id, "count_clicks": False}
        bad = await client.put(f"/api/campaigns/{sent.campaign_id}/clicks", json={"count": False},
                               headers={"Authorization": f"Bearer {token}"})
        assert bad.status_code == 400


async def test_req48_leaving_through_the_campaign_s_preference_link_counts_for_it(tmp_path, http_client):
    """The preference centre reached from a campaign's message records that campaign on the opt-out, as the
    unsubscribe link does: the report counts it, and a link from elsewhere (campaign 0) does not."""
    from contacts.services.campaigns import core as campaigns
    from contacts.services.campaigns import report as reports

    sent = await send(tmp_path)
    _, victor = sent.parts("victor@vip.example")
    async with http_client() as client:
        answer = await client.post(link(victor, "/p/"), data={"form": "everything"})
        assert answer.status_code in (200, 303)
    found = await reports.report(await campaigns.get(sent.campaign_id))
    assert found.figure("unsubscribes").count == 1
