"""One rule for every do-not-contact entry, in every form: the same cases run through the Python rule (on a
Piccolo transaction and on a bulk session) and through PostgreSQL's one statement, and every row written is
compared, all columns but the ids (the same clock is given to each form, so timestamps are compared too)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from functools import partial

import pytest
from piccolo.engine.sqlite import convert_timestamptz_out

from contacts.db.bulk import PostgresBulkSession, bulk_session
from contacts.db.engine import json_value, write_transaction
from contacts.domain import Channel, SuppressionReason
from contacts.keyring import Keyring, keyring_for
from contacts.services.optout.writer import Unsubscribe, write, write_in_one_statement
from contacts.services.people import ledger, suppression, suppression_rule
from contacts.settings import get_settings
from contacts.tables import Purpose
from tests.services.test_optout_writer import imported, list_id

pytestmark = pytest.mark.usefixtures("database_url")

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
INSTANTS = {"created_at", "lifted_at", "occurred_at", "redacted_at", "ended_at", "updated_at", "started_at"}


class RolledBack(Exception):
    """Leaves a form's transaction once its rows are read, so that the next form starts from the same rows."""


def comparable(tables: dict[str, list[dict]]) -> dict[str, list[tuple]]:
    """Rows without their ids, a ledger event's suppression named by its entry's hash and scope."""
    entries = {row["id"]: (row["address_hash"], row["scope"]) for row in tables["suppression"]}
    result = {}
    for name, rows in tables.items():
        result[name] = sorted((tuple(sorted(
            (column, _plain(column, value, entries)) for column, value in row.items()
            if column != "id" or name == "subscription")) for row in rows), key=repr)
    return result


def _plain(column: str, value, entries: dict):
    if value is None:
        return None
    if column in INSTANTS:
        return value if isinstance(value, datetime) else convert_timestamptz_out(value)
    if column in ("details", "evidence"):
        return json_value(value)
    if column == "suppression":
        return entries[value]
    return value


async def tables_of(fetch) -> dict[str, list[dict]]:
    return {name: await fetch(f"SELECT * FROM {name}") for name in ("suppression", "consent_event", "subscription")}


async def through_bulk(session, run) -> tuple[object, dict]:
    """`run(session)`'s result and the rows it leaves, then rolled back."""
    with contextlib.suppress(RolledBack):
        async with session.transaction():
            result = await run(session)
            tables = await tables_of(session.fetch)
            raise RolledBack
    return result, comparable(tables)


async def through_piccolo(run) -> tuple[object, dict]:
    rows = suppression_rule.PiccoloTransaction()
    with contextlib.suppress(RolledBack):
        async with write_transaction():
            result = await run(rows)
            tables = await tables_of(rows.fetch)
            raise RolledBack
    return result, comparable(tables)


async def suppressed_beforehand(tmp_path) -> dict[str, int]:
    """Five people on both lists, four with what a case needs already on the suppression list; their ids."""
    people = ["zoe@presse.example", "hugo@presse.example", "ana@presse.example", "léa@presse.example",
              "noé@presse.example"]
    ids = dict(zip(people, await imported(tmp_path, *people, lists=("journalists", "press-releases"))))
    await suppression.suppress("hugo@presse.example", "complaint", actor="test", channel=Channel.COMPLAINT)
    await suppression.suppress("ana@presse.example", "manual", scope="list:press-releases", actor="staff",
                               channel=Channel.STAFF)
    await suppression.suppress("ana@presse.example", "objection", scope="purpose:communications-newsletter",
                               actor="test", channel=Channel.CLI)
    # The same address as the contact's, spelt otherwise: decomposed accent, capitals.
    await suppression.suppress("Le\u0301a@PRESSE.example", "unsubscribe", scope="list:journalists", actor="test",
                               channel=Channel.CLI)
    return ids


def groups(ids: dict[str, int], journalists: int) -> dict[str, list[Unsubscribe]]:
    zoe, hugo, ana, lea, noe = ids.values()

    def leaving(contact: int, list_: int | None, channel=Channel.ONE_CLICK, reason="unsubscribe link", **more):
        return Unsubscribe(contact, list_, channel, reason, **more)

    return {
        "not suppressed": [leaving(zoe, journalists, campaign_id=7)],
        "already suppressed globally": [leaving(hugo, journalists), leaving(hugo, None, Channel.PREFERENCE_CENTRE)],
        "suppressed in another scope": [leaving(ana, journalists)],
        "twice in one group": [leaving(zoe, journalists), leaving(zoe, journalists, Channel.MAILTO, "mailto"),
                               leaving(zoe, None)],
        "different reasons, channels and scopes": [
            leaving(noe, None, Channel.STAFF, "by post", actor="staff:ada"), leaving(ana, None),
            leaving(zoe, journalists, Channel.UNSUBSCRIBE_PAGE, "page", campaign_id=3), leaving(hugo, None)],
        "canonicalises as another": [leaving(lea, journalists), leaving(lea, None)],
    }


