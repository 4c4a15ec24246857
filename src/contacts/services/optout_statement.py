"""A group of unsubscribes written by one PostgreSQL statement: one round trip, atomic, no BEGIN or COMMIT.

The group writer (contacts.services.optout_writer) spent about nine round trips per group on PostgreSQL
(BEGIN, read subscriptions, update, read suppressions, two id allocations, two inserts, COMMIT), and
every one of them waited for its turn on an event loop busy with the requests themselves. Here the
same rules are one statement whose parts are data-modifying CTEs, so a group costs one round trip.

What the rules are is said once, in optout_writer's docstring; this is their PostgreSQL form, tested
against the same cases as the SQLite form. The keyed hash of an address (REQ-44) is computed by the
statement itself: HMAC-SHA256 is sha256(key ^ opad || sha256(key ^ ipad || message)), and the two padded
keys are passed in, so the secret never appears in the SQL and PostgreSQL needs no extension.

Several such statements may run at once (more than one group in flight): the UPDATE re-checks each
subscription's status once it holds its row lock, and the suppression INSERT does nothing on the partial
unique index of active entries, so two groups never end a subscription or suppress a scope twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from contacts.addresses import CANONICALISER_VERSION
from contacts.domain import EventAction, SubscriptionStatus, SuppressionReason
from contacts.services.keyring import HashKey, Keyring

if TYPE_CHECKING:
    from contacts.services.optout_writer import Unsubscribe

_ACTIVE = f"('{SubscriptionStatus.SUBSCRIBED.value}', '{SubscriptionStatus.PENDING.value}')"
_REASON = SuppressionReason.UNSUBSCRIBE.value



def digest_sql(inner: str, outer: str, text: str) -> str:
    """SQL for the hex HMAC-SHA256 of `text` (UTF-8), given the key's inner and outer padded forms."""
    return f"encode(sha256({outer} || sha256({inner} || convert_to({text}, 'UTF8'))), 'hex')"


