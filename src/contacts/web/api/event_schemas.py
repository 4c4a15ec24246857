"""What the API's event routes read and write."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypeAlias

from litestar.params import KwargDefinition
from msgspec import UNSET, Meta, UnsetType

from contacts.services.invitations import events
from contacts.text_input import INT32_MAX, ONE_LINE_PATTERN
from contacts.web.api.schemas import BodyIn, BodyText

# Paris time unless the value names its offset: "2026-12-12T18:30" or "2026-12-12T18:30:00+01:00".
Moment: TypeAlias = Annotated[str, KwargDefinition(pattern=ONE_LINE_PATTERN, description=(
    "ISO 8601 date and time; Paris time unless it names its offset"))]
Places: TypeAlias = Annotated[int, Meta(le=INT32_MAX)]  # the service refuses less than 1, naming the field


class EventIn(BodyIn):
    title_fr: BodyText
    starts_at: Moment
    ends_at: Moment
    place_name: BodyText
    title_en: BodyText = ""
    description_fr: BodyText = ""
    description_en: BodyText = ""
    place_address: BodyText = ""
    capacity: Places | None = None  # guests and companions; null: no limit
    rsvp_deadline: Moment | None = None  # null: answers until the event
    companions_allowed: bool = False

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in events.FIELDS}


class EventPatchIn(BodyIn):
    """The fields to change; those left out stay as they are."""

    title_fr: BodyText | UnsetType = UNSET
    title_en: BodyText | UnsetType = UNSET
    description_fr: BodyText | UnsetType = UNSET
    description_en: BodyText | UnsetType = UNSET
    starts_at: Moment | UnsetType = UNSET
    ends_at: Moment | UnsetType = UNSET
    place_name: BodyText | UnsetType = UNSET
    place_address: BodyText | UnsetType = UNSET
    capacity: Places | None | UnsetType = UNSET
    rsvp_deadline: Moment | None | UnsetType = UNSET
    companions_allowed: bool | UnsetType = UNSET

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in events.FIELDS if getattr(self, name) is not UNSET}


@dataclass
class EventOut:
    id: int
    title_fr: str
    title_en: str
    description_fr: str
    description_en: str
    starts_at: datetime
    ends_at: datetime
    place_name: str
    place_address: str
    capacity: int | None
    rsvp_deadline: datetime | None
    companions_allowed: bool
    calendar_uid: str
    calendar_sequence: int
    cancelled_at: datetime | None
    companions_deleted_at: datetime | None
    created_by: str
    created_at: datetime
    counts: events.EventCounts
    guest_lists: list[events.GuestListSummary]
    guests_told: int | None = None  # after a change or a cancellation: the guests being mailed

    @classmethod
    def of(cls, view: events.EventView, guests_told: int | None = None) -> EventOut:
        facts = view.event
        return cls(
            id=facts.id, title_fr=facts.title_fr, title_en=facts.title_en, description_fr=facts.description_fr,
            description_en=facts.description_en, starts_at=facts.starts_at, ends_at=facts.ends_at,
            place_name=facts.place_name, place_address=facts.place_address, capacity=facts.capacity,
            rsvp_deadline=facts.rsvp_deadline, companions_allowed=facts.companions_allowed,
            calendar_uid=facts.calendar_uid, calendar_sequence=facts.calendar_sequence,
            cancelled_at=facts.cancelled_at, companions_deleted_at=view.companions_deleted_at,
            created_by=view.created_by, created_at=view.created_at, counts=view.counts,
            guest_lists=view.guest_lists, guests_told=guests_told)
