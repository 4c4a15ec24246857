"""Statements whose values grow with the data are sent a page at a time: none binds more parameters than
PostgreSQL (32,767) or a stock SQLite (32,766) takes, or more values than a SQLite `IN` list holds here."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from contacts.db.bulk import bulk_session
from contacts.db.engine import write_transaction
from contacts.domain import CampaignStatus
from contacts.mail.message import message_id
from contacts.paging import pages
from contacts.services import catalogue
from contacts.services.campaigns import audience, bounces
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.people import suppression
from contacts.services.rights import propagation
from contacts.tables import AuditEvent, Delivery, Propagation
from tests.services.test_subject_export import person_with_history
from tests.sqlite_limits import stock_sqlite_parameter_limit  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("database_url", "stock_sqlite_parameter_limit")


def test_pages_cut_values_in_order_and_none_from_nothing():
    assert [list(page) for page in pages(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(pages([], 3)) == []


async def test_audience_facts_for_more_contacts_than_an_in_list_holds():
    probe = CampaignInfo(id=0, contents={}, template="newsletter-communications",
                         purpose=(await catalogue.purposes())[0], lists=(), status=CampaignStatus.DRAFT, rate=None,
                         created_by="test", created_at=datetime.now(UTC), started_at=None, finished_at=None)
    async with bulk_session() as session:
        assert await audience.facts_for(session, list(range(1, 12_001)), probe, suppression.keyring()) == {}


async def test_a_report_naming_forty_thousand_addresses_finds_its_delivery(tmp_path):
    _, person, _ = await person_with_history(tmp_path)
    sent = await Delivery.select(Delivery.campaign, Delivery.message_id).where(Delivery.contact == person).first()
    sent["message_id"] = message_id(b"k" * 32, sent["campaign"], person, "musee.example")
    async with write_transaction():
        await Delivery.update({Delivery.message_id: sent["message_id"]}).where(Delivery.contact == person)
    addresses = {f"n{n}@autre.example" for n in range(40_000)} | {"ana@presse.example"}
    found = await bounces.delivery_by_message_id(sent["message_id"], addresses)
    assert found is not None and (found.campaign_id, found.contact_id) == (sent["campaign"], person)


async def test_five_thousand_disclosures_are_each_passed_on(tmp_path):
    """REQ-18: each disclosure of a person gets its propagation, however many there were."""
    _, person, request_id = await person_with_history(tmp_path)
    now = datetime.now(UTC)
    async with bulk_session() as session, session.transaction():
        await session.insert("audit_event", ("occurred_at", "actor", "role", "action", "object_type", "object_id",
                                             "details"),
                             [(now, "staff:eva", "events", "export", "invitation_list", "1",
                               json.dumps({"to": f"Traiteur {n}", "contacts": [person]})) for n in range(5_000)])
    assert await AuditEvent.count().where(AuditEvent.action == "export") == 5_000
    assert await propagation.record_for(request_id, person, "erasure") == 5_000
    assert await Propagation.count() == 5_000