# REQ-42, REQ-44, REQ-45: PostgreSQL's one statement writes exactly what the Python rule writes.
async def test_req42_postgresql_statement_writes_the_rows_the_python_rule_writes(tmp_path):
    ids = await suppressed_beforehand(tmp_path)
    journalists = await list_id("journalists")
    keyrings = {"one key": Keyring.from_settings(get_settings()),
                "rotated key": keyring_for(("a-brand-new-secret-key-0001", *get_settings().secret_keys))}
    async with bulk_session() as session:
        if not isinstance(session, PostgresBulkSession):
            pytest.skip("the one-statement form is PostgreSQL's")
        for case, requests in groups(ids, journalists).items():
            for key_name, keyring in keyrings.items():
                python = await through_bulk(session, partial(write, requests=requests, keyring=keyring, now=NOW))
                one_statement = await through_bulk(session, lambda s, requests=requests, keyring=keyring:
                                                   write_in_one_statement(s.connection, requests, keyring, NOW))
                assert python == one_statement, f"{case}, {key_name}"


def wanted_list(ids: dict[str, int], purpose: int, journalists: int) -> list[suppression_rule.Wanted]:
    zoe, hugo, ana, lea, _ = ids.values()
    Wanted, Reason = suppression_rule.Wanted, SuppressionReason
    return [
        Wanted("zoe@presse.example", "global", Reason.HARD_BOUNCE, "bounces", Channel.BOUNCE, zoe,
               note="campaign 4: delivery status 5.1.1"),
        Wanted("zoe@presse.example", "global", Reason.COMPLAINT, "bounces", Channel.COMPLAINT, zoe),  # a repeat
        Wanted("hugo@presse.example", "global", Reason.ERASURE, "staff:ada", Channel.SYSTEM, hugo, note="erasure"),
        Wanted("hugo@presse.example", "purpose:communications-newsletter", Reason.OBJECTION, "recipient",
               Channel.OBJECTION_PAGE, hugo, purpose_id=purpose),
        Wanted("ana@presse.example", "list:press-releases", Reason.UNSUBSCRIBE, "recipient", Channel.ONE_CLICK, ana),
        Wanted("ana@presse.example", "list:journalists", Reason.MANUAL, "staff:ada", Channel.STAFF, ana,
               list_id=journalists),
        Wanted("léa@presse.example", "list:journalists", Reason.UNSUBSCRIBE, "recipient", Channel.MAILTO, lea),
        Wanted("nobody@presse.example", "global", Reason.MANUAL, "cli", Channel.CLI, None),
    ]


def standalone_statement() -> str:
    """The rule alone as one PostgreSQL statement, from the CTEs the opt-out statement embeds."""
    fields = ", ".join(ledger.EVENT_FIELDS)
    return f"""
WITH asked AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[],
                         $8::int[], $9::int[], $10::text[])
        AS a(n, canonical, scope, reason, actor, channel, contact, mailing_list, purpose, note)
), {suppression_rule.postgres_ctes("asked", now="$11", inner="$12", outer="$13", key_id="$14", version="$15")},
events AS (
    INSERT INTO consent_event (occurred_at, {fields})
    SELECT $11, action, channel, actor, reason, contact, subscription, mailing_list, purpose, suppression,
           details::json
    FROM suppression_events ORDER BY n, sort RETURNING id
)
SELECT count(*) FROM events"""


async def in_one_statement(connection, wanted: list[suppression_rule.Wanted], keyring: Keyring) -> None:
    columns = [list(range(len(wanted))), [w.canonical for w in wanted], [w.scope for w in wanted],
               [w.reason.value for w in wanted], [w.actor for w in wanted], [w.channel.value for w in wanted],
               [w.contact_id for w in wanted], [w.list_id for w in wanted], [w.purpose_id for w in wanted],
               [w.note for w in wanted]]
    await connection.fetchval(standalone_statement(), *columns, NOW, *suppression_rule.postgres_arguments(keyring))


# REQ-42, REQ-44, REQ-45: a single suppression (Piccolo's transaction) and a group (a bulk session) write the
# same rows, and so does PostgreSQL's statement, whatever the reasons and scopes.
async def test_req42_every_path_writes_the_same_rows_for_the_same_entries(tmp_path):
    ids = await suppressed_beforehand(tmp_path)
    purpose = (await Purpose.select(Purpose.id).where(Purpose.code == "communications-newsletter").first())["id"]
    wanted = wanted_list(ids, purpose, await list_id("journalists"))
    keyring = Keyring.from_settings(get_settings())

    async def by_rule(rows):
        outcomes = await suppression_rule.write(rows, wanted, keyring, NOW)
        return [(o.wanted.canonical, o.wanted.scope, o.suppression_id is not None, o.active is not None)
                for o in outcomes]

    single = await through_piccolo(by_rule)
    assert [created for *_, created, _ in single[0]] == [True, False, True, False, True, False, True]
    async with bulk_session() as session:
        assert await through_bulk(session, by_rule) == single
        if isinstance(session, PostgresBulkSession):
            _, rows = await through_bulk(session, lambda s: in_one_statement(s.connection, wanted, keyring))
            assert rows == single[1]
