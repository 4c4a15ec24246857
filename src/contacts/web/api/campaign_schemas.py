"""What the API's draft editing and audience routes read and write (the others are in schemas.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, TypeAlias

from litestar.params import QueryParameter
from msgspec import UNSET, UnsetType

from contacts.services.campaigns.audience_count import AudienceSummary
from contacts.services.campaigns.content import CONTENT_FIELDS
from contacts.text_input import INT32_MAX
from contacts.web.api.schemas import (
    BodyIn,
    BodyText,
    CampaignOut,
    MissingLanguageText,
    Rate,
    SlugList,
)

# The audience count the caller saw and confirms: the start is refused if it is no longer the count.
ConfirmCount: TypeAlias = Annotated[int | None, QueryParameter(ge=0, le=INT32_MAX, description=(
    "The number of recipients the caller saw (GET …/audience, `receiving`): the start is refused with a 409 "
    "if the audience is no longer that many; without it the campaign starts whatever the count"))]


class CampaignPatchIn(BodyIn):
    """The fields to change; those left out stay as they are. A draft only."""

    subject: BodyText | UnsetType = UNSET  # the French subject, as subject_fr
    body: BodyText | UnsetType = UNSET  # the French body, as body_fr
    subject_fr: BodyText | UnsetType = UNSET
    subject_en: BodyText | UnsetType = UNSET  # "" removes the English version (with its preheader and body)
    preheader_fr: BodyText | UnsetType = UNSET
    preheader_en: BodyText | UnsetType = UNSET
    body_fr: BodyText | UnsetType = UNSET
    body_en: BodyText | UnsetType = UNSET
    missing_language: MissingLanguageText | UnsetType = UNSET  # other, skip, or "": not chosen
    greeting: BodyText | UnsetType = UNSET  # none, first_name or formal
    template: BodyText | UnsetType = UNSET
    lists: SlugList | UnsetType = UNSET
    purpose: BodyText | None | UnsetType = UNSET
    rate: Rate | None | UnsetType = UNSET  # null: as fast as the server takes them
    archive: bool | UnsetType = UNSET  # published in the public archive once finished (public lists only)

    def changes(self) -> dict[str, Any]:
        names = (*CONTENT_FIELDS, "subject", "body", "missing_language", "greeting", "template", "lists", "purpose",
                 "rate", "archive")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not UNSET}


@dataclass
class AudienceOut:
    """Who would receive the campaign if it started now, counted without writing anything."""

    receiving: int
    by_list: dict[str, int]  # list slug -> recipients reached through it (a person on several lists counts once)
    by_language: dict[str, int]  # language of the version they get -> recipients
    skipped: int
    skipped_by_reason: dict[str, int]  # suppressed, unsubscribed, objected, …, no_translation
    without_version: dict[str, int]  # recipients whose language has no version, by language
    undecided: int  # of those, the ones missing_language leaves undecided: while any, the campaign cannot start

    @classmethod
    def of(cls, summary: AudienceSummary) -> AudienceOut:
        return cls(receiving=summary.receiving, by_list=summary.by_list, by_language=summary.by_language,
                   skipped=summary.skipped, skipped_by_reason=summary.skipped_by_reason,
                   without_version=summary.without_version, undecided=summary.undecided)


class ScheduleIn(BodyIn):
    """`at`: when it starts, "2026-12-10T09:30" in Paris time, or with an offset ("…T09:30+01:00", "…Z")."""

    at: BodyText


@dataclass
class ScheduleOut:
    """The campaign scheduled, and its audience as counted now (it is built again when it starts)."""

    campaign: CampaignOut
    audience: AudienceOut
