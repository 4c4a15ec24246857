"""Unsubscribes written in groups, on one connection of their own: the one-click path under a burst.

After a campaign, mail clients and people POST one-click unsubscribes by the hundred per second. Written one
by one through Piccolo, each cost about six queries, and on SQLite a new connection and thread for every
one of them: p99 went past 200 ms. Here every unsubscribe that arrives while the previous group is being
written goes into the next group, written atomically (a group commit): on SQLite in one transaction by a
few set-wise statements (`write`), on PostgreSQL by one statement (`STATEMENT`), a single round trip. A
caller's answer waits for its group's commit, so an answered opt-out is durable.

Each request records what a single unsubscribe did before: the subscription ends (status `unsubscribed`),
a ConsentEvent names the channel and campaign, and a do-not-contact entry for the list's scope (and, for
"unsubscribe from everything", the global scope) is written unless an active one exists (REQ-42), by the
rule of contacts.services.people.suppression_rule. These rules have two forms, side by side below: `write`, in
Python for every engine, and `STATEMENT`, PostgreSQL's; tests/services/test_suppression_rule.py runs the
same groups through both and compares every row they write.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.db.bulk import BulkSession, PostgresBulkSession, bulk_session
from contacts.db.engine import process_writer_turn
from contacts.domain import Channel, EventAction, SubscriptionStatus, SuppressionReason
from contacts.keyring import Keyring
from contacts.services.people import ledger, suppression_rule
from contacts.settings import get_settings

log = logging.getLogger(__name__)

ACTIVE = (SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.PENDING)
# One group at most: a burst larger than this waits for the next round trip.
GROUP_LIMIT = 500


@dataclass(frozen=True)
class Unsubscribe:
    """One person leaving one list, or every list (`list_id=None`, which also suppresses globally)."""

    contact_id: int
    list_id: int | None
    channel: Channel
    reason: str
    campaign_id: int = 0
    actor: str = "recipient"  # or the member of staff who records an opt-out received by post or phone


async def write_group(session: BulkSession, requests: Sequence[Unsubscribe], keyring: Keyring) -> list[bool]:
    """Write these unsubscribes atomically, outside any transaction of `session`: on PostgreSQL as one
    statement (`write_in_one_statement`), elsewhere in a transaction by `write`. For each request: did a
    subscription change?"""
    if isinstance(session, PostgresBulkSession):
        return await write_in_one_statement(session.connection, requests, keyring)
    async with session.transaction():
        return await write(session, requests, keyring)


async def write(session: BulkSession, requests: Sequence[Unsubscribe], keyring: Keyring,
                now: datetime | None = None) -> list[bool]:
    """Call inside a transaction of `session`. For each request: did a subscription change?"""
    now = now or datetime.now(UTC)
    among, params = session.among(sorted({request.contact_id for request in requests}))
    rows = await session.fetch(
        "SELECT s.id, s.contact, s.mailing_list, s.status, l.purpose, l.slug, c.email_canonical "
        "FROM subscription s JOIN mailing_list l ON l.id = s.mailing_list JOIN contact c ON c.id = s.contact "
        f"WHERE s.contact {among}", *params)
    by_contact: dict[int, list[dict]] = {}
    for row in rows:
        by_contact.setdefault(row["contact"], []).append(row)

    ended: dict[int, ledger.EventRow] = {}  # subscription id -> the event of the request that ended it
    asked: list[suppression_rule.Wanted] = []  # the do-not-contact entries, in the requests' order
    changed = []
    for request in requests:
        targets = [row for row in by_contact.get(request.contact_id, ())
                   if row["mailing_list"] == request.list_id
                   or (request.list_id is None and row["status"] in ACTIVE)]
        changed.append(False)
        for row in targets:
            if row["status"] in ACTIVE and row["id"] not in ended:
                ended[row["id"]] = ledger.EventRow(
                    EventAction.UNSUBSCRIBED, request.channel, request.actor, request.reason, request.contact_id,
                    subscription=row["id"], mailing_list=row["mailing_list"], purpose=row["purpose"],
                    details={"campaign": request.campaign_id or None})
                changed[-1] = True
            if row["email_canonical"]:
                asked.append(_entry_for(request, row["email_canonical"], f"list:{row['slug']}", row))
        canonical = next((row["email_canonical"] for row in by_contact.get(request.contact_id, ())), None)
        if request.list_id is None and canonical:
            asked.append(_entry_for(request, canonical, "global", None))

    if ended:
        among, params = session.among(list(ended))
        await session.execute(f"UPDATE subscription SET status = ?, ended_at = ?, updated_at = ? WHERE id {among}",
                              SubscriptionStatus.UNSUBSCRIBED.value, now, now, *params)
    await suppression_rule.write(session, asked, keyring, now, earlier_events=list(ended.values()))
    return changed


def _entry_for(request: Unsubscribe, canonical: str, scope: str, row: dict | None) -> suppression_rule.Wanted:
    return suppression_rule.Wanted(canonical, scope, SuppressionReason.UNSUBSCRIBE, request.actor, request.channel,
                                   request.contact_id, purpose_id=row["purpose"] if row else None,
                                   list_id=row["mailing_list"] if row else request.list_id)


# `write` as one PostgreSQL statement, whose parts are data-modifying CTEs: one round trip, atomic, no BEGIN
# or COMMIT, where `write` on PostgreSQL cost about nine, each waiting for its turn on an event loop busy
# with the requests themselves. Several may run at once (more than one group in flight): the UPDATE
# re-checks each subscription's status once it holds its row lock, and suppression_rule's INSERT does
# nothing on the partial unique index of active entries, so nothing is ended or suppressed twice.
# $1 ordinal, $2 contact, $3 list (NULL: every list), $4 channel, $5 reason, $6 campaign (NULL: none),
# $7 actor, one array element per request; $8 now; $9.. suppression_rule.postgres_arguments.
_ACTIVE_SQL = f"({', '.join(repr(status.value) for status in ACTIVE)})"
STATEMENT = f"""
WITH req AS (
    SELECT * FROM unnest($1::int[], $2::int[], $3::int[], $4::text[], $5::text[], $6::int[], $7::text[])
        AS r(n, contact, list, channel, reason, campaign, actor)
), target AS (  -- each request's subscriptions: its list's, or every active one for "everything"
    SELECT r.n, s.id, s.mailing_list, s.status, l.purpose, l.slug, c.email_canonical AS canonical
    FROM req r
    JOIN subscription s ON s.contact = r.contact
        AND (s.mailing_list = r.list OR (r.list IS NULL AND s.status IN {_ACTIVE_SQL}))
    JOIN mailing_list l ON l.id = s.mailing_list
    JOIN contact c ON c.id = s.contact
), ending AS (  -- the group's first request for an active subscription is the one that ends it
    SELECT DISTINCT ON (id) id, n, mailing_list, purpose FROM target WHERE status IN {_ACTIVE_SQL} ORDER BY id, n
), ended AS (
    UPDATE subscription s SET status = '{SubscriptionStatus.UNSUBSCRIBED.value}', ended_at = $8, updated_at = $8
    FROM ending e WHERE s.id = e.id AND s.status IN {_ACTIVE_SQL}
    RETURNING s.id, e.n, e.mailing_list, e.purpose
), asked AS (  -- the do-not-contact entries, as `write` asks for them
    SELECT w.n, w.canonical, w.scope, '{SuppressionReason.UNSUBSCRIBE.value}'::text AS reason, r.actor, r.channel,
           r.contact, COALESCE(w.mailing_list, r.list) AS mailing_list, w.purpose, NULL::text AS note
    FROM (
        SELECT n, canonical, 'list:' || slug AS scope, mailing_list, purpose FROM target WHERE canonical <> ''
        UNION ALL
        SELECT r.n, c.email_canonical, 'global', NULL::int, NULL::int
        FROM req r JOIN contact c ON c.id = r.contact
        WHERE r.list IS NULL AND c.email_canonical <> ''
          AND EXISTS (SELECT 1 FROM subscription s WHERE s.contact = r.contact)
    ) w JOIN req r ON r.n = w.n
), {suppression_rule.postgres_ctes("asked", now="$8", inner="$9", outer="$10", key_id="$11", version="$12")},
events AS (
    INSERT INTO consent_event (occurred_at, {", ".join(ledger.EVENT_FIELDS)})
    SELECT $8, e.action, e.channel, e.actor, e.reason, e.contact, e.subscription, e.mailing_list, e.purpose,
           e.suppression, e.details::json
    FROM (
        SELECT 0 AS kind, d.n, d.id AS sort, '{EventAction.UNSUBSCRIBED.value}' AS action, q.channel, q.actor,
               q.reason, q.contact, d.id AS subscription, d.mailing_list, d.purpose, NULL::int AS suppression,
               '{{"campaign": ' || COALESCE(q.campaign::text, 'null') || '}}' AS details
        FROM ended d JOIN req q ON q.n = d.n
        UNION ALL
        SELECT 1, n, sort, {", ".join(ledger.EVENT_FIELDS)} FROM suppression_events
    ) e
    ORDER BY e.kind, e.n, e.sort
    RETURNING id
)
SELECT COALESCE(array_agg(DISTINCT n), '{{}}') AS changed FROM ended
"""


def statement_arguments(requests: Sequence[Unsubscribe], keyring: Keyring, now: datetime | None = None) -> list:
    return [
        list(range(len(requests))),
        [request.contact_id for request in requests],
        [request.list_id for request in requests],
        [request.channel.value for request in requests],
        [request.reason for request in requests],
        [request.campaign_id or None for request in requests],
        [request.actor for request in requests],
        now or datetime.now(UTC),
        *suppression_rule.postgres_arguments(keyring),
    ]


async def write_in_one_statement(connection, requests: Sequence[Unsubscribe], keyring: Keyring,
                                 now: datetime | None = None) -> list[bool]:
    """On an asyncpg connection, outside any transaction: for each request, did a subscription change?"""
    changed = set(await connection.fetchval(STATEMENT, *statement_arguments(requests, keyring, now)))
    return [n in changed for n in range(len(requests))]


class OptOutWriter:
    """Writes the unsubscribes that callers submit, in groups, on one long-lived bulk session."""

    def __init__(self, stack: contextlib.AsyncExitStack, session: BulkSession) -> None:
        self._stack = stack
        self._session = session
        self._keyring = Keyring.from_settings(get_settings())
        self._waiting: list[tuple[Sequence[Unsubscribe], asyncio.Future]] = []
        self._flusher: asyncio.Task | None = None

    def submit(self, requests: Sequence[Unsubscribe]) -> asyncio.Future:
        """Resolves, once committed, to one bool per request (did a subscription change?). The requests of
        one call are written in the same transaction."""
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((requests, future))
        if self._flusher is None:
            # A task, not a call: it first runs after every request ready in this loop tick has arrived.
            # A fresh context: the caller's (a transaction it holds, say) is not the writer's.
            self._flusher = asyncio.create_task(self._flush(), context=contextvars.Context())
        return future

    async def _flush(self) -> None:
        try:
            while self._waiting:
                group: list[tuple[Sequence[Unsubscribe], asyncio.Future]] = []
                size = 0
                while self._waiting and (not group or size + len(self._waiting[0][0]) <= GROUP_LIMIT):
                    group.append(self._waiting.pop(0))
                    size += len(group[-1][0])
                await self._commit(group)
        finally:
            self._flusher = None

    async def _commit(self, group: list[tuple[Sequence[Unsubscribe], asyncio.Future]]) -> None:
        flat = [request for requests, _ in group for request in requests]
        try:
            while True:
                try:
                    async with process_writer_turn():
                        changed = await write_group(self._session, flat, self._keyring)
                    break
                except sqlite3.OperationalError as error:
                    if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                        raise
                    # Another process held SQLite's write lock past the busy timeout; nothing was written.
                    # An opt-out is never refused for that: it waits its turn, even if its caller left.
                    log.warning("the database stayed locked; %d unsubscribes wait for it", len(flat))
        except Exception as error:  # every caller of this group gets it; the next group starts afresh
            log.exception("writing %d unsubscribes failed", len(flat))
            for _, future in group:
                if not future.done():
                    future.set_exception(error)
            return
        start = 0
        for requests, future in group:
            if not future.done():  # a caller that was cancelled meanwhile
                future.set_result(changed[start:start + len(requests)])
            start += len(requests)

    async def close(self) -> None:
        if self._flusher is not None:
            await asyncio.shield(self._flusher)
        await self._stack.aclose()


_writers: dict[int, OptOutWriter] = {}


@contextlib.asynccontextmanager
async def running_writer() -> AsyncIterator[OptOutWriter]:
    """For the app's life: unsubscribes on this event loop go through one writer."""
    stack = contextlib.AsyncExitStack()
    session = await stack.enter_async_context(bulk_session())
    await session.plan_once()  # the group's statement is the same at every run: planned once, not every time
    writer = OptOutWriter(stack, session)
    loop = id(asyncio.get_running_loop())
    _writers[loop] = writer
    try:
        yield writer
    finally:
        _writers.pop(loop, None)
        await writer.close()


async def unsubscribe(requests: Sequence[Unsubscribe]) -> list[bool]:
    """Write these unsubscribes in one transaction, with the running writer's group when there is one."""
    if not requests:
        return []
    writer = _writers.get(id(asyncio.get_running_loop()))
    if writer is not None:
        return await writer.submit(requests)
    async with bulk_session() as session, process_writer_turn():
        return await write_group(session, requests, Keyring.from_settings(get_settings()))
