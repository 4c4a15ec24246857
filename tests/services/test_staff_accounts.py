"""Staff accounts (REQ-24): how passwords are checked, and what disabling an account ends."""

from __future__ import annotations

import asyncio
import threading

import argon2
import pytest

from contacts.services.staff import accounts as staff
from contacts.tables import ApiToken, StaffSession
from tests.web.test_staff_pages import PASSWORD, signed_in

pytestmark = pytest.mark.usefixtures("database_url")


class SpyHasher:
    """The real hasher, with a call to make on each verification."""

    def __init__(self, real: argon2.PasswordHasher, on_verify) -> None:
        self.real, self.on_verify = real, on_verify

    def verify(self, password_hash: str, password: str) -> bool:
        self.on_verify(password_hash)
        return self.real.verify(password_hash, password)

    def __getattr__(self, name: str):
        return getattr(self.real, name)


# REQ-24: argon2 runs off the event loop, and an unknown name is checked against a hash of the same cost.
async def test_req24_passwords_are_checked_off_the_event_loop_at_the_same_cost_for_any_name(monkeypatch):
    await staff.create_user("camille", "communications", PASSWORD)
    loop_thread, checked = threading.get_ident(), []
    monkeypatch.setattr(staff, "_hasher", SpyHasher(staff._hasher, lambda password_hash: checked.append(
        (threading.get_ident() != loop_thread, argon2.extract_parameters(password_hash)))))
    for name, password in (("camille", "not the password"), ("nobody", "not the password"),
                           ("nobody", PASSWORD)):
        with pytest.raises(staff.AuthenticationError):
            await staff.authenticate(name, password)
    assert (await staff.authenticate("camille", PASSWORD)).username == "camille"
    assert [off_loop for off_loop, _ in checked] == [True] * 4
    assert all(parameters == checked[0][1] for _, parameters in checked)


# REQ-24: a burst of sign-ins waits for the hashing threads, however many arrive; none is lost.
async def test_req24_a_burst_of_sign_ins_is_hashed_a_bounded_number_at_a_time(monkeypatch):
    await staff.create_user("camille", "communications", PASSWORD)
    loop_thread, threads = threading.get_ident(), set()
    monkeypatch.setattr(staff, "_hasher", SpyHasher(staff._hasher, lambda _: threads.add(threading.get_ident())))
    results = await asyncio.gather(*(staff.authenticate("camille", f"guess {n}") for n in range(6)),
                                   return_exceptions=True)
    assert all(isinstance(result, staff.AuthenticationError) for result in results)
    assert loop_thread not in threads and len(threads) <= staff.HASHING_THREADS


# REQ-24: disabling an account revokes its API tokens and ends its sessions; enabling it brings neither back.
async def test_req24_disabling_an_account_revokes_its_tokens_and_sessions_for_good(contacts_cli, http_client):
    async with http_client() as client:
        await signed_in(client, "camille")
        token = await staff.create_token("camille", "script")
        bearer = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/api/campaigns", headers=bearer)).status_code == 200
        disabled = contacts_cli("user", "disable", "camille")
        enabled = contacts_cli("user", "enable", "camille")
        assert (await client.get("/api/campaigns", headers=bearer)).status_code == 401
        assert (await client.get("/staff/")).status_code == 303
        assert await StaffSession.count() == 0
        assert disabled.stdout.strip() == "user camille disabled; 1 API token revoked"
        assert enabled.stdout.strip() == "user camille enabled"
        assert await ApiToken.count().where(ApiToken.revoked_at.is_null()) == 0
        fresh = await staff.create_token("camille", "script")
        assert (await client.get("/api/campaigns", headers={"Authorization": f"Bearer {fresh}"})).status_code == 200
