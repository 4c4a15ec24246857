"""What the JSON API reads and writes. Dataclasses, not Piccolo's pydantic models (they break /schema); a body
that takes integers is a msgspec Struct, whose Meta bounds Litestar both enforces and puts in the schema."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Annotated, Any, Generic, TypeAlias, TypeVar

from litestar.enums import RequestEncodingType
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import BodyKwarg, KwargDefinition, PathParameter, QueryParameter
from msgspec import Meta, Struct, field

from contacts.domain import LegalBasis, MissingLanguage, SourceType, SuppressionReason
from contacts.errors import ValidationError
from contacts.services import audit
from contacts.services.campaigns import campaign_operations
from contacts.services.campaigns.content import CONTENT_FIELDS, columns_of
from contacts.services.campaigns.core import CampaignInfo, CampaignProgress
from contacts.services.catalogue import ListInfo
from contacts.services.importing.csvfile import HEADER_ALIASES
from contacts.services.invitations.guest_lists import FILTERS
from contacts.services.people import people_operations
from contacts.text_input import (
    INT32_MAX,
    MULTILINE_PATTERN,
    MULTILINE_TEXT_PATTERN,
    ONE_LINE_PATTERN,
    ONE_LINE_TEXT_PATTERN,
)

# Integers are bounded by their column (32-bit on PostgreSQL): a larger one is a 400 naming the field, never
# sent to the database, and the bounds are in the OpenAPI schema.
Rate: TypeAlias = Annotated[int, Meta(ge=1, le=INT32_MAX)]
ContactId: TypeAlias = Annotated[int, Meta(ge=1, le=INT32_MAX)]
# Litestar documents the bounds of a field but not of a list's items: say them.
ContactIds: TypeAlias = Annotated[list[ContactId], Meta(extra_json_schema={"extra": {
    "items": {"type": "integer", "minimum": 1, "maximum": INT32_MAX}}})]

T = TypeVar("T")

# What the schema says of the text fields the services check (a KwargDefinition documents, the services refuse):
# blank text, malformed addresses, values outside a fixed vocabulary. Every string a request brings carries the
# edge's rule as a pattern (contacts.web.input_checks: no control characters; tab and line breaks only in a
# body's text); tests/web/test_api_schema.py holds every string of the schema's requests to it.
BodyText: TypeAlias = Annotated[str, KwargDefinition(pattern=MULTILINE_PATTERN)]
Text: TypeAlias = Annotated[str, KwargDefinition(min_length=1, pattern=MULTILINE_TEXT_PATTERN)]
EmailAddress: TypeAlias = Annotated[str, KwargDefinition(format=OpenAPIFormat.EMAIL, min_length=3,
                                                         pattern=ONE_LINE_TEXT_PATTERN)]
QueryText: TypeAlias = Annotated[str, QueryParameter(pattern=ONE_LINE_PATTERN)]
OptionalQueryText: TypeAlias = Annotated[str | None, QueryParameter(pattern=ONE_LINE_PATTERN)]
PathText: TypeAlias = Annotated[str, PathParameter(pattern=ONE_LINE_PATTERN)]
QueryEmail: TypeAlias = Annotated[str, QueryParameter(format=OpenAPIFormat.EMAIL, min_length=3,
                                                      pattern=ONE_LINE_TEXT_PATTERN)]
OptionalQueryEmail: TypeAlias = Annotated[str | None, QueryParameter(format=OpenAPIFormat.EMAIL, min_length=3,
                                                                     pattern=ONE_LINE_TEXT_PATTERN)]
SlugList: TypeAlias = Annotated[list[BodyText], KwargDefinition(min_items=1)]
_BODY_STRING = {"type": "string", "pattern": MULTILINE_PATTERN}
# A body's fields are all known: an unknown one (a misspelt field) is a 400 naming it, not ignored. msgspec
# refuses it (forbid_unknown_fields) and the schema says so, which Litestar does not write from the Struct.
StrictJSONBody: TypeAlias = Annotated[T, BodyKwarg(media_type=RequestEncodingType.JSON,
                                                   schema_extra={"additionalProperties": False})]
# A contact's corrections: field names (the service refuses an unknown one) to their new values.
Corrections: TypeAlias = Annotated[dict[str, str], BodyKwarg(media_type=RequestEncodingType.JSON, schema_extra={
    "propertyNames": {"pattern": MULTILINE_PATTERN}, "additionalProperties": _BODY_STRING})]


class BodyIn(Struct, forbid_unknown_fields=True):
    """A request body."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    page: int
    per_page: int
    total: int


