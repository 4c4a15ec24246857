"""Staff sessions and sign-in (REQ-24): only ids the server issued, renewed at sign-in, rows only for sign-ins."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie

import pytest

from contacts.services.staff import accounts as staff
from contacts.tables import StaffSession
from tests.web.test_staff_pages import PASSWORD, csrf_of

pytestmark = pytest.mark.usefixtures("database_url")
INVENTED = "attacker-chosen-session-id-0001"


def set_cookies(answer) -> dict[str, str]:
    jar = SimpleCookie()
    for header in answer.headers.get_list("set-cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


async def sign_in_sending(client, session_id: str, username: str):
    """The issue's reproduction: every request carries `Cookie: contacts_staff=<session_id>`, as an attacker
    who planted it would have it; returns the sign-in's answer."""
    page = await client.get("/staff/login", headers={"Cookie": f"contacts_staff={session_id}"})
    csrf_cookie = set_cookies(page)["contacts_csrf"]
    return await client.post("/staff/login", data={"_csrf_token": csrf_of(page.text), "username": username,
                                                   "password": PASSWORD},
                             headers={"Cookie": f"contacts_staff={session_id}; contacts_csrf={csrf_cookie}"})


async def dashboard_with(client, session_id: str):
    return await client.get("/staff/", headers={"Cookie": f"contacts_staff={session_id}"})


async def test_req24_an_invented_session_id_is_never_adopted(http_client):
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as victim:
        answer = await sign_in_sending(victim, INVENTED, "camille")
        assert answer.status_code == 303
        issued = set_cookies(answer)["contacts_staff"]
        assert issued and issued != INVENTED and len(issued) == 64
        assert (await dashboard_with(victim, issued)).status_code == 200
    async with http_client() as attacker:
        answer = await dashboard_with(attacker, INVENTED)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/login")


async def test_req24_signing_in_renews_a_genuine_id_and_signing_out_ends_it(http_client):
    await staff.create_user("attacker", "read-only", PASSWORD, ["communications"])
    await staff.create_user("dominique", "dpo", PASSWORD)
    async with http_client() as attacker:
        planted = set_cookies(await sign_in_sending(attacker, "", "attacker"))["contacts_staff"]
        assert (await dashboard_with(attacker, planted)).status_code == 200
    async with http_client() as victim:
        issued = set_cookies(await sign_in_sending(victim, planted, "dominique"))["contacts_staff"]
        assert issued != planted
        assert (await dashboard_with(victim, planted)).status_code == 303  # the planted id is gone
        dashboard = await dashboard_with(victim, issued)
        assert dashboard.status_code == 200 and "dominique" in dashboard.text
        signed_out = await victim.post("/staff/logout", data={"_csrf_token": csrf_of(dashboard.text)}, headers={
            "Cookie": f"contacts_staff={issued}; contacts_csrf={victim.cookies['contacts_csrf']}"})
        assert signed_out.status_code == 303 and set_cookies(signed_out)["contacts_staff"] == ""
        assert (await dashboard_with(victim, issued)).status_code == 303
    assert await StaffSession.count() == 0


async def test_req24_anonymous_requests_store_no_session(http_client):
    """Only a sign-in stores a session: strangers, wrong passwords and invented cookies write no row."""
    await staff.create_user("camille", "communications", PASSWORD)
    async with http_client() as client:
        for n in range(40):
            for path in ("/staff/", "/staff/login", "/staff/campaigns/", "/staff/contacts/", f"/staff/nothing-{n}"):
                await client.get(path)
                await client.get(path, headers={"Cookie": f"contacts_staff=invented-{n}"})
        page = await client.get("/staff/login")
        refused = await client.post("/staff/login", data={"_csrf_token": csrf_of(page.text), "username": "camille",
                                                          "password": "not the password"})
        assert refused.status_code == 401 and "contacts_staff" not in set_cookies(refused)
        assert await StaffSession.count() == 0
        await client.post("/staff/login", data={"_csrf_token": csrf_of(page.text), "username": "camille",
                                                "password": PASSWORD})
        for _ in range(5):
            assert (await client.get("/staff/")).status_code == 200
        assert await StaffSession.count() == 1
    assert re.fullmatch(r"[0-9a-f]{64}", (await StaffSession.select().first())["key_hash"])
