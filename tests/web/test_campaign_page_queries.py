"""The campaign pages (staff and API) run the same number of queries whatever the number of campaigns shown."""

from __future__ import annotations

import contextlib

import pytest

from contacts.db.engine import engine
from contacts.services.campaigns import core as campaigns
from contacts.tables import Campaign
from tests.web.test_api_campaigns import token_for
from tests.web.test_staff_pages import signed_in

pytestmark = pytest.mark.usefixtures("database_url")
KINDS = ({"list_slugs": ["journalists"], "template": "newsletter-communications", "subject": "La lettre"},
         {"list_slugs": ["teachers"], "template": "newsletter-mediation", "subject": "Ateliers"})


@contextlib.contextmanager
def counted_queries(monkeypatch):
    """Counts the statements Piccolo sends (every query of these pages goes through `run_querystring`)."""
    kind = type(engine())  # its instances have slots: the method is wrapped on the class
    original = kind.run_querystring
    count = [0]

    async def counting(self, *args, **kwargs):
        count[0] += 1
        return await original(self, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(kind, "run_querystring", counting)
        yield count


async def add_campaigns(how_many: int) -> None:
    existing = len(await Campaign.select(Campaign.id))
    for n in range(existing, how_many):
        await campaigns.create(**KINDS[n % 2], actor="test")


async def test_the_campaign_pages_run_as_many_queries_for_fifty_campaigns_as_for_five(http_client, monkeypatch):
    dpo = await token_for("dominique", "dpo")  # sees the campaigns of every purpose
    queries: dict[int, tuple[int, int]] = {}
    async with http_client() as client:
        await signed_in(client, "paule", "dpo")
        for how_many in (5, 50):
            await add_campaigns(how_many)
            await client.get("/api/campaigns?per_page=50", headers=dpo)  # anything a first request warms up
            await client.get("/staff/campaigns/")
            with counted_queries(monkeypatch) as api:
                listed = (await client.get("/api/campaigns?per_page=50", headers=dpo)).json()
            with counted_queries(monkeypatch) as pages:
                page = await client.get("/staff/campaigns/")
            assert page.status_code == 200 and len(listed["items"]) == listed["total"] == how_many
            queries[how_many] = (api[0], pages[0])
    assert queries[5] == queries[50]
    assert all(0 < count < 30 for count in queries[50])


async def test_a_page_of_campaigns_is_each_campaign_as_it_is_read_alone():
    await add_campaigns(6)
    ids = [row["id"] for row in await Campaign.select(Campaign.id)]
    assert await campaigns.get_many([*reversed(ids), 10_000]) == [await campaigns.get(i) for i in reversed(ids)]
    assert await campaigns.get_many([]) == []