@dataclass
class ListOut:
    slug: str
    name: str
    name_fr: str
    purpose: str
    legal_basis: str
    double_opt_in: bool

    @classmethod
    def of(cls, item: ListInfo) -> ListOut:
        return cls(slug=item.slug, name=item.name, name_fr=item.name_fr, purpose=item.purpose.code,
                   legal_basis=item.purpose.default_legal_basis.value, double_opt_in=item.double_opt_in)


# What a campaign does for recipients whose language has no version: other, skip, or "" (not chosen).
MissingLanguageText: TypeAlias = Annotated[str, KwargDefinition(enum=("", *MissingLanguage))]


class CampaignIn(BodyIn):
    lists: list[BodyText]
    template: BodyText
    subject: BodyText | None = None  # the French subject, as subject_fr
    body: BodyText | None = None  # the French body, as body_fr
    purpose: BodyText | None = None
    rate: Rate | None = None  # messages per second; none: as fast as the server takes them
    greeting: BodyText = "none"  # none, first_name ("Bonjour Zoé," / "Dear Zoé,") or formal ("Madame, Monsieur,")
    # A version per language; a language without a subject has none. Bodies are Markdown (README: "Writing a
    # campaign"), refused with their line when they break a rule.
    subject_fr: BodyText | None = None
    subject_en: BodyText | None = None
    preheader_fr: BodyText | None = None
    preheader_en: BodyText | None = None
    body_fr: BodyText | None = None
    body_en: BodyText | None = None
    missing_language: MissingLanguageText | None = None
    # Published in the public archive (/archive/) once finished: only for lists open to the public, never an
    # invitation; false unless asked for.
    archive: bool = False

    def content(self) -> dict[str, str | None]:
        """The per-language fields given (`subject` and `body` go as they are: the French ones); a French
        field given in both forms is a 400."""
        for old in ("subject", "body"):
            if getattr(self, old) is not None and getattr(self, f"{old}_fr") is not None:
                raise ValidationError(old, f"give {old}_fr or {old} (the French {old}), not both")
        return {name: getattr(self, name) for name in CONTENT_FIELDS if getattr(self, name) is not None}


@dataclass
class CampaignOut:
    """`status`: draft, approved (a draft whose approval holds), scheduled, running, paused, finished, cancelled."""

    id: int
    subject: str
    template: str
    purpose: str
    lists: list[str]
    status: str
    rate: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    audience_built_at: datetime | None  # None while the audience is still being written: sending goes on meanwhile
    greeting: str  # none, first_name or formal
    # Its versions: a language whose subject is empty has none (missing_language says what its speakers get).
    subject_fr: str = ""
    subject_en: str = ""
    preheader_fr: str = ""
    preheader_en: str = ""
    body_fr: str = ""
    body_en: str = ""
    missing_language: str | None = None  # other, skip, or null: not chosen
    archive: bool = False  # published in the public archive once finished
    archive_withdrawn_at: datetime | None = None  # withdrawn from the archive, for good
    archive_withdrawn_by: str | None = None
    # When a scheduled campaign starts by itself (kept once it started), and who scheduled it.
    scheduled_at: datetime | None = None
    scheduled_by: str | None = None
    # REQ-53: who approved its present content, and when; null when nobody has, or an edit withdrew it.
    approved_by: str | None = None
    approved_at: datetime | None = None

    @classmethod
    def of(cls, campaign: CampaignInfo) -> CampaignOut:
        return cls(id=campaign.id, subject=campaign.subject, template=campaign.template,
                   purpose=campaign.purpose.code, lists=[item.slug for item in campaign.lists],
                   status=campaign.state, rate=campaign.rate, created_by=campaign.created_by,
                   created_at=campaign.created_at, started_at=campaign.started_at, finished_at=campaign.finished_at,
                   audience_built_at=campaign.audience_built_at, greeting=campaign.greeting.value,
                   **columns_of(campaign.contents),
                   missing_language=campaign.missing_language.value if campaign.missing_language else None,
                   archive=campaign.archive, archive_withdrawn_at=campaign.archive_withdrawn_at,
                   archive_withdrawn_by=campaign.archive_withdrawn_by,

                   scheduled_at=campaign.scheduled_at, scheduled_by=campaign.scheduled_by,
                   approved_by=campaign.approved_by if campaign.approved else None,
                   approved_at=campaign.approved_at if campaign.approved else None)


