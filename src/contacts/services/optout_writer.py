"""Unsubscribes written in groups, on one connection of their own: the one-click path under a burst.

After a campaign, mail clients and people POST one-click unsubscribes by the hundred per second. Written one
by one through Piccolo, each cost about six queries, and on SQLite a new connection and thread for every
one of them: p99 went past 200 ms. Here every unsubscribe that arrives while the previous group is being
written goes into the next group, written atomically (a group commit): on SQLite in one transaction by a
few set-wise statements (`write`), on PostgreSQL by one statement (contacts.services.optout_statement), a
single round trip. A caller's answer waits for its group's commit, so an answered opt-out is durable.

Each request records what a single unsubscribe did before: the subscription ends (status `unsubscribed`),
a ConsentEvent names the channel and campaign, and a do-not-contact entry for the list's scope (and, for
"unsubscribe from everything", the global scope) is written unless an active one exists (REQ-42).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from contacts.addresses import CANONICALISER_VERSION
from contacts.database import process_writer_turn
from contacts.domain import Channel, EventAction, SubscriptionStatus, SuppressionReason
from contacts.services import optout_statement
from contacts.services.bulk import BulkSession, PostgresBulkSession, bulk_session
from contacts.services.keyring import Keyring
from contacts.settings import get_settings

log = logging.getLogger(__name__)

EVENT_COLUMNS = ("id", "occurred_at", "action", "channel", "actor", "reason", "contact", "subscription",
                 "mailing_list", "purpose", "suppression", "details")
SUPPRESSION_COLUMNS = ("id", "address_hash", "key_id", "canonicaliser_version", "scope", "reason", "created_at",
                       "created_by")
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
    statement (contacts.services.optout_statement), elsewhere in a transaction by `write`. For each request:
    did a subscription change?"""
    if isinstance(session, PostgresBulkSession):
        return await optout_statement.write(session.connection, requests, keyring)
    async with session.transaction():
        return await write(session, requests, keyring)


async def write(session: BulkSession, requests: Sequence[Unsubscribe], keyring: Keyring) -> list[bool]:
    """Call inside a transaction of `session`. For each request: did a subscription change?"""
    now = datetime.now(UTC)
    among, params = session.among(sorted({request.contact_id for request in requests}))
    rows = await session.fetch(
        "SELECT s.id, s.contact, s.mailing_list, s.status, l.purpose, l.slug, c.email_canonical "
        "FROM subscription s JOIN mailing_list l ON l.id = s.mailing_list JOIN contact c ON c.id = s.contact "
        f"WHERE s.contact {among}", *params)
    by_contact: dict[int, list[dict]] = {}
    for row in rows:
        by_contact.setdefault(row["contact"], []).append(row)

    ended: dict[int, dict] = {}  # subscription id -> (row, request) of the request that ended it
    wanted: dict[tuple[str, str], tuple[Unsubscribe, dict | None]] = {}  # (canonical, scope) -> who asks
    changed = []
    for request in requests:
        targets = [row for row in by_contact.get(request.contact_id, ())
                   if row["mailing_list"] == request.list_id
                   or (request.list_id is None and row["status"] in ACTIVE)]
        changed.append(False)
        for row in targets:
            if row["status"] in ACTIVE and row["id"] not in ended:
                ended[row["id"]] = {"row": row, "request": request}
                changed[-1] = True
            if row["email_canonical"]:
                wanted.setdefault((row["email_canonical"], f"list:{row['slug']}"), (request, row))
        canonical = next((row["email_canonical"] for row in by_contact.get(request.contact_id, ())), None)
        if request.list_id is None and canonical:
            wanted.setdefault((canonical, "global"), (request, None))

    events = []
    if ended:
        among, params = session.among(list(ended))
        await session.execute(f"UPDATE subscription SET status = ?, ended_at = ?, updated_at = ? WHERE id {among}",
                              SubscriptionStatus.UNSUBSCRIBED.value, now, now, *params)
        events += [(EventAction.UNSUBSCRIBED, item["request"], item["row"], item["row"]["id"], None,
                    {"campaign": item["request"].campaign_id or None}, item["request"].reason)
                   for item in ended.values()]
    events += await _suppress(session, wanted, keyring, now)
    event_ids = await session.allocate_ids("consent_event", len(events))
    await session.insert("consent_event", EVENT_COLUMNS, [
        (event_id, now, action.value, request.channel.value, request.actor, reason, request.contact_id, subscription,
         row["mailing_list"] if row else request.list_id, row["purpose"] if row else None, suppression_id,
         json.dumps(details))
        for event_id, (action, request, row, subscription, suppression_id, details, reason) in zip(event_ids, events)
    ])
    return changed


async def _suppress(session: BulkSession, wanted: dict, keyring: Keyring, now: datetime) -> list[tuple]:
    """The do-not-contact entries that are not there yet; returns their ConsentEvents to write."""
    if not wanted:
        return []
    hashes_of = {canonical: keyring.hashes(canonical) for canonical, _ in wanted}
    among, params = session.among(sorted({digest for hashes in hashes_of.values() for digest in hashes}))
    active = {(row["address_hash"], row["scope"]) for row in await session.fetch(
        f"SELECT address_hash, scope FROM suppression WHERE address_hash {among} AND lifted_at IS NULL", *params)}
    missing = [(canonical, scope, who) for (canonical, scope), who in wanted.items()
               if not any((digest, scope) in active for digest in hashes_of[canonical])]
    ids = await session.allocate_ids("suppression", len(missing))
    reason = SuppressionReason.UNSUBSCRIBE.value
    await session.insert("suppression", SUPPRESSION_COLUMNS, [
        (suppression_id, keyring.current.digest(canonical), keyring.current.key_id, CANONICALISER_VERSION, scope,
         reason, now, who.actor)
        for suppression_id, (canonical, scope, (who, _)) in zip(ids, missing)
    ])
    return [(EventAction.SUPPRESSED, request, row, None, suppression_id, {"scope": scope, "reason": reason}, reason)
            for suppression_id, (_, scope, (request, row)) in zip(ids, missing)]


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