# $1 ordinal, $2 contact, $3 list (NULL: every list), $4 channel, $5 reason, $6 campaign (NULL: none),
# $7 actor, one array element per request; $8 now; $9/$10 every key's inner and outer padded key, the
# current key first; $11 the current key's id; $12 the canonicaliser's version.
STATEMENT = f"""
WITH req AS (
    SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[])
        AS r(n, contact, list, channel, reason, campaign, actor)
), keys AS (
    SELECT * FROM unnest($9::bytea[], $10::bytea[]) WITH ORDINALITY AS k(ipad, opad, position)
), target AS (  -- each request's subscriptions: its list's, or every active one for "everything"
    SELECT r.n, s.id, s.mailing_list, s.status, l.purpose, l.slug, c.email_canonical AS canonical
    FROM req r
    JOIN subscription s ON s.contact = r.contact
        AND (s.mailing_list = r.list OR (r.list IS NULL AND s.status IN {_ACTIVE}))
    JOIN mailing_list l ON l.id = s.mailing_list
    JOIN contact c ON c.id = s.contact
), ending AS (  -- the group's first request for an active subscription is the one that ends it
    SELECT DISTINCT ON (id) id, n, mailing_list, purpose FROM target WHERE status IN {_ACTIVE} ORDER BY id, n
), ended AS (
    UPDATE subscription s SET status = '{SubscriptionStatus.UNSUBSCRIBED.value}', ended_at = $8, updated_at = $8
    FROM ending e WHERE s.id = e.id AND s.status IN {_ACTIVE}
    RETURNING s.id, e.n, e.mailing_list, e.purpose
), wanted AS (  -- the do-not-contact entries asked for, each by the group's first request that asks
    SELECT DISTINCT ON (canonical, scope) * FROM (
        SELECT canonical, 'list:' || slug AS scope, n, mailing_list, purpose FROM target WHERE canonical <> ''
        UNION ALL
        SELECT c.email_canonical, 'global', r.n, NULL::int, NULL::int
        FROM req r JOIN contact c ON c.id = r.contact
        WHERE r.list IS NULL AND c.email_canonical <> ''
          AND EXISTS (SELECT 1 FROM subscription s WHERE s.contact = r.contact)
    ) w ORDER BY canonical, scope, n
), hashed AS (
    SELECT w.*, ARRAY(SELECT {digest_sql("k.ipad", "k.opad", "w.canonical")} FROM keys k ORDER BY k.position)
        AS digests
    FROM wanted w
), known AS MATERIALIZED (  -- the active entries for these addresses, under any key, by the hash's index
    SELECT address_hash, scope FROM suppression
    WHERE address_hash = ANY(ARRAY(SELECT unnest(digests) FROM hashed)::varchar[]) AND lifted_at IS NULL
), suppressed AS (  -- unless an active entry exists
    INSERT INTO suppression (address_hash, key_id, canonicaliser_version, scope, reason, created_at, created_by)
    SELECT h.digests[1], $11, $12, h.scope, '{_REASON}', $8, r.actor
    FROM hashed h JOIN req r ON r.n = h.n
    WHERE NOT EXISTS (SELECT 1 FROM known x WHERE x.address_hash = ANY(h.digests) AND x.scope = h.scope)
    ORDER BY h.digests[1], h.scope
    ON CONFLICT (address_hash, scope) WHERE lifted_at IS NULL DO NOTHING
    RETURNING id, address_hash, scope
), events AS (
    INSERT INTO consent_event (occurred_at, action, channel, actor, reason, contact, subscription, mailing_list,
                               purpose, suppression, details)
    SELECT $8, e.action, r.channel, r.actor, e.reason, r.contact, e.subscription, e.mailing_list, e.purpose,
           e.suppression, e.details::json
    FROM (
        SELECT 0 AS kind, d.n, d.id AS sort, '{EventAction.UNSUBSCRIBED.value}' AS action, q.reason,
               d.id AS subscription, d.mailing_list, d.purpose, NULL::int AS suppression,
               '{{"campaign": ' || COALESCE(q.campaign::text, 'null') || '}}' AS details
        FROM ended d JOIN req q ON q.n = d.n
        UNION ALL
        SELECT 1, h.n, x.id, '{EventAction.SUPPRESSED.value}', '{_REASON}', NULL, COALESCE(h.mailing_list, q.list),
               h.purpose, x.id, '{{"scope": ' || to_json(h.scope)::text || ', "reason": "{_REASON}"}}'
        FROM suppressed x JOIN hashed h ON h.digests[1] = x.address_hash AND h.scope = x.scope
        JOIN req q ON q.n = h.n
    ) e JOIN req r ON r.n = e.n
    ORDER BY e.kind, e.n, e.sort
    RETURNING id
)
SELECT COALESCE(array_agg(DISTINCT n), '{{}}') AS changed FROM ended
"""


def padded_keys(key: HashKey) -> tuple[bytes, bytes]:
    """HMAC's inner and outer keys (RFC 2104) for SHA-256, whose block is 64 bytes."""
    secret = key.secret if len(key.secret) <= 64 else hashlib.sha256(key.secret).digest()
    secret = secret.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in secret), bytes(b ^ 0x5C for b in secret)


def arguments(requests: Sequence[Unsubscribe], keyring: Keyring, now: datetime | None = None) -> list:
    pads = [padded_keys(key) for key in keyring.keys]
    return [
        list(range(len(requests))),
        [request.contact_id for request in requests],
        [request.list_id for request in requests],
        [request.channel.value for request in requests],
        [request.reason for request in requests],
        [request.campaign_id or None for request in requests],
        [request.actor for request in requests],
        now or datetime.now(UTC),
        [inner for inner, _ in pads],
        [outer for _, outer in pads],
        keyring.current.key_id,
        CANONICALISER_VERSION,
    ]


async def write(connection, requests: Sequence[Unsubscribe], keyring: Keyring) -> list[bool]:
    """On an asyncpg connection, outside any transaction: for each request, did a subscription change?"""
    changed = set(await connection.fetchval(STATEMENT, *arguments(requests, keyring)))
    return [n in changed for n in range(len(requests))]