@dataclass
class CampaignStatusOut:
    campaign: CampaignOut
    by_status: dict[str, int] = dataclass_field(default_factory=dict)  # queued, sending, sent, failed, skipped
    skipped_by_reason: dict[str, int] = dataclass_field(default_factory=dict)
    total: int = 0
    remaining: int = 0
    hard_bounces: int = 0  # delivery-status reports that came back (REQ-41)
    soft_bounces: int = 0
    complaints: int = 0  # ARF complaint reports; the campaign pauses itself past 0.3% of sent
    complaint_rate: float = 0.0

    @classmethod
    def of(cls, campaign: CampaignInfo, progress: CampaignProgress) -> CampaignStatusOut:
        states = ("queued", "sending", "sent", "failed", "skipped")
        return cls(campaign=CampaignOut.of(campaign), by_status={s: progress.by_status.get(s, 0) for s in states},
                   skipped_by_reason=dict(progress.skipped_by_reason), total=progress.total,
                   remaining=progress.remaining, hard_bounces=progress.hard_bounces,
                   soft_bounces=progress.soft_bounces, complaints=progress.complaints,
                   complaint_rate=round(progress.complaint_rate, 5))


class TestSendIn(BodyIn):
    to: Annotated[str, KwargDefinition(min_length=3, pattern=MULTILINE_TEXT_PATTERN)]  # addresses: comma or newline between


@dataclass
class PreviewOut:
    subject: str
    text: str
    html: str
    headers: dict[str, str]



@dataclass
class SuppressionEntryOut:
    scope: str
    reason: str
    created_at: datetime


@dataclass
class ContactDetailOut:
    contact: dict[str, Any]
    subscriptions: list[dict[str, Any]]
    consent_history: list[dict[str, Any]]
    suppressions: list[SuppressionEntryOut]


class SuppressIn(BodyIn):
    email: EmailAddress
    reason: Annotated[str, KwargDefinition(enum=list(SuppressionReason))] = "manual"
    scope: BodyText = "global"


@dataclass
class SuppressionCheckOut:
    suppressed: bool
    entries: list[SuppressionEntryOut]


@dataclass
class SuppressOut:
    created: bool
    entry: SuppressionEntryOut



# Primary keys are 32-bit: a larger id in a path or query is refused as a bad parameter, never sent to the database.
MAX_ID = INT32_MAX
RowId: TypeAlias = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
PageNumber: TypeAlias = Annotated[int, QueryParameter(ge=1, le=MAX_ID)]
AfterId: TypeAlias = Annotated[int, QueryParameter(ge=0, le=MAX_ID)]
# How many items a page holds, within the services' limits.
CampaignsPerPage: TypeAlias = Annotated[int, QueryParameter(ge=1, le=campaign_operations.PER_PAGE_LIMIT)]
ContactsPerPage: TypeAlias = Annotated[int, QueryParameter(ge=1, le=people_operations.SEARCH_LIMIT)]
GuestsPerPage: TypeAlias = Annotated[int, QueryParameter(ge=1, le=500)]
AuditLimit: TypeAlias = Annotated[int, QueryParameter(ge=1, le=audit.PAGE_LIMIT)]


class InvitationListIn(BodyIn):
    name: Text
    lists: SlugList
    filters: Annotated[dict[str, str], KwargDefinition(schema_extra={  # organisation (contains), language
        "propertyNames": {"enum": list(FILTERS)}, "properties": {"language": {"enum": ["fr", "en", ""]}},
        "additionalProperties": _BODY_STRING})] = field(default_factory=dict)
    event: Annotated[int, Meta(ge=1, le=INT32_MAX)] | None = None  # the event it invites to




class InvitationCampaignIn(BodyIn):
    subject: BodyText
    body: BodyText = ""


class ReminderIn(BodyIn):
    kind: Text  # no_answer: the guests who have not answered; accepted: a practical reminder to those who accepted
    subject: BodyText
    body: BodyText = ""


class AttendedIn(BodyIn):
    contacts: ContactIds



class UnsubscribeIn(BodyIn):
    list: Text
    reason: BodyText = ""


class SubscribeIn(BodyIn):
    contacts: Annotated[list[dict[str, str]], KwargDefinition(min_items=1, schema_extra={  # the import's fields
        "items": {"type": "object", "required": ["email"], "propertyNames": {"enum": list(HEADER_ALIASES)},
                  "additionalProperties": _BODY_STRING}})]
    source_type: Annotated[str, KwargDefinition(enum=list(SourceType))]
    source_name: Text
    # The purpose's by default; consent needs consent_at, consent_channel, notice_version.
    legal_basis: Annotated[str, KwargDefinition(enum=["", *LegalBasis])] = ""


@dataclass
class SubscribeOut:
    counts: dict[str, int]
    problems: list[dict[str, str]]  # row (1 is the first contact), column, outcome, reason
