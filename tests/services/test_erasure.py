"""Erasure (REQ-19): after erasing a person, no table or column holds their address, name or phone number;
only the suppression hash remains, and the ledgers keep their shape."""

from __future__ import annotations

import pytest

from contacts.db.engine import engine, write_transaction
from contacts.db.piccolo_app import APP_CONFIG
from contacts.domain import Channel, RightsRequestType, SourceType, SuppressionReason
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services.campaigns import core as campaigns
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import people_operations, suppression
from contacts.services.rights import erasure
from contacts.services.rights import requests as rights
from contacts.services.staff import accounts as staff
from contacts.tables import AuditEvent, ConsentEvent, Contact, Delivery, Suppression
from tests.sending.smtp_server import TestSmtpServer
from tests.sending.test_campaign_send import new_campaign, settings_for

pytestmark = pytest.mark.usefixtures("database_url")

PERSON = {"email": "Zoe.Quenneville@presse.example", "first_name": "Zoé", "last_name": "Quenneville",
          "phone": "+33 6 12 34 56 78"}
NEEDLES = ("zoe.quenneville", "quenneville", "zoé", "12 34 56 78")


async def import_person(tmp_path) -> int:
    path = tmp_path / "journalists.csv"
    path.write_text("email,first_name,last_name,phone,organisation\n"
                    f"{PERSON['email']},{PERSON['first_name']},{PERSON['last_name']},{PERSON['phone']},Le Quotidien\n"
                    "other@presse.example,Paul,Martin,,Le Soir\n", encoding="utf-8")
    await run_import(ImportOptions(path=path, list_slug="journalists", source_type=SourceType.THIRD_PARTY,
                                   source_name="Annuaire presse", actor="test", workers=0))
    return (await Contact.select(Contact.id).where(Contact.last_name == "Quenneville").first())["id"]


async def every_text_holding(needle: str) -> list[str]:
    """Every table.column whose text holds `needle`, lowercased, as the database stores it."""
    found = []
    for table in APP_CONFIG.table_classes:
        name = table._meta.tablename
        for column in table._meta.columns:
            db_name = column._meta.db_column_name
            rows = await table.raw(f'SELECT "{db_name}" AS v FROM "{name}" WHERE "{db_name}" IS NOT NULL')
            for row in rows:
                value = row["v"]
                text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                if needle in text.lower() or needle in text.lower().encode("unicode_escape").decode():
                    found.append(f"{name}.{db_name}")
    return sorted(set(found))


async def leave_traces(contact_id: int) -> staff.Staff:
    """What a year of ordinary use leaves behind about someone."""
    dpo = await staff.create_user("dpo", "dpo", "correct horse battery staple")
    await people_operations.search_contacts(dpo, "Quenneville")
    await people_operations.contact_detail(dpo, contact_id)
    await people_operations.rectify(dpo, contact_id, {"first_name": "Zoë", "phone": "+33 6 12 34 56 78 00"})
    await people_operations.rectify(dpo, contact_id, {"first_name": "Zoé", "phone": PERSON["phone"]})
    await rights.record_request(contact_id, RightsRequestType.ERASURE, Channel.STAFF,
                                details={"text": "Je suis Zoé Quenneville, effacez-moi"})
    await suppression.suppress(PERSON["email"], "unsubscribe", scope="list:journalists", actor="test",
                               channel=Channel.CLI)
    return dpo





# REQ-19, REQ-44: completeness, and the suppression hash stays.
async def test_req19_erasure_leaves_nothing_but_the_suppression_hash(tmp_path):
    contact_id = await import_person(tmp_path)
    campaign = await new_campaign("journalists")
    with TestSmtpServer() as server:
        await send_campaign(campaign.id, SendOptions(concurrency=1), settings=settings_for(server))
    async with write_transaction():  # what an SMTP server's answer leaves
        await Delivery.update({Delivery.last_error: f"550 5.1.1 <{PERSON['email']}>: no such user"}).where(
            Delivery.contact == contact_id)
    await leave_traces(contact_id)
    before = await campaigns.progress(campaign.id)
    for needle in NEEDLES:
        assert await every_text_holding(needle), needle

    report = await erasure.erase_contact(contact_id, actor="staff:dpo", reason="rights request")

    for needle in NEEDLES:
        assert await every_text_holding(needle) == [], needle
    assert report.changed["consent_event"] >= 3 and report.changed["audit_event"] >= 1
    # The person stays suppressed everywhere (REQ-44), by hash only.
    scopes = {row["scope"]: row["reason"] for row in await Suppression.select().where(
        Suppression.address_hash.is_in(suppression.keyring().hashes("zoe.quenneville@presse.example")))}
    assert scopes["global"] == SuppressionReason.ERASURE
    # Aggregate statistics are unchanged.
    after = await campaigns.progress(campaign.id)
    assert (after.by_status, after.skipped_by_reason) == (before.by_status, before.skipped_by_reason)
    # The other person is untouched.
    assert await Contact.count().where(Contact.last_name == "Martin") == 1
    # Repeating it is harmless.
    assert (await erasure.erase_contact(contact_id, actor="staff:dpo", reason="again")).already_erased


# REQ-19, REQ-42: re-importing an erased person's address does not bring them back.
async def test_req19_an_erased_address_reimported_stays_suppressed(tmp_path):
    contact_id = await import_person(tmp_path)
    await erasure.erase_contact(contact_id, actor="test", reason="rights request")
    with pytest.raises(TypeError):  # import_person finds no Quenneville: the row was refused
        await import_person(tmp_path)
    assert await Contact.count().where(Contact.email_canonical == "zoe.quenneville@presse.example") == 0
    entries = await suppression.entries_for(PERSON["email"])
    assert any(entry.reason == SuppressionReason.ERASURE and entry.scope == "global" for entry in entries)


# REQ-19, REQ-8: the ledgers allow a redaction and nothing else.
async def test_req19_the_ledgers_refuse_every_change_but_a_redaction(tmp_path):
    contact_id = await import_person(tmp_path)
    await leave_traces(contact_id)
    event = await ConsentEvent.select(ConsentEvent.id).where(ConsentEvent.contact == contact_id).first()
    entry = await AuditEvent.select(AuditEvent.id).first()
    refused = [
        ("UPDATE consent_event SET action = 'subscribed' WHERE id = ROW", event["id"]),
        ("UPDATE consent_event SET details = '{}' WHERE id = ROW", event["id"]),
        ("UPDATE consent_event SET details = '{\"redacted\": true}', reason = NULL, redacted_at = CURRENT_TIMESTAMP, "
         "actor = 'someone else' WHERE id = ROW", event["id"]),
        ("DELETE FROM consent_event WHERE id = ROW", event["id"]),
        ("UPDATE audit_event SET actor = 'nobody' WHERE id = ROW", entry["id"]),
        ("UPDATE audit_event SET details = '{\"redacted\": true}', redacted_at = CURRENT_TIMESTAMP, "
         "action = 'other' WHERE id = ROW", entry["id"]),
        ("DELETE FROM audit_event WHERE id = ROW", entry["id"]),
    ]
    for statement, row_id in refused:
        with pytest.raises(Exception, match="append-only"):
            await engine().run_ddl(statement.replace("ROW", str(row_id)))
    redact = ("UPDATE consent_event SET details = '{\"redacted\": true}', reason = NULL, "
              f"redacted_at = CURRENT_TIMESTAMP WHERE id = {event['id']}")
    await engine().run_ddl(redact)
    with pytest.raises(Exception, match="append-only"):  # once only
        await engine().run_ddl(redact)
