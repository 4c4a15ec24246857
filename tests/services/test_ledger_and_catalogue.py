"""The consent ledger is append-only, and the seeded catalogue is what the privacy policy says."""

from __future__ import annotations

import pytest

from contacts.domain import Channel, EventAction, LegalBasis, RetentionRule
from contacts.services import catalogue
from contacts.services.people import ledger
from contacts.tables import ConsentEvent

pytestmark = pytest.mark.usefixtures("database_url")


# REQ-2: the proof is append-only, enforced by the database itself.
async def test_req2_consent_events_cannot_be_changed_or_deleted():
    await ledger.record(ledger.consent_event(EventAction.SUBSCRIBED, Channel.STAFF, "test", reason="first"))
    with pytest.raises(Exception, match="append-only"):
        await ConsentEvent.update({ConsentEvent.reason: "rewritten"}, force=True)
    with pytest.raises(Exception, match="append-only"):
        await ConsentEvent.delete(force=True)
    assert (await ConsentEvent.select(ConsentEvent.reason).first())["reason"] == "first"


EXPECTED_LISTS = {
    "journalists": "communications-newsletter",
    "vips": "communications-newsletter",
    "patrons": "communications-newsletter",
    "press-releases": "press-information",
    "teachers": "mediation-newsletter",
    "town-halls": "mediation-newsletter",
    "associations": "mediation-newsletter",
    "partners": "partnership-offers",
    "public-newsletter": "public-newsletter",
}
EXPECTED_BASES = {
    "press-information": LegalBasis.CONTRACT,
    "pr-invitations": LegalBasis.LEGITIMATE_INTEREST,
    "communications-newsletter": LegalBasis.LEGITIMATE_INTEREST,
    "mediation-newsletter": LegalBasis.LEGITIMATE_INTEREST,
    "partnership-offers": LegalBasis.LEGITIMATE_INTEREST,
    "public-newsletter": LegalBasis.CONSENT,
}


# REQ-1: every list has a purpose and its purpose one legal basis.
async def test_req1_seeded_lists_and_purposes_follow_the_policy():
    lists = {item.slug: item for item in await catalogue.lists()}
    assert {slug: item.purpose.code for slug, item in lists.items()} == EXPECTED_LISTS
    purposes = {p.code: p for p in await catalogue.purposes()}
    assert {code: p.default_legal_basis for code, p in purposes.items()} == EXPECTED_BASES
    assert [slug for slug, item in lists.items() if item.double_opt_in] == ["public-newsletter"]


# REQ-6, REQ-9: every purpose has a retention rule; REQ-7: and the departments empowered for it.
async def test_req6_req7_every_purpose_has_a_retention_rule_and_departments():
    for purpose in await catalogue.purposes():
        assert isinstance(purpose.retention_rule, RetentionRule)
        assert purpose.departments, purpose.code
        if purpose.retention_rule != RetentionRule.UNTIL_OBJECTION:
            assert purpose.retention_days, purpose.code
    purposes = {p.code: p for p in await catalogue.purposes()}
    assert "communications" not in purposes["mediation-newsletter"].departments
    assert purposes["public-newsletter"].retention_rule == RetentionRule.PROSPECT_3_YEARS


async def test_list_scopes_cover_global_purpose_and_list():
    journalists = await catalogue.list_by_slug("journalists")
    assert journalists.suppression_scopes == ("global", "purpose:communications-newsletter", "list:journalists")
