"""REQ-13: third-party contacts not told within one month of collection are flagged, to the day."""

from __future__ import annotations

from datetime import datetime

import pytest

from contacts.domain import DeliveryStatus, SourceType
from contacts.services.people import third_party_notice
from contacts.services.rights import requests as rights
from contacts.tables import Contact, Delivery
from tests.sending.test_campaign_send import import_list, new_campaign

pytestmark = pytest.mark.usefixtures("database_url")


def paris(year, month, day, hour=12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=rights.PARIS)


# REQ-13: collected on 31 January, the month ends on 28 February; flagged from 1 March, until a message is sent.
async def test_req13_unnoticed_third_party_contacts_are_flagged_after_one_month(tmp_path):
    await import_list(tmp_path, "journalists", ["ana@presse.example,Ana,A,fr", "ben@presse.example,Ben,B,fr"])
    await import_list(tmp_path, "vips", ["gil@vip.example,Gil,G,fr"], source_type=SourceType.GIVEN)
    await Contact.update({Contact.collected_at: paris(2027, 1, 31, 23)}, force=True)
    assert await third_party_notice.unnoticed(now=paris(2027, 2, 28, 23)) == []
    flagged = await third_party_notice.unnoticed(now=paris(2027, 3, 1, 9))
    assert [item.notice_due_on for item in flagged] == [rights.months_later(paris(2027, 1, 31).date(), 1)] * 2
    assert {item.source_name for item in flagged} == {"Annuaire presse"}
    ana = await Contact.select(Contact.id).where(Contact.email == "ana@presse.example").first()
    campaign = await new_campaign("journalists")
    list_id = (await Contact.raw("SELECT id FROM mailing_list WHERE slug = 'journalists'"))[0]["id"]
    await Delivery.insert(Delivery(campaign=campaign.id, contact=ana["id"], mailing_list=list_id,
                                   status=DeliveryStatus.SENT, message_id="<x@musee.example>"))
    still = await third_party_notice.unnoticed(now=paris(2027, 3, 1, 9))
    ben = await Contact.select(Contact.id).where(Contact.email == "ben@presse.example").first()
    assert [item.contact_id for item in still] == [ben["id"]]
