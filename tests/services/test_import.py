"""CSV import: edge cases, consent proof, suppression and the rules that protect people who left."""

from __future__ import annotations

import csv
import json

import pytest

from contacts.db.engine import write_transaction
from contacts.domain import (
    Channel,
    ContactStatus,
    LegalBasis,
    SourceType,
    SubscriptionStatus,
)
from contacts.errors import ValidationError
from contacts.services.importing import ImportOptions, run_import
from contacts.services.people import suppression
from contacts.tables import ConsentEvent, Contact, ImportRun, MailingList, Subscription

pytestmark = pytest.mark.usefixtures("database_url")


def write(tmp_path, text: str, name: str = "contacts.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


async def do_import(path, list_slug="journalists", **overrides):
    options = ImportOptions(
        path=path,
        list_slug=list_slug,
        source_type=overrides.pop("source_type", SourceType.THIRD_PARTY),
        source_name=overrides.pop("source_name", "Annuaire de la presse 2026"),
        actor="test",
        **overrides,
    )
    return await run_import(options)


def report_rows(report) -> list[dict[str, str]]:
    with open(report.report_path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


async def subscriptions_of(email_canonical: str) -> list[dict]:
    contact = await Contact.select(Contact.id).where(Contact.email_canonical == email_canonical).first()
    return await Subscription.select(Subscription.status, Subscription.mailing_list.slug, Subscription.legal_basis,
                                     Subscription.evidence).where(Subscription.contact == contact["id"])


async def test_bad_rows_are_reported_by_row_and_column_and_valid_rows_import(tmp_path):
    lines = ["email,first_name,last_name,phone"]
    bad_rows = {}
    for i in range(100):
        row_number = i + 2
        if i % 20 == 7:
            bad_rows[row_number] = "email"
            lines.append(f"not-an-address-{i},A,B,")
        else:
            lines.append(f"person{i}@example.org,Prénom{i},Nom{i},+33 1 23 45 67 {i % 10}0")
    report = await do_import(write(tmp_path, "\n".join(lines) + "\n"))
    assert report.counts["rows"] == 100
    assert report.counts["created"] == 95
    assert report.counts["subscribed"] == 95
    assert report.counts["invalid"] == 5
    reported = {int(r["row"]): r["column"] for r in report_rows(report)}
    assert reported == bad_rows
    assert await Contact.count() == 95


async def test_every_problem_of_a_row_is_reported_and_the_row_is_all_or_nothing(tmp_path):
    path = write(tmp_path, "email,phone,language\nok@example.org,not a phone,klingon\n")
    report = await do_import(path)
    assert {(r["row"], r["column"]) for r in report_rows(report)} == {("2", "phone"), ("2", "language")}
    assert await Contact.count() == 0
    assert await Subscription.count() == 0


async def test_bom_semicolons_and_accented_french_headers(tmp_path):
    text = "\ufeffCourriel;Prénom;Nom;Société;Langue\nmarie.curie@exemple.fr;Marie;Skłodowska-Curie;Académie;anglais\n"
    report = await do_import(write(tmp_path, text))
    assert report.counts["created"] == 1
    contact = await Contact.select().first()
    assert contact["first_name"] == "Marie"
    assert contact["last_name"] == "Skłodowska-Curie"
    assert contact["organisation"] == "Académie"
    assert contact["language"] == "en"


async def test_quoted_commas_and_multiline_cells_keep_spreadsheet_row_numbers(tmp_path):
    text = 'email,postal_address\na@example.org,"1 rue de Vaugirard,\n75006 Paris"\nbroken,x\n'
    report = await do_import(write(tmp_path, text))
    assert report.counts["created"] == 1
    assert [r["row"] for r in report_rows(report)] == ["3"]
    assert (await Contact.select(Contact.postal_address).first())["postal_address"] == "1 rue de Vaugirard,\n75006 Paris"


# REQ-45: duplicates are found by canonical address, within a batch and across batches.
async def test_duplicates_within_the_file_are_imported_once(tmp_path):
    text = "email\nJean@Exemple.fr\nother@example.org\njean@EXEMPLE.FR\nthird@example.org\nJEAN@exemple.fr\n"
    report = await do_import(write(tmp_path, text), batch_size=2)
    assert report.counts["created"] == 3
    assert report.counts["duplicates"] == 2
    notes = [r for r in report_rows(report) if r["outcome"] == "skipped"]
    assert [(n["row"], n["reason"]) for n in notes] == [("4", "duplicate of row 2"), ("6", "duplicate of row 2")]
    assert (await Contact.select(Contact.email).first())["email"] == "Jean@exemple.fr"


async def test_existing_contacts_are_updated_not_duplicated(tmp_path):
    await do_import(write(tmp_path, "email,first_name,organisation\nana@example.org,Ana,Le Monde\n"))
    report = await do_import(write(tmp_path, "email,first_name,position\nANA@example.org,,Rédactrice\n", "b.csv"))
    assert report.counts["updated"] == 1 and report.counts["created"] == 0
    assert report.counts["already_subscribed"] == 1
    contact = await Contact.select().first()
    assert (contact["first_name"], contact["organisation"], contact["position"]) == ("Ana", "Le Monde", "Rédactrice")
    # The provenance is where we first got the address.
    assert contact["source_name"] == "Annuaire de la presse 2026"


# REQ-42: a suppressed address is reported and never subscribed.
async def test_req42_suppressed_addresses_are_skipped_and_reported(tmp_path):
    await suppression.suppress("gone@example.org", "unsubscribe", actor="test", channel=Channel.CLI)
    await suppression.suppress("objector@example.org", "objection", scope="purpose:communications-newsletter",
                               actor="test", channel=Channel.CLI)
    await suppression.suppress("elsewhere@example.org", "objection", scope="purpose:mediation-newsletter",
                               actor="test", channel=Channel.CLI)
    text = "email\nGONE@example.org\nobjector@example.org\nelsewhere@example.org\nnew@example.org\n"
    report = await do_import(write(tmp_path, text))
    assert report.counts["skipped_suppressed"] == 2
    assert report.counts["subscribed"] == 2  # a suppression for another purpose does not apply here
    skipped = {r["row"]: r["reason"] for r in report_rows(report)}
    assert set(skipped) == {"2", "3"}
    assert "suppression list" in skipped["2"]
    assert not await Contact.exists().where(Contact.email_canonical == "gone@example.org")


# REQ-43: an import never re-subscribes someone who unsubscribed or objected.
async def test_req43_unsubscribed_and_objected_are_not_resubscribed(tmp_path):
    await do_import(write(tmp_path, "email\nleft@example.org\nobjected@example.org\n"))
    async with write_transaction():
        for email, status in (("left@example.org", "unsubscribed"), ("objected@example.org", "objected")):
            contact = await Contact.select(Contact.id).where(Contact.email_canonical == email).first()
            await Subscription.update({Subscription.status: status}).where(Subscription.contact == contact["id"])
    report = await do_import(write(tmp_path, "email,first_name\nleft@example.org,Léa\nobjected@example.org,Olivier\n", "again.csv"))
    assert report.counts["not_resubscribed"] == 2
    assert report.counts["subscribed"] == 0
    assert (await subscriptions_of("left@example.org"))[0]["status"] == SubscriptionStatus.UNSUBSCRIBED
    assert (await subscriptions_of("objected@example.org"))[0]["status"] == SubscriptionStatus.OBJECTED


# REQ-20: a restricted contact is stored only.
async def test_req20_restricted_contacts_are_not_processed(tmp_path):
    await do_import(write(tmp_path, "email,first_name\nr@example.org,Avant\n"))
    async with write_transaction():
        await Contact.update({Contact.status: ContactStatus.RESTRICTED}, force=True)
    report = await do_import(write(tmp_path, "email,first_name\nr@example.org,Après\n", "b.csv"), list_slug="vips")
    assert report.counts["skipped_restricted"] == 1
    assert (await Contact.select(Contact.first_name).first())["first_name"] == "Avant"
    assert [s["mailing_list.slug"] for s in await subscriptions_of("r@example.org")] == ["journalists"]


# REQ-1, REQ-7: each imported contact gets exactly the one subscription it was given, with a basis and evidence.
async def test_req1_req7_subscription_carries_basis_and_evidence_and_nothing_else(tmp_path):
    report = await do_import(write(tmp_path, "email,notice_version\np@example.org,2026-11\n"))
    subscriptions = await subscriptions_of("p@example.org")
    assert len(subscriptions) == 1
    subscription = subscriptions[0]
    assert subscription["legal_basis"] == LegalBasis.LEGITIMATE_INTEREST
    evidence = json.loads(subscription["evidence"]) if isinstance(subscription["evidence"], str) else subscription["evidence"]
    assert evidence["import_run"] == report.run_id
    assert evidence["row"] == 2
    assert evidence["source_name"] == "Annuaire de la presse 2026"
    assert evidence["purpose"] == "communications-newsletter"
    assert evidence["notice_version"] == "2026-11"
    contact = await Contact.select().first()
    assert contact["source_type"] == SourceType.THIRD_PARTY  # REQ-13
    assert contact["notice_version"] == "2026-11"  # REQ-12


# REQ-2 (append-only proof) and REQ-22 (the channel): every new subscription has its ledger entry.
async def test_req2_each_subscription_is_recorded_in_the_consent_ledger(tmp_path):
    await do_import(write(tmp_path, "email\na@example.org\nb@example.org\n"))
    events = await ConsentEvent.select(ConsentEvent.action, ConsentEvent.channel, ConsentEvent.subscription)
    assert len(events) == 2
    assert {(e["action"], e["channel"]) for e in events} == {("subscribed", "import")}
    assert all(e["subscription"] for e in events)


# REQ-2: consent without proof columns is refused before anything is written.
async def test_req2_consent_without_proof_columns_is_refused(tmp_path):
    with pytest.raises(ValidationError) as error:
        await do_import(write(tmp_path, "email\na@example.org\n"), legal_basis=LegalBasis.CONSENT)
    assert error.value.field == "consent_at"
    assert await Contact.count() == 0
    assert await ImportRun.count() == 0


async def test_req2_consent_rows_need_every_proof_cell_and_the_proof_is_kept(tmp_path):
    text = (
        "email,consent_at,consent_channel,notice_version,confirmed_at\n"
        "yes@example.org,2026-03-01T10:00:00+01:00,Formulaire salon,2026-11,2026-03-01T10:05:00+01:00\n"
        "noproof@example.org,,Formulaire salon,2026-11,2026-03-01\n"
        "unconfirmed@example.org,2026-03-01,Formulaire salon,2026-11,\n"
        "oldnotice@example.org,2026-03-01,Formulaire salon,1999-01,2026-03-02\n"
    )
    report = await do_import(write(tmp_path, text), list_slug="public-newsletter", source_type=SourceType.GIVEN)
    assert report.counts["subscribed"] == 1
    assert {(r["row"], r["column"]) for r in report_rows(report)} == {
        ("3", "consent_at"), ("4", "confirmed_at"), ("5", "notice_version"),
    }
    evidence = (await subscriptions_of("yes@example.org"))[0]["evidence"]
    evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
    assert evidence["consent"] == {
        "consent_at": "2026-03-01T09:00:00+00:00",
        "channel": "Formulaire salon",
        "notice_version": "2026-11",
        "double_opt_in_confirmed_at": "2026-03-01T09:05:00+00:00",
    }


async def test_double_opt_in_list_refuses_other_bases(tmp_path):
    with pytest.raises(ValidationError, match="double opt-in"):
        await do_import(write(tmp_path, "email\na@example.org\n"), list_slug="public-newsletter",
                        legal_basis=LegalBasis.LEGITIMATE_INTEREST)


# REQ-4: promotional mail to a private individual needs consent.
async def test_req4_private_individuals_need_consent_for_marketing_and_kinds_are_inferred(tmp_path):
    text = "email,address_kind\nprivate@example.org,private\ncontact@journal.fr,\nnominative@journal.fr,\n"
    report = await do_import(write(tmp_path, text))
    assert [(r["row"], r["column"]) for r in report_rows(report)] == [("2", "address_kind")]
    kinds = {r["email"]: r["address_kind"] for r in await Contact.select(Contact.email, Contact.address_kind)}
    assert kinds == {"contact@journal.fr": "generic", "nominative@journal.fr": "professional"}


async def test_empty_file_and_missing_email_column_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="empty"):
        await do_import(write(tmp_path, ""))
    with pytest.raises(ValidationError) as error:
        await do_import(write(tmp_path, "name,phone\nJean,0102030405\n", "noemail.csv"))
    assert error.value.field == "email"
    assert await ImportRun.count() == 0


async def test_header_only_file_imports_nothing(tmp_path):
    report = await do_import(write(tmp_path, "email\n"))
    assert report.counts["rows"] == 0


async def test_non_utf8_file_is_refused_with_a_clear_error(tmp_path):
    with pytest.raises(ValidationError, match="UTF-8"):
        await do_import(write(tmp_path, "email,nom\nx@example.org,Hélène\n", encoding="latin-1"))


async def test_unknown_list_is_refused():
    from contacts.errors import NotFoundError
    with pytest.raises(NotFoundError, match="nope"):
        await do_import("unused.csv", list_slug="nope")


async def test_dry_run_counts_exactly_and_writes_nothing(tmp_path):
    text = "email\na@example.org\nb@example.org\na@example.org\nbad\n"
    report = await do_import(write(tmp_path, text), dry_run=True, batch_size=1)
    assert (report.counts["created"], report.counts["duplicates"], report.counts["invalid"]) == (2, 1, 1)
    assert await Contact.count() == 0
    assert await Subscription.count() == 0
    assert await ConsentEvent.count() == 0
    assert await ImportRun.count() == 0


async def test_validation_in_worker_processes_gives_the_same_result(tmp_path):
    lines = ["email,first_name"] + [f"w{i}@example.org,Nom{i}" for i in range(500)] + ["broken,x", "w3@example.org,again"]
    report = await do_import(write(tmp_path, "\n".join(lines) + "\n"), workers=2, batch_size=50)
    assert report.counts["created"] == 500
    assert report.counts["invalid"] == 1
    assert report.counts["duplicates"] == 1
    assert [r["row"] for r in report_rows(report)] == ["502", "503"]


async def test_the_import_run_records_its_counts(tmp_path):
    report = await do_import(write(tmp_path, "email\na@example.org\n"))
    run = await ImportRun.select().where(ImportRun.id == report.run_id).first()
    counts = json.loads(run["counts"]) if isinstance(run["counts"], str) else run["counts"]
    assert counts["created"] == 1 and run["finished_at"] is not None
    assert await MailingList.exists().where(MailingList.id == run["mailing_list"])


# REQ-4 also holds for a contact we already know as a private individual.
async def test_req4_known_private_individual_is_not_subscribed_to_marketing_without_consent(tmp_path):
    consent = ("email,consent_at,consent_channel,notice_version,confirmed_at\n"
               "marie@gmail.example,2026-01-01,site web,2026-11,2026-01-02\n")
    await do_import(write(tmp_path, consent), list_slug="public-newsletter", source_type=SourceType.GIVEN)
    report = await do_import(write(tmp_path, "email,first_name\nmarie@gmail.example,Marie\n", "b.csv"), list_slug="partners")
    assert report.counts["skipped_no_basis"] == 1 and report.counts["subscribed"] == 0
    assert [(r["row"], r["column"]) for r in report_rows(report)] == [("2", "address_kind")]
    assert [s["mailing_list.slug"] for s in await subscriptions_of("marie@gmail.example")] == ["public-newsletter"]


def test_row_limits_match_the_contact_columns():
    from contacts.services.importing.rows import PHONE_LIMIT, TEXT_LIMITS
    from contacts.services.importing.run import SOURCE_NAME_LIMIT

    for name, limit in TEXT_LIMITS.items():
        column = getattr(Contact, name)
        assert getattr(column, "length", None) in (limit, None), name  # Text columns have no length
    assert Contact.phone.length == PHONE_LIMIT
    assert Contact.source_name.length == ImportRun.source_name.length == SOURCE_NAME_LIMIT


async def test_over_long_values_are_row_errors_on_every_engine(tmp_path):
    phone = "(+33) 1 - 23 - 45 - 67 - 89 / 06 - 12 - 34"  # 42 characters, 16 digits
    report = await do_import(write(tmp_path, f"email,phone,title\na@example.org,{phone},\nb@example.org,,{'M' * 41}\nc@example.org,,\n"))
    assert {(r["row"], r["column"]) for r in report_rows(report)} == {("2", "phone"), ("3", "title")}
    assert report.counts["created"] == 1
    with pytest.raises(ValidationError) as error:
        await do_import(write(tmp_path, "email\nd@example.org\n", "d.csv"), source_name="x" * 301)
    assert error.value.field == "source"


async def test_a_row_the_database_refuses_costs_only_itself(tmp_path, monkeypatch):
    from contacts.services.importing import store

    real = store._new_contact

    def sabotaged(contact_id, row, ctx):
        values = list(real(contact_id, row, ctx))
        if row.email == "boom@example.org":
            values[store.CONTACT_COLUMNS.index("source_name")] = None  # NOT NULL: refused by both engines
        return tuple(values)

    monkeypatch.setattr(store, "_new_contact", sabotaged)
    report = await do_import(write(tmp_path, "email\na@example.org\nboom@example.org\nc@example.org\n"))
    assert (report.counts["created"], report.counts["invalid"]) == (2, 1)
    refused = report_rows(report)
    assert [(r["row"], r["outcome"]) for r in refused] == [("3", "invalid")]
    assert "database refused" in refused[0]["reason"]
    assert await Contact.count() == 2 and await Subscription.count() == 2


async def test_bytes_that_are_not_utf8_after_the_first_block_fail_only_their_row(tmp_path):
    lines = [b"email,last_name"] + [f"p{i}@example.org,Nom{i}".encode() for i in range(6000)]
    lines[5001] = b"latin@example.org,H\xe9l\xe8ne"  # row 5002
    path = tmp_path / "mixed.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    report = await do_import(path, workers=0)
    assert [(r["row"], r["column"]) for r in report_rows(report)] == [("5002", "last_name")]
    assert report.counts["created"] == 5999


async def test_unreadable_csv_midway_keeps_what_came_before_and_says_where(tmp_path):
    rows = [f"p{i}@example.org,x" for i in range(50)] + ['q@example.org,"' + "y" * 200_000 + '"']
    path = write(tmp_path, "email,last_name\n" + "\n".join(rows) + "\n")
    with pytest.raises(ValidationError) as error:
        await do_import(path, batch_size=20)
    assert error.value.field == "FILE" and "the rows before it were imported" in error.value.message
    assert await Contact.count() == 50
    run = await ImportRun.select().first()
    assert run["finished_at"] is not None


@pytest.mark.parametrize("content", ["\ufeff", "\ufeff\n\n", "\n\n\n"])
async def test_bom_only_or_blank_files_are_empty(tmp_path, content):
    with pytest.raises(ValidationError, match="empty"):
        await do_import(write(tmp_path, content))


async def test_blank_lines_before_the_header_are_skipped(tmp_path):
    report = await do_import(write(tmp_path, "\n\nemail\na@example.org\nbad\n"))
    assert report.counts["created"] == 1
    assert [r["row"] for r in report_rows(report)] == ["5"]


async def test_dates_out_of_range_are_row_errors(tmp_path):
    report = await do_import(write(tmp_path, "email,collected_at\na@example.org,0001-01-01T00:00+01:00\nb@example.org,2026-02-30\n"))
    assert [(r["row"], r["column"]) for r in report_rows(report)] == [("2", "collected_at"), ("3", "collected_at")]


async def test_an_unwritable_report_path_is_refused_before_anything_is_written(tmp_path):
    with pytest.raises(ValidationError) as error:
        await do_import(write(tmp_path, "email\na@example.org\n"), report_path=tmp_path / "missing" / "r.csv")
    assert error.value.field == "errors"
    assert await ImportRun.count() == 0 and await Contact.count() == 0


@pytest.mark.parametrize("batch_size", [1, 2, 10])
async def test_counts_do_not_depend_on_where_batches_split(tmp_path, batch_size):
    await suppression.suppress("s@example.org", "unsubscribe", actor="test", channel=Channel.CLI)
    text = "email\ns@example.org\na@example.org\nS@example.org\na@example.org\nb@example.org\n"
    report = await do_import(write(tmp_path, text), batch_size=batch_size)
    assert (report.counts["skipped_suppressed"], report.counts["duplicates"], report.counts["created"]) == (2, 1, 2)


# REQ-2, REQ-43: a pending double opt-in is confirmed only by an import that brings the consent proof.
async def test_req2_pending_subscription_is_confirmed_by_imported_proof(tmp_path):
    await do_import(write(tmp_path, "email\nzoe@example.org\n"), list_slug="vips")
    contact = await Contact.select(Contact.id).first()
    public = await MailingList.select(MailingList.id).where(MailingList.slug == "public-newsletter").first()
    async with write_transaction():
        await Subscription.insert(Subscription(contact=contact["id"], mailing_list=public["id"], legal_basis="consent",
                                               status="pending", evidence={"kind": "signup"}))
    text = ("email,consent_at,consent_channel,notice_version,confirmed_at\n"
            "zoe@example.org,2026-05-01,Formulaire,2026-11,2026-05-02\n")
    report = await do_import(write(tmp_path, text, "proof.csv"), list_slug="public-newsletter", source_type=SourceType.GIVEN)
    assert report.counts["confirmed"] == 1
    subscription = next(s for s in await subscriptions_of("zoe@example.org") if s["mailing_list.slug"] == "public-newsletter")
    evidence = json.loads(subscription["evidence"]) if isinstance(subscription["evidence"], str) else subscription["evidence"]
    assert subscription["status"] == "subscribed" and evidence["consent"]["double_opt_in_confirmed_at"]
    assert await ConsentEvent.exists().where(ConsentEvent.action == "confirmed")


# REQ-44: after a key rotation, addresses suppressed under the old key are still skipped by imports.
async def test_req44_import_honours_suppressions_made_under_a_rotated_key(tmp_path, monkeypatch):
    await suppression.suppress("old@example.org", "objection", actor="test", channel=Channel.CLI)
    settings = suppression.get_settings()
    rotated = type(settings)(**{**settings.__dict__, "secret_keys": ("a-new-secret-key-000000001", *settings.secret_keys)})
    monkeypatch.setattr(suppression, "get_settings", lambda: rotated)
    report = await do_import(write(tmp_path, "email\nold@example.org\nnew@example.org\n"))
    assert (report.counts["skipped_suppressed"], report.counts["created"]) == (1, 1)


async def test_two_imports_at_once_do_not_collide(tmp_path):
    import asyncio

    path = write(tmp_path, "email\n" + "\n".join(f"same{i}@example.org" for i in range(300)) + "\n")
    first, second = await asyncio.gather(
        do_import(path, list_slug="journalists", batch_size=25, report_path=tmp_path / "1.csv"),
        do_import(path, list_slug="vips", batch_size=25, report_path=tmp_path / "2.csv"),
    )
    assert first.counts["created"] + second.counts["created"] == 300
    assert first.counts["subscribed"] == second.counts["subscribed"] == 300
    assert await Contact.count() == 300 and await Subscription.count() == 600
