"""Access and portability (REQ-16, REQ-17): the export of one person, its three formats, and its link."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from contacts import csv_files
from contacts.domain import Channel, SuppressionReason
from contacts.errors import NotFoundError, ValidationError
from contacts.services import records_of_processing
from contacts.services.people import suppression
from contacts.services.rights import (
    erasure,
    propagation,
    restriction,
    rights_operations,
)
from contacts.services.rights import export as subject_export
from contacts.services.rights.export import link as export_link_module
from contacts.services.staff import accounts as staff
from contacts.settings import get_settings, load_settings
from contacts.tables import (
    AuditEvent,
    Campaign,
    Contact,
    Delivery,
    MailingList,
    Purpose,
)
from contacts.tokens import LinkToken, TokenAction, codec_for
from tests.web.conftest import contact_id, import_to, mailbox  # noqa: F401 - the fixture

pytestmark = pytest.mark.usefixtures("database_url")
ADDRESS = "ana@presse.example"
OTHER = "bruno@autre.example"
PASSWORD = "correct horse battery staple"
SECTIONS = ("contact", "subscriptions", "consent_events", "send_history", "suppression", "restrictions",
            "rights_requests", "after_death_instructions", "invitations", "pending_consents", "purposes",
            "categories_of_data", "recipients", "retention", "rights", "complaint", "source", "automated_decisions")


async def person_with_history(tmp_path) -> tuple[staff.Staff, int, int]:
    """A journalist with a subscription, a consent, a message sent, a suppression, a restriction and a request;
    and someone else, suppressed too, whose data must never show."""
    await import_to(tmp_path, "journalists", f"{ADDRESS},Ana,Lima,=HYPERLINK(\"http://x\"),+33 1 23 45 67 89",
                    extra=",first_name,last_name,organisation,phone")
    await import_to(tmp_path, "public-newsletter",
                    f"{ADDRESS},2026-03-01T10:00:00+01:00,Formulaire salon,2026-11,2026-03-01T10:05:00+01:00",
                    extra=",consent_at,consent_channel,notice_version,confirmed_at")
    await import_to(tmp_path, "vips", OTHER)
    person = await contact_id(ADDRESS)
    await suppression.suppress(ADDRESS, SuppressionReason.UNSUBSCRIBE, scope="list:vips", actor="test",
                               channel=Channel.STAFF)
    await suppression.suppress(OTHER, SuppressionReason.COMPLAINT, actor="test", channel=Channel.COMPLAINT)
    journalists = await MailingList.select(MailingList.id, MailingList.purpose).where(
        MailingList.slug == "journalists").first()
    campaign = (await Campaign.insert(Campaign(subject_fr="La lettre de décembre", template="newsletter-communications",
                                               purpose=journalists["purpose"], created_by="test"))
                .returning(Campaign.id))[0]["id"]
    await Delivery.insert(Delivery(campaign=campaign, contact=person, mailing_list=journalists["id"], status="sent",
                                   message_id="<1@musee.example>", sent_at=datetime.now(UTC)))
    await restriction.restrict(person, "asked_for", actor="test")
    dpo = await staff.create_user("dpo", "dpo", PASSWORD)
    request = await rights_operations.create(dpo, "access", channel="staff", email=ADDRESS, details="Tout, s'il vous plaît.",
                                       identity_method="email from the address on file")
    return dpo, person, request.id


# REQ-16, REQ-17: every section is there, and the JSON meets its documented schema, in both languages.
@pytest.mark.parametrize("language", ["fr", "en"])
async def test_req16_req17_every_section_and_the_schema(tmp_path, language):
    _, person, request_id = await person_with_history(tmp_path)
    export = await subject_export.build(person, language=language)
    validator = jsonschema.Draft202012Validator(subject_export.schema(),
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(json.loads(subject_export.as_json(export)))
    assert set(SECTIONS) <= set(export) and export["language"] == language
    assert export["contact"]["email"] == ADDRESS and export["contact"]["first_name"] == "Ana"
    assert export["contact"]["provenance"]["method"] == "given" and export["contact"]["provenance"]["collected_at"]
    assert {item["list"] for item in export["subscriptions"]} == {"journalists", "public-newsletter"}
    newsletter = next(item for item in export["subscriptions"] if item["list"] == "public-newsletter")
    assert newsletter["legal_basis"] == "consent"
    assert newsletter["evidence"]["consent"]["notice_version"] == "2026-11"  # REQ-2: the consent proof
    assert newsletter["evidence"]["consent"]["double_opt_in_confirmed_at"]
    assert [(event["action"], event["list"]) for event in export["consent_events"]][:3] == [
        ("subscribed", "journalists"), ("subscribed", "public-newsletter"), ("suppressed", "vips")]
    assert export["send_history"][0]["subject"] == "La lettre de décembre"
    assert export["send_history"][0]["status"] == "sent" and "opened" not in json.dumps(export["send_history"])
    assert export["suppression"]["suppressed"] and export["suppression"]["entries"] == [
        {"scope": "list:vips", "reason": "unsubscribe", "since": export["suppression"]["entries"][0]["since"]}]
    assert [item["reason"] for item in export["restrictions"]] == ["asked_for"]
    assert [(item["reference"], item["type"]) for item in export["rights_requests"]] == [(request_id, "access")]
    assert export["rights_requests"][0]["text"] == "Tout, s'il vous plaît."
    # (a)-(h)
    assert {item["purpose"] for item in export["purposes"]} == {"communications-newsletter", "public-newsletter"}
    assert export["categories_of_data"] == records_of_processing.data_categories(language)
    assert export["recipients"]["categories"] == records_of_processing.recipients(language)
    assert {item["purpose"] for item in export["retention"]} == {"communications-newsletter", "public-newsletter"}
    assert {item["right"] for item in export["rights"]["rights"]} >= {"access", "erasure", "objection", "portability"}
    assert "CNIL" in export["complaint"]["words"] and export["complaint"]["website"] == "https://www.cnil.fr"
    assert export["source"]["type"] == "given" and export["source"]["name"] == "t"
    assert export["automated_decisions"]["used"] is False
    # Nobody else's data: not the other address, not its suppression entry.
    text = json.dumps(export)
    assert OTHER not in text and "complaint\"" not in json.dumps(export["suppression"])


# REQ-6, REQ-16 (d): the export words purposes and retention as the record of processing does.
async def test_req16_retention_words_are_the_registers(tmp_path):
    _, person, _ = await person_with_history(tmp_path)
    activities = {item.purpose: item for item in (await records_of_processing.build()).activities}
    english = await subject_export.build(person, language="en")
    for item in english["retention"]:
        assert item["period"] == activities[item["purpose"]].erasure
    french = await subject_export.build(person, language="fr")
    newsletter = next(item for item in french["retention"] if item["purpose"] == "public-newsletter")
    purpose = next(item for item in (await records_of_processing.catalogue.purposes()) if item.code == "public-newsletter")
    assert newsletter["period"] == records_of_processing.retention_words(purpose, "fr") and "ans" in newsletter["period"]
    assert french["purposes"][0]["legal_basis_words"] == records_of_processing.basis_words(
        french["purposes"][0]["legal_basis"], "fr")


async def test_req16_an_erased_or_unknown_contact_has_no_export(tmp_path):
    _, person, _ = await person_with_history(tmp_path)
    with pytest.raises(ValidationError, match="language"):
        await subject_export.build(person, language="de")
    await erasure.erase_contact(person, actor="test", reason="test")
    with pytest.raises(NotFoundError):
        await subject_export.build(person, language="fr")
    with pytest.raises(NotFoundError):
        await subject_export.build(999_999, language="fr")


# REQ-17: a cell a spreadsheet would run as a formula is quoted with an apostrophe.
def test_req17_csv_cells_never_run_as_formulas():
    assert [csv_files.safe_cell(text) for text in ("=1+1", "+33 1", "-2", "@SUM(A1)", "\tx", "Ana", None, True)
            ] == ["'=1+1", "'+33 1", "'-2", "'@SUM(A1)", "'\tx", "Ana", "", "true"]


# REQ-17: the CSV holds every section, in UTF-8 (with the BOM spreadsheets look for), formula-safe.
async def test_req17_the_csv_holds_every_section(tmp_path):
    _, person, _ = await person_with_history(tmp_path)
    export = await subject_export.build(person, language="fr")
    raw = subject_export.as_csv_bytes(export)
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["section", "item", "field", "value"]
    assert set(SECTIONS) <= {row[0] for row in rows[1:]}
    assert ["contact", "1", "email", ADDRESS] in rows
    assert ["contact", "1", "organisation", "'=HYPERLINK(\"http://x\")"] in rows
    assert ["contact", "1", "phone", "'+33 1 23 45 67 89"] in rows
    assert ["contact", "1", "provenance.method", "given"] in rows
    assert ["after_death_instructions", "", "", ""] in rows  # an empty section is still there
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


# REQ-16: the readable summary, in the person's language, escaped.
@pytest.mark.parametrize(("language", "heading", "words"), [
    ("fr", "Vos données personnelles", ["Vos inscriptions", "Durées de conservation (d)", "CNIL", "inscrit·e"]),
    ("en", "Your personal data", ["Your subscriptions", "Retention periods (d)", "CNIL", "subscribed"]),
])
async def test_req16_the_html_summary_in_french_and_english(tmp_path, language, heading, words):
    _, person, _ = await person_with_history(tmp_path)
    async with register_write():
        await Contact.update({Contact.department: "<script>alert(1)</script>"}).where(Contact.id == person)
    page = subject_export.as_html(await subject_export.build(person, language=language))
    assert f'<html lang="{language}">' in page and heading in page
    assert all(word in page for word in words)
    assert ADDRESS in page and "La lettre de décembre" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert OTHER not in page


# REQ-16: the French summary is set in French typography, its words from the catalogue.
async def test_req16_the_french_summary_has_french_typography(tmp_path):
    _, person, _ = await person_with_history(tmp_path)
    page = subject_export.as_html(await subject_export.build(person, language="fr"))
    assert "Droit d’accès\u202f: obtenir la confirmation" in page
    assert "Droit d'accès" not in page and "Droit d’accès :" not in page


def register_write():
    from contacts.db.engine import write_transaction

    return write_transaction()


# REQ-16, REQ-32/33: the link expires after CONTACTS_EXPORT_LINK_DAYS; one day before it opens, one day
# after it does not.
@pytest.mark.parametrize("days", [7, 3])
async def test_req16_the_link_expires(tmp_path, monkeypatch, days):
    settings = dataclasses.replace(get_settings(), export_link_days=days)
    monkeypatch.setattr(export_link_module, "get_settings", lambda: settings)
    _, person, request_id = await person_with_history(tmp_path)
    sent = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)
    link = subject_export.export_link(request_id, now=sent)
    assert link.startswith(f"{settings.base_url}/d/") and ADDRESS not in link and str(person) not in link[-4:]
    token = link.rsplit("/", 1)[1]
    opened = await subject_export.open_link(token, now=sent + timedelta(days=days - 1))
    assert (opened.request_id, opened.contact_id) == (request_id, person)
    assert await subject_export.open_link(token, now=sent + timedelta(days=days + 1)) is None


def test_req16_the_link_days_setting():
    base = {"CONTACTS_DATABASE_URL": "sqlite:///x.db", "CONTACTS_SECRET_KEY": "k" * 32}
    assert load_settings(base).export_link_days == 7
    assert load_settings({**base, "CONTACTS_EXPORT_LINK_DAYS": "14"}).export_link_days == 14
    with pytest.raises(Exception, match="CONTACTS_EXPORT_LINK_DAYS"):
        load_settings({**base, "CONTACTS_EXPORT_LINK_DAYS": "0"})


# REQ-32: a tampered token, another action's token, or a request that is not an export opens nothing.
async def test_req32_tampered_or_misused_tokens_open_nothing(tmp_path):
    dpo, person, request_id = await person_with_history(tmp_path)
    token = subject_export.export_link(request_id).rsplit("/", 1)[1]
    assert await subject_export.open_link(token) is not None
    flipped = token[:-3] + ("A" if token[-3] != "A" else "B") + token[-2:]
    assert await subject_export.open_link(flipped) is None
    assert await subject_export.open_link("not-a-token") is None
    codec = codec_for(get_settings().secret_keys)
    later = int((datetime.now(UTC) + timedelta(days=1)).timestamp())
    other_action = codec.seal(LinkToken(TokenAction.VERIFY_RIGHTS_REQUEST, 0, request_id, 0, later))
    assert await subject_export.open_link(other_action) is None
    erasure_request = await rights_operations.create(dpo, "rectification", channel="staff", email=ADDRESS,
                                               identity_method="email from the address on file")
    assert await subject_export.open_link(subject_export.export_link(erasure_request.id).rsplit("/", 1)[1]) is None
    assert await subject_export.download(token, "pdf") is None


# REQ-16, REQ-19: once the contact is erased, the link opens nothing.
async def test_req19_an_erased_contacts_link_opens_nothing(tmp_path):
    _, person, request_id = await person_with_history(tmp_path)
    token = subject_export.export_link(request_id).rsplit("/", 1)[1]
    await erasure.erase_contact(person, actor="test", reason="test")
    assert await subject_export.open_link(token) is None
    assert await subject_export.download(token, "json") is None


# REQ-8, REQ-18: a download is audited as the person's own, never as a disclosure to a recipient.
async def test_req8_a_download_is_audited_and_is_not_a_disclosure(tmp_path):
    _, person, request_id = await person_with_history(tmp_path)
    token = subject_export.export_link(request_id).rsplit("/", 1)[1]
    export = await subject_export.download(token, "csv", language="en")
    assert export["language"] == "en"
    entry = await AuditEvent.select().where(AuditEvent.action == "subject.download").first()
    details = json.loads(entry["details"]) if isinstance(entry["details"], str) else entry["details"]
    assert (entry["actor"], entry["role"], entry["object_type"], entry["object_id"]) == (
        "recipient", "recipient", "contact", str(person))
    assert details == {"format": "csv", "rights_request": request_id}
    assert await propagation.disclosures_of(person) == []
    assert await propagation.record_for(request_id, person, "erasure") == 0


# REQ-16, REQ-23: the link goes to the person, or to whom `to` names (an executor), saying whose data it is.
async def test_req16_the_link_is_mailed_to_the_person_or_an_executor(tmp_path, mailbox):
    _, person, request_id = await person_with_history(tmp_path)
    assert await subject_export.send_export_link(request_id)
    mail = mailbox.messages_to(ADDRESS)[-1]
    text = mail.get_body(("plain",)).get_content()
    assert mail["Subject"] == "Votre lien d’accès aux données" and "/d/" in text and "CNIL" in text
    assert "directives post mortem" not in text
    token = mailbox.link(ADDRESS, "/d/").removeprefix("/d/")
    assert (await subject_export.open_link(token)).contact_id == person
    assert await subject_export.send_export_link(request_id, to="paul@example.org", name="Paul Durand")
    executor = mailbox.messages_to("paul@example.org")[-1]
    assert "Paul Durand" in executor["To"] and "Ana Lima" in executor.get_body(("plain",)).get_content()
    with pytest.raises(NotFoundError):
        await subject_export.send_export_link(999_999)


async def test_the_purpose_words_follow_the_catalogue(tmp_path):
    """REQ-16 (a): a purpose's French name and description, from the catalogue the register reads."""
    _, person, _ = await person_with_history(tmp_path)
    async with register_write():
        await Purpose.update({Purpose.name_fr: "Lettre des communicants"}).where(
            Purpose.code == "communications-newsletter")
    export = await subject_export.build(person, language="fr")
    assert next(item for item in export["purposes"] if item["purpose"] == "communications-newsletter")["name"] == (
        "Lettre des communicants")
