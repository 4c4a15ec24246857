"""The consent ledger: an append-only record of every change of subscription or suppression state."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contacts.domain import Channel, EventAction
from contacts.tables import ConsentEvent

if TYPE_CHECKING:
    from contacts.db.bulk import RowWriter

EVENT_FIELDS = ("action", "channel", "actor", "reason", "contact", "subscription", "mailing_list", "purpose",
                "suppression", "details")


def consent_event(
    action: EventAction,
    channel: Channel,
    actor: str,
    *,
    reason: str | None = None,
    contact: int | None = None,
    subscription: int | None = None,
    mailing_list: int | None = None,
    purpose: int | None = None,
    suppression: int | None = None,
    details: dict[str, Any] | None = None,
) -> ConsentEvent:
    """Build an event to insert in the same transaction as the change it records."""
    return ConsentEvent(
        action=action,
        channel=channel,
        actor=actor,
        reason=reason,
        contact=contact,
        subscription=subscription,
        mailing_list=mailing_list,
        purpose=purpose,
        suppression=suppression,
        details=details or {},
    )


async def record(*events: ConsentEvent) -> None:
    if events:
        await ConsentEvent.insert(*events)


@dataclass(frozen=True)
class EventRow:
    """An event for `insert_rows`: the paths that write through a bulk session's primitives."""

    action: EventAction
    channel: Channel
    actor: str
    reason: str | None
    contact: int | None = None
    subscription: int | None = None
    mailing_list: int | None = None
    purpose: int | None = None
    suppression: int | None = None
    details: dict[str, Any] = field(default_factory=dict)


async def insert_rows(db: RowWriter, events: Sequence[EventRow], now: datetime) -> None:
    """Inside the transaction of the change they record; ids in the order given."""
    ids = await db.allocate_ids("consent_event", len(events))
    await db.insert("consent_event", ("id", "occurred_at", *EVENT_FIELDS), [
        (event_id, now, event.action.value, event.channel.value, event.actor, event.reason, event.contact,
         event.subscription, event.mailing_list, event.purpose, event.suppression, json.dumps(event.details))
        for event_id, event in zip(ids, events)
    ])
