"""The consent ledger: an append-only record of every change of subscription or suppression state."""

from __future__ import annotations

from typing import Any

from contacts.domain import Channel, EventAction
from contacts.tables import ConsentEvent


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
