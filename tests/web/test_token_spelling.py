"""A recipient's link opens in the one spelling it was written in (REQ-32)."""

from __future__ import annotations

import pytest

from tests.web.test_unsubscribe import ONE_CLICK, status_of, subscriber, token_for  # noqa: F401 (a fixture)

pytestmark = pytest.mark.usefixtures("database_url")


# REQ-32: `==` or a NUL added to a genuine token makes it an unknown one: the answer is the same, nothing changes.
@pytest.mark.parametrize("added", ["==", "%00", "%3D", "%20"])
async def test_req32_a_genuine_token_with_something_added_does_not_open(http_client, subscriber, added):
    contact_id, list_id = subscriber
    token = token_for(contact_id, list_id)
    async with http_client() as client:
        altered = await client.post(f"/u/{token}{added}", data=ONE_CLICK)
        assert altered.status_code == 200 and await status_of(contact_id) == "subscribed"
        assert (await client.post(f"/u/{token}", data=ONE_CLICK)).status_code == 200
    assert await status_of(contact_id) == "unsubscribed"
