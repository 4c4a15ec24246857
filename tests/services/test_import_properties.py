"""Properties of any import: every row is accounted for once, and suppressed people are never subscribed."""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contacts.addresses import parse_address
from contacts.domain import Channel, SourceType
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import suppression
from contacts.tables import Contact, Subscription

pytestmark = pytest.mark.usefixtures("database_url")
_example = itertools.count()

LOCAL_PARTS = ["anne", "Anne", "ANNE", "b.c", "bc", "émile", "e\u0301mile", "x+tag", "not an address", ""]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(st.sampled_from(LOCAL_PARTS), st.sampled_from(["", "Dupont", "Zoé"])), max_size=25),
    suppressed=st.sets(st.sampled_from(["anne", "bc", "émile"]), max_size=2),
    batch_size=st.integers(min_value=1, max_value=7),
)
async def test_req42_every_row_is_counted_once_and_suppressed_are_never_subscribed(tmp_path, rows, suppressed, batch_size):
    domain = f"ex{next(_example)}.example.org"
    for local in suppressed:
        await suppression.suppress(f"{local}@{domain}", "objection", actor="test", channel=Channel.CLI)
    path = tmp_path / f"{domain}.csv"
    lines = ["email,last_name"] + [f"{local}@{domain},{name}" if local else f",{name}" for local, name in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    contacts_before = await Contact.count()

    options = ImportOptions(path=path, list_slug="partners", source_type=SourceType.RELATIONSHIP, source_name="salon",
                            actor="test", batch_size=batch_size)
    preview = await run_import(dataclasses.replace(options, dry_run=True))
    report = await run_import(options)
    assert preview.counts == report.counts  # the preview announces what the import does
    c = report.counts
    assert c["rows"] == sum(1 for local, name in rows if local or name)  # blank lines are not rows
    assert c["rows"] == sum(c[k] for k in ("created", "updated", "unchanged", "duplicates", "skipped_suppressed",
                                           "skipped_restricted", "skipped_no_basis", "invalid"))
    assert sum(c[k] for k in ("subscribed", "confirmed", "already_subscribed", "awaiting_confirmation",
                              "not_resubscribed")) == c["created"] + c["updated"] + c["unchanged"]

    valid = {parse_address(f"{local}@{domain}").canonical for local, _ in rows if local and local != "not an address"}
    blocked = {parse_address(f"{local}@{domain}").canonical for local in suppressed}
    assert c["created"] == len(valid - blocked) == await Contact.count() - contacts_before
    for canonical in blocked:
        assert not await Contact.exists().where(Contact.email_canonical == canonical)
    subscribed = await Subscription.count().where(Subscription.contact.email_canonical.like(f"%@{domain}"))
    assert subscribed == len(valid - blocked)
