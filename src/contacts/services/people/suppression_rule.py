"""The one rule of every do-not-contact entry: it is written unless an active entry exists for the address
in that scope, under any key (REQ-44), and each entry written gets its ledger event (REQ-42).

Every caller goes through `write`: a single suppression (a bounce, a complaint, an objection, an erasure,
staff) on its own Piccolo write transaction (contacts.services.people.suppression.record_suppression), and a group
of opt-outs (contacts.services.optout.writer) on a bulk session. PostgreSQL's one-click path keeps one
statement per group for speed; this rule's part of it is `postgres_ctes`, generated here beside the Python.
tests/services/test_suppression_rule.py runs the same cases through both forms and compares every row.

The keyed hash of an address is computed by that statement itself: HMAC-SHA256 is
sha256(key ^ opad || sha256(key ^ ipad || message)), and the two padded keys are passed in, so the secret
never appears in the SQL and PostgreSQL needs no extension.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from contacts.addresses import CANONICALISER_VERSION
from contacts.db.bulk import RowWriter
from contacts.db.engine import engine
from contacts.domain import Channel, EventAction, SuppressionReason
from contacts.keyring import HashKey, Keyring
from contacts.services.people import ledger
from contacts.tables import Suppression

SUPPRESSION_COLUMNS = ("id", "address_hash", "key_id", "canonicaliser_version", "scope", "reason", "created_at",
                       "created_by")


@dataclass(frozen=True)
class Wanted:
    """A do-not-contact entry asked for, and what its ledger event says."""

    canonical: str
    scope: str
    reason: SuppressionReason
    actor: str
    channel: Channel
    contact_id: int | None
    purpose_id: int | None = None
    list_id: int | None = None
    note: str | None = None  # the event's reason, when it is not the entry's


@dataclass(frozen=True)
class Outcome:
    wanted: Wanted
    suppression_id: int | None  # the entry written; None when an active one was there
    active: dict[str, Any] | None  # else that entry's reason and created_at, as the connection reads them


async def write(db: RowWriter, wanted: Sequence[Wanted], keyring: Keyring, now: datetime, *,
                earlier_events: Sequence[ledger.EventRow] = ()) -> list[Outcome]:
    """Inside a write transaction of `db`. Of several asking for one address and scope, the first is
    written. `earlier_events`: the caller's own events of the same change, written first, in one insert
    with this rule's. One outcome per address and scope asked for."""
    first: dict[tuple[str, str], Wanted] = {}
    for item in wanted:
        first.setdefault((item.canonical, item.scope), item)
    hashes_of = {canonical: keyring.hashes(canonical) for canonical, _ in first}
    active: dict[tuple[str, str], dict[str, Any]] = {}
    if first:
        among, params = db.among(sorted({digest for hashes in hashes_of.values() for digest in hashes}))
        for row in await db.fetch("SELECT address_hash, scope, reason, created_at FROM suppression "
                                    f"WHERE address_hash {among} AND lifted_at IS NULL", *params):
            active[(row["address_hash"], row["scope"])] = row
    found = {(canonical, scope): next((active[(digest, scope)] for digest in hashes_of[canonical]
                                       if (digest, scope) in active), None)
             for canonical, scope in first}
    missing = [item for key, item in first.items() if found[key] is None]
    ids = await db.allocate_ids("suppression", len(missing))
    await db.insert("suppression", SUPPRESSION_COLUMNS, [
        (suppression_id, keyring.current.digest(item.canonical), keyring.current.key_id, CANONICALISER_VERSION,
         item.scope, item.reason.value, now, item.actor)
        for suppression_id, item in zip(ids, missing)
    ])
    await ledger.insert_rows(db, [*earlier_events, *(
        ledger.EventRow(EventAction.SUPPRESSED, item.channel, item.actor, item.note or item.reason.value,
                        contact=item.contact_id, mailing_list=item.list_id, purpose=item.purpose_id,
                        suppression=suppression_id, details={"scope": item.scope, "reason": item.reason.value})
        for suppression_id, item in zip(ids, missing))], now)
    written = dict(zip(((item.canonical, item.scope) for item in missing), ids))
    return [Outcome(item, written.get(key), found[key]) for key, item in first.items()]


