"""Every staff route × every role, and no credentials at all: each answers its expected status (REQ-7, REQ-24)."""

from __future__ import annotations

import re

import pytest

from contacts.services import campaigns, staff

pytestmark = pytest.mark.usefixtures("database_url")
PASSWORD = "correct horse battery staple"
ROLES = ("admin", "communications", "events", "partnerships", "mediation", "dpo", "read_only")
SENDERS_OF_NEWSLETTER = {"admin", "communications"}
VIEWERS_OF_NEWSLETTER = {"admin", "communications", "dpo", "read_only"}  # read_only: of communications
EVERYONE = set(ROLES)
INVITERS = {"admin", "communications", "events"}  # empowered for PR invitations, and may send


def expected(allowed: set[str], ok: int) -> dict[str, int]:
    return {role: ok if role in allowed else 403 for role in ROLES}


def api_routes(campaign_id: int) -> list[tuple[str, str, dict | None, dict[str, int]]]:
    newsletter = {"lists": ["journalists"], "template": "newsletter-communications", "subject": "x"}
    return [
        ("GET", "/api/lists", None, expected(EVERYONE, 200)),
        ("GET", "/api/campaigns", None, expected(EVERYONE, 200)),
        ("POST", "/api/campaigns", newsletter, expected(SENDERS_OF_NEWSLETTER, 201)),
        ("GET", f"/api/campaigns/{campaign_id}", None, expected(VIEWERS_OF_NEWSLETTER, 200)),
        ("GET", f"/api/campaigns/{campaign_id}/preview", None, expected(VIEWERS_OF_NEWSLETTER, 200)),
        ("GET", f"/api/campaigns/{campaign_id}/preview.eml", None, expected(VIEWERS_OF_NEWSLETTER, 200)),
        # A draft cannot be paused: the roles that may try get 409, the others 403 before that.
        ("POST", f"/api/campaigns/{campaign_id}/pause", None, expected(SENDERS_OF_NEWSLETTER, 409)),
        ("GET", "/api/contacts?q=presse", None, expected(EVERYONE, 200)),
        ("GET", "/api/suppression/counts", None, expected(EVERYONE, 200)),
        ("GET", "/api/suppression/check?email=a@b.example", None, expected(EVERYONE, 200)),
        ("POST", "/api/suppression", {"email": "stop@presse.example"}, expected(EVERYONE - {"read_only"}, 201)),
        ("GET", "/api/audit", None, expected({"admin", "dpo"}, 200)),
        ("GET", "/api/invitation-lists", None, expected(EVERYONE, 200)),
        ("POST", "/api/invitation-lists", {"name": "Gala", "lists": ["journalists"]}, expected(INVITERS, 201)),
    ]


def page_routes(campaign_id: int) -> list[tuple[str, dict[str, int]]]:
    return [
        ("/staff/", expected(EVERYONE, 200)),
        ("/staff/campaigns/", expected(EVERYONE, 200)),
        (f"/staff/campaigns/{campaign_id}", expected(VIEWERS_OF_NEWSLETTER, 200)),
        (f"/staff/campaigns/{campaign_id}/preview.html", expected(VIEWERS_OF_NEWSLETTER, 200)),
        ("/staff/contacts/?q=presse", expected(EVERYONE, 200)),
        ("/staff/suppression/", expected(EVERYONE, 200)),
        ("/staff/audit/", expected({"admin", "dpo"}, 200)),
        ("/staff/lists/", expected(EVERYONE, 200)),
        ("/staff/lists/journalists", expected(VIEWERS_OF_NEWSLETTER, 200)),
        ("/staff/invitations/", expected(EVERYONE, 200)),
        ("/staff/import/", expected(EVERYONE - {"dpo", "read_only"}, 200)),
    ]


async def accounts() -> dict[str, dict[str, str]]:
    headers = {}
    for role in ROLES:
        await staff.create_user(f"user-{role}", role, PASSWORD, ["communications"] if role == "read_only" else [])
        headers[role] = {"Authorization": f"Bearer {await staff.create_token(f'user-{role}', 'matrix')}"}
    return headers


async def newsletter_draft() -> int:
    draft = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications", subject="Draft",
                                   actor="test")
    return draft.id


# REQ-7, REQ-24
async def test_req7_req24_every_api_route_answers_each_role_as_expected(http_client):
    headers, campaign_id = await accounts(), await newsletter_draft()
    async with http_client() as client:
        seen, wanted = {}, {}
        for method, path, body, by_role in api_routes(campaign_id):
            seen[(path, "anonymous")] = (await client.request(method, path, json=body)).status_code
            wanted[(path, "anonymous")] = 401
            for role in ROLES:
                answer = await client.request(method, path, json=body, headers=headers[role])
                seen[(path, role)], wanted[(path, role)] = answer.status_code, by_role[role]
    assert seen == wanted


# REQ-7, REQ-24
async def test_req7_req24_every_staff_page_answers_each_role_as_expected(http_client):
    await accounts()
    campaign_id = await newsletter_draft()
    seen, wanted = {}, {}
    async with http_client() as client:
        for path, _ in page_routes(campaign_id):
            seen[(path, "anonymous")] = (await client.get(path)).status_code
            wanted[(path, "anonymous")] = 303
    for role in ROLES:
        async with http_client() as client:
            token = re.search(r'name="_csrf_token" value="([^"]+)"', (await client.get("/staff/login")).text).group(1)
            signed = await client.post("/staff/login", data={"_csrf_token": token, "username": f"user-{role}",
                                                             "password": PASSWORD})
            assert signed.status_code == 303
            for path, by_role in page_routes(campaign_id):
                seen[(path, role)], wanted[(path, role)] = (await client.get(path)).status_code, by_role[role]
    assert seen == wanted
