"""The record of processing (REQ-6) and its configuration errors."""

from __future__ import annotations

import pytest

from contacts.db.engine import write_transaction
from contacts.errors import ConfigurationError
from contacts.services import records_of_processing
from contacts.tables import Purpose

pytestmark = pytest.mark.usefixtures("database_url")


# REQ-6: a purpose whose rule counts a period, without the period, stops the records_of_processing.
async def test_req6_a_purpose_without_its_retention_period_is_a_configuration_error():
    assert len((await records_of_processing.build()).activities) == 6
    async with write_transaction():
        await Purpose.update({Purpose.retention_days: None}).where(Purpose.code == "public-newsletter")
    with pytest.raises(ConfigurationError, match="public-newsletter"):
        await records_of_processing.build()


# REQ-6: an unknown retention rule is refused too.
async def test_req6_an_unknown_retention_rule_is_a_configuration_error():
    async with write_transaction():
        await Purpose.update({Purpose.retention_rule: "forever"}).where(Purpose.code == "pr-invitations")
    with pytest.raises(ConfigurationError, match="pr-invitations"):
        await records_of_processing.build()
