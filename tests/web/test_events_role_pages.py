"""The events role's pages: what the event team can act on (their guest lists, the lists they may draw from),
and no link that leads them to a refusal or to nothing."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from tests.sending.test_campaign_send import import_list
from tests.web.french_checks import assert_reads_in_french
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
LINK = re.compile(r'<a [^>]*href="(/staff/[^"#]*)"')
# Leaving, and the caught mail's and the language switch's own pages, are not pages of the event team's work.
NOT_FOLLOWED = re.compile(r"^/staff/(logout|language)")


async def crawl(client, start: str = "/staff/") -> dict[str, int]:
    """Every staff page reachable by links from `start`, with its status (GET only: nothing changes)."""
    seen: dict[str, int] = {}
    queue = [start]
    while queue and len(seen) < 200:
        path = queue.pop(0)
        if path in seen or NOT_FOLLOWED.match(path):
            continue
        answer = await client.get(path)
        seen[path] = answer.status_code
        if answer.status_code == 200 and answer.headers.get("content-type", "").startswith("text/html"):
            queue.extend(urljoin(path, link).split("#")[0] for link in LINK.findall(answer.text))
    return seen


async def test_no_link_on_the_events_pages_leads_to_a_refusal_or_nowhere(http_client, tmp_path):
    await import_list(tmp_path, "journalists", ["ana@monde.example,Ana,A,fr", "bob@monde.example,Bob,B,en"])
    await import_list(tmp_path, "vips", ["vic@vip.example,Vic,V,fr"])
    async with http_client() as client:
        csrf = await signed_in(client, "eva", "events", language="fr")
        built = await client.post("/staff/invitations/", data={"_csrf_token": csrf, "name": "Vernissage d’hiver",
                                                               "lists": ["journalists", "vips"]})
        assert built.status_code == 303
        seen = await crawl(client)
        dashboard = await client.get("/staff/")
        campaigns = await client.get("/staff/campaigns/")
    assert {path: status for path, status in seen.items() if status != 200} == {}
    assert built.headers["location"] in seen and "/staff/import/" not in seen  # nothing to import into
    assert 'id="new"' not in campaigns.text and 'href="/staff/invitations/"' in campaigns.text
    assert_reads_in_french(dashboard.text, "events dashboard")
    assert "Vernissage d’hiver" in dashboard.text and "contacts." not in dashboard.text
    journalists = re.search(r"<td>Journalistes</td><td>[^<]*</td><td>(\d+)</td>", dashboard.text)
    assert journalists and journalists[1] == "2"


async def test_a_communications_account_keeps_its_lists_import_and_new_campaign(http_client):
    async with http_client() as client:
        await signed_in(client, "camille", "communications", language="fr")
        dashboard = await client.get("/staff/")
        campaigns = await client.get("/staff/campaigns/")
    assert 'href="/staff/import/"' in dashboard.text and 'id="lists"' in dashboard.text
    assert 'id="new"' in campaigns.text
