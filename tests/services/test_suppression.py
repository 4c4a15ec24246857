"""The suppression list: keyed hashes only, scopes, key rotation, export and import."""

from __future__ import annotations

import hashlib
import io

import pytest

from contacts.addresses import parse_address
from contacts.db.bulk import bulk_session
from contacts.domain import Channel, SuppressionReason
from contacts.errors import ValidationError
from contacts.services.people import suppression
from contacts.settings import get_settings
from contacts.tables import ConsentEvent, Suppression

pytestmark = pytest.mark.usefixtures("database_url")

LIST_SCOPES = ("global", "purpose:communications-newsletter", "list:journalists")


async def suppress(address, reason="unsubscribe", scope="global"):
    return await suppression.suppress(address, reason, scope=scope, actor="test", channel=Channel.CLI)


async def reasons_for(address: str, scopes=LIST_SCOPES) -> set[str]:
    """What the send and import paths see: the bulk lookup by every key's hash."""
    async with bulk_session() as session:
        hashes = suppression.keyring().hashes(parse_address(address).canonical)
        found = await suppression.suppressed_hashes(session, hashes, scopes)
    return set(found.values())


# REQ-44: no plain address is stored, only a keyed hash with its key, version, scope, reason and date.
async def test_req44_only_a_keyed_hash_is_stored():
    await suppress("Secret.Person@Example.org")
    row = await Suppression.select().first()
    assert "secret" not in str(row).lower()
    # Keyed: not the plain SHA-256 of the address, which anyone could compute and test.
    assert row["address_hash"] != hashlib.sha256(b"secret.person@example.org").hexdigest()
    assert row["address_hash"] == suppression.keyring().current.digest("secret.person@example.org")
    assert row["canonicaliser_version"] == 1
    assert (row["scope"], row["reason"]) == ("global", "unsubscribe")
    assert row["created_at"] is not None


# REQ-45: every spelling of one address is one suppression.
async def test_req45_any_spelling_of_a_suppressed_address_is_suppressed():
    await suppress("Émile@Exemple.FR")
    assert await reasons_for("e\u0301mile@exemple.fr") == {SuppressionReason.UNSUBSCRIBE}
    assert [e.scope for e in await suppression.entries_for("e\u0301mile@EXEMPLE.fr")] == ["global"]


async def test_repeating_a_suppression_keeps_the_first_and_records_once():
    first = await suppress("a@example.org", "manual")
    second = await suppress("A@example.org", "unsubscribe")
    assert first.created and not second.created
    assert second.entry.reason == SuppressionReason.MANUAL
    assert await Suppression.count() == 1
    assert await ConsentEvent.count() == 1


# REQ-46: scopes; hard bounces and complaints are always global.
async def test_req46_scopes_apply_only_where_they_should():
    await suppress("p@example.org", "objection", scope="purpose:communications-newsletter")
    await suppress("l@example.org", "unsubscribe", scope="list:vips")
    assert await reasons_for("p@example.org") == {SuppressionReason.OBJECTION}
    assert await reasons_for("l@example.org") == set()  # a list:vips entry does not stop the journalists list
    assert await reasons_for("l@example.org", ["global", "list:vips"]) == {SuppressionReason.UNSUBSCRIBE}


@pytest.mark.parametrize("reason", ["hard_bounce", "complaint"])
async def test_req46_bounces_and_complaints_are_always_global(reason):
    with pytest.raises(ValidationError) as error:
        await suppress("b@example.org", reason, scope="list:vips")
    assert error.value.field == "scope"


async def test_unknown_scope_and_reason_are_refused_by_name():
    with pytest.raises(ValidationError) as error:
        await suppress("b@example.org", "unsubscribe", scope="list:nope")
    assert error.value.field == "scope"
    with pytest.raises(ValidationError) as error:
        await suppress("b@example.org", "bored")
    assert error.value.field == "reason"


# REQ-42: every suppression change is in the consent ledger.
async def test_req42_suppressing_records_a_consent_event():
    await suppress("e@example.org", "objection", scope="purpose:pr-invitations")
    event = await ConsentEvent.select().first()
    assert (event["action"], event["channel"], event["actor"]) == ("suppressed", "cli", "test")
    assert event["suppression"] and event["purpose"]


# REQ-44: rotating the secret key keeps old suppressions working.
async def test_req44_rotated_key_still_finds_old_suppressions(monkeypatch):
    await suppress("old@example.org")
    settings = get_settings()
    rotated = type(settings)(**{**settings.__dict__, "secret_keys": ("a-brand-new-secret-key-0001", *settings.secret_keys)})
    monkeypatch.setattr(suppression, "get_settings", lambda: rotated)
    assert await reasons_for("old@example.org") == {SuppressionReason.UNSUBSCRIBE}
    await suppress("new@example.org")
    key_ids = {row["key_id"] for row in await Suppression.select(Suppression.key_id)}
    assert len(key_ids) == 2


async def test_export_holds_no_address_and_imports_into_a_fresh_instance(database_url):
    await suppress("export.me@example.org", "complaint")
    await suppress("other@example.org", "objection", scope="purpose:partnership-offers")
    out = io.StringIO()
    count = suppression.write_export(await suppression.export_rows(), out)
    exported = out.getvalue()
    assert count == 2 and "example.org" not in exported
    assert exported.splitlines()[0] == "address_hash,key_id,canonicaliser_version,scope,reason,created_at"

    report = await suppression.import_entries(io.StringIO(exported), actor="test")
    assert (report.created, report.already_present, report.errors) == (0, 2, [])

    # An entry made by another instance with the same key: a hash of an address we never saw.
    ring = suppression.keyring()
    foreign = f"{ring.current.digest('elsewhere@example.org')},{ring.current.key_id},1,global,complaint,2026-01-02T00:00:00+00:00"
    report = await suppression.import_entries(io.StringIO(exported.splitlines()[0] + "\n" + foreign + "\n"), actor="test")
    assert (report.created, report.errors) == (1, [])
    entry = (await suppression.entries_for("Elsewhere@example.org"))[0]
    assert entry.reason == SuppressionReason.COMPLAINT and entry.created_at.year == 2026


async def test_import_reports_rows_it_cannot_use():
    text = (
        "address_hash,key_id,canonicaliser_version,scope,reason,created_at\n"
        f"{'a' * 64},0000000000000000,1,global,manual,2026-01-01T00:00:00+00:00\n"
        "nothex,0000000000000000,1,global,manual,\n"
    )
    report = await suppression.import_entries(io.StringIO(text), actor="test")
    assert report.created == 0
    assert [(row, column) for row, column, _ in report.errors] == [(2, "key_id"), (3, "address_hash")]