class PiccoloTransaction:
    """`write`'s few primitives on the caller's Piccolo write transaction, which a single suppression
    shares with the change that caused it (a bounce's delivery, an erasure)."""

    def __init__(self) -> None:
        self.postgres = isinstance(engine(), PostgresEngine)

    def among(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if self.postgres:
            return "= ANY(?)", [list(values)]
        return f"IN ({', '.join('?' * len(values))})", list(values)

    async def fetch(self, sql: str, *params: Any) -> list[dict[str, Any]]:
        return await Suppression.raw(sql.replace("?", "{}"), *params)

    async def allocate_ids(self, table: str, count: int) -> list[int]:
        if not count:
            return []
        if self.postgres:
            return [row["id"] for row in await self.fetch(
                "SELECT nextval(pg_get_serial_sequence(?, 'id')) AS id FROM generate_series(1, ?)", table, count)]
        (row,) = await self.fetch(f"SELECT COALESCE(MAX(id), 0) AS last FROM {table}")  # under the write lock
        return list(range(row["last"] + 1, row["last"] + 1 + count))

    async def insert(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        for row in rows:  # one or two: a single suppression's
            await self.fetch(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(row))})",
                             *row)


# PostgreSQL's form, for the one-click path's single statement (contacts.services.optout.writer).

def padded_keys(key: HashKey) -> tuple[bytes, bytes]:
    """HMAC's inner and outer keys (RFC 2104) for SHA-256, whose block is 64 bytes."""
    secret = key.secret if len(key.secret) <= 64 else hashlib.sha256(key.secret).digest()
    secret = secret.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in secret), bytes(b ^ 0x5C for b in secret)


def digest_sql(inner: str, outer: str, text: str) -> str:
    """SQL for the hex HMAC-SHA256 of `text` (UTF-8), given the key's inner and outer padded forms."""
    return f"encode(sha256({outer} || sha256({inner} || convert_to({text}, 'UTF8'))), 'hex')"


def postgres_arguments(keyring: Keyring) -> list[Any]:
    """The values of `postgres_ctes`'s parameters inner, outer, key_id and version, in that order."""
    pads = [padded_keys(key) for key in keyring.keys]
    return [[inner for inner, _ in pads], [outer for _, outer in pads], keyring.current.key_id,
            CANONICALISER_VERSION]


def postgres_ctes(asked: str, *, now: str, inner: str, outer: str, key_id: str, version: str) -> str:
    """`write` as CTEs of one statement. `asked` names a CTE with `Wanted`'s fields (n, canonical, scope,
    reason, actor, channel, contact, mailing_list, purpose, note), where n orders them; the others are
    parameters, whose values `postgres_arguments` gives after `now`. The last CTE, `suppression_events`,
    holds the events to insert: n, sort, then ledger.EVENT_FIELDS.

    Several statements may run at once: the INSERT does nothing on the partial unique index of active
    entries, so two groups never suppress a scope twice."""
    return f"""
keys AS (
    SELECT * FROM unnest({inner}::bytea[], {outer}::bytea[]) WITH ORDINALITY AS k(ipad, opad, position)
), hashed AS (  -- the first to ask for each address and scope, with every key's hash, the current key's first
    SELECT w.*, ARRAY(SELECT {digest_sql("k.ipad", "k.opad", "w.canonical")} FROM keys k ORDER BY k.position)
        AS digests
    FROM (SELECT DISTINCT ON (canonical, scope) * FROM {asked} ORDER BY canonical, scope, n) w
), known AS MATERIALIZED (  -- the active entries for these addresses, under any key, by the hash's index
    SELECT address_hash, scope FROM suppression
    WHERE address_hash = ANY(ARRAY(SELECT unnest(digests) FROM hashed)::varchar[]) AND lifted_at IS NULL
), suppressed AS (  -- unless an active entry exists
    INSERT INTO suppression (address_hash, key_id, canonicaliser_version, scope, reason, created_at, created_by)
    SELECT h.digests[1], {key_id}, {version}, h.scope, h.reason, {now}, h.actor
    FROM hashed h
    WHERE NOT EXISTS (SELECT 1 FROM known x WHERE x.address_hash = ANY(h.digests) AND x.scope = h.scope)
    ORDER BY h.digests[1], h.scope
    ON CONFLICT (address_hash, scope) WHERE lifted_at IS NULL DO NOTHING
    RETURNING id, address_hash, scope
), suppression_events AS (
    SELECT h.n, x.id AS sort, '{EventAction.SUPPRESSED.value}' AS action, h.channel, h.actor,
           COALESCE(NULLIF(h.note, ''), h.reason) AS reason, h.contact, NULL::int AS subscription,
           h.mailing_list, h.purpose, x.id AS suppression,
           '{{"scope": ' || to_json(h.scope)::text || ', "reason": ' || to_json(h.reason)::text || '}}' AS details
    FROM suppressed x JOIN hashed h ON h.digests[1] = x.address_hash AND h.scope = x.scope
)"""
