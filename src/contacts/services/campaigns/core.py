"""Campaigns: what is sent, to which lists, for which purpose, and where sending stands."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from piccolo.columns import Column

from contacts.db.engine import write_transaction
from contacts.domain import (
    CampaignStatus,
    DeliveryStatus,
    Greeting,
    MissingLanguage,
    ReminderKind,
)
from contacts.errors import ConflictError, NotFoundError, ValidationError
from contacts.event_facts import EventFacts
from contacts.event_tables import Event, InvitationList, InvitationReminder
from contacts.i18n import N_
from contacts.logs import mask
from contacts.mail.render import TemplateLibrary
from contacts.services import audit, catalogue
from contacts.services.campaigns import archive_rule
from contacts.services.campaigns.content import (
    Content,
    columns_of,
    contents_from,
    contents_of,
    missing_language_from,
    other_language,
)
from contacts.services.catalogue import ListInfo, PurposeInfo
from contacts.settings import get_settings
from contacts.tables import Campaign, CampaignList, Delivery
from contacts.text_input import INT32_MAX

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CampaignInfo:
    id: int
    contents: Mapping[str, Content]  # by language: the versions it has (content.py)
    template: str
    purpose: PurposeInfo
    lists: tuple[ListInfo, ...]
    status: CampaignStatus
    rate: int | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    invitation_list_id: int | None = None  # an invitation campaign (or a reminder) goes to that list's guests only
    reminder: ReminderKind | None = None  # a reminder: to the guests who have not answered, or who accepted
    event: EventFacts | None = None  # what that guest list invites to, named in the invitation
    audience_built_at: datetime | None = None  # None while its ledger rows are still being written
    greeting: Greeting = Greeting.NONE  # how its messages open
    missing_language: MissingLanguage | None = None  # for recipients whose language has no version
    archive: bool = False  # published in the public archive once finished (services/campaigns/archive.py)
    archive_withdrawn_at: datetime | None = None  # taken out of the archive, for good
    archive_withdrawn_by: str | None = None
    count_clicks: bool = True  # REQ-48: its links go through /l/ and are counted in aggregate
    scheduled_at: datetime | None = None  # when it starts by itself; kept once started
    scheduled_by: str | None = None
    approved_by: str | None = None  # REQ-53: who approved which content (approved_content), and when
    approved_at: datetime | None = None
    approved_content: str | None = None
    outside_window: bool = False  # an admin sent it outside its purpose's sending window (REQ-54)

    @property
    def content_fingerprint(self) -> str:
        """What an approval is of (REQ-53): every version's subject, preheader and body, the template, the
        greeting, the lists, the purpose and what speakers of a missing language get. The rate is not in it."""
        approved = {"contents": {lang: [c.subject, c.preheader, c.body] for lang, c in sorted(self.contents.items())},
                    "template": self.template, "greeting": str(self.greeting), "lists": [item.id for item in self.lists],
                    "purpose": self.purpose.code, "missing_language": self.missing_language}
        return hashlib.sha256(json.dumps(approved, sort_keys=True).encode()).hexdigest()

    @property
    def approved(self) -> bool:
        """Approved, and of this very content: any change since withdrew the approval."""
        return self.approved_at is not None and self.approved_content == self.content_fingerprint

    @property
    def state(self) -> str:
        """Its state as people read it: "approved" is a draft whose approval still holds."""
        return "approved" if self.status == CampaignStatus.DRAFT and self.approved else self.status.value

    @property
    def subject(self) -> str:
        """Its name on staff pages: the French subject, or the English one when it has no French version."""
        return next(iter(self.contents.values())).subject if self.contents else ""

    @property
    def missing_languages(self) -> tuple[str, ...]:
        return tuple(language for language in ("fr", "en") if language not in self.contents)

    def language_for(self, language: str) -> str | None:
        """The language of the version a recipient speaking `language` gets, or None: they are skipped
        (missing_language = skip, or not chosen, which stops the campaign from starting)."""
        if language in self.contents:
            return language
        if self.missing_language == MissingLanguage.OTHER and other_language(language) in self.contents:
            return other_language(language)
        return None

    def shown_language(self, language: str) -> str:
        """The version a preview or a test shows for `language`: theirs, else whichever there is."""
        return self.language_for(language) or (language if language in self.contents else next(iter(self.contents)))

    def suppression_scopes(self, mailing_list: ListInfo) -> set[str]:
        """Every suppression scope that stops this campaign's mail to someone reached through this list:
        the list's own (REQ-46), and the campaign's purpose when it differs from the list's."""
        return {*mailing_list.suppression_scopes, f"purpose:{self.purpose.code}"}

    @functools.cached_property
    def reached_through(self) -> dict[int, tuple[ListInfo, frozenset[str], frozenset[int]]]:
        """By list id: the list, the suppression scopes that stop mail through it, and the purposes whose
        opt-outs do. Worked out once: the audience rules ask for every recipient."""
        return {item.id: (item, frozenset(self.suppression_scopes(item)), frozenset({self.purpose.id, item.purpose.id}))
                for item in self.lists}


@dataclass(frozen=True)
class CampaignProgress:
    by_status: dict[str, int]
    skipped_by_reason: dict[str, int]
    hard_bounces: int = 0  # what came back by mail (REQ-41)
    soft_bounces: int = 0
    complaints: int = 0

    @property
    def complaint_rate(self) -> float:
        """Complaints per message sent, 0 to 1."""
        sent = self.by_status.get(DeliveryStatus.SENT, 0)
        return self.complaints / sent if sent else 0.0

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def remaining(self) -> int:
        return self.by_status.get(DeliveryStatus.QUEUED, 0) + self.by_status.get(DeliveryStatus.SENDING, 0)


async def create(
    *, list_slugs: list[str], template: str, actor: str, subject: str | None = None, body: str = "",
    content: Mapping[str, str | None] | None = None, missing_language: str | None = None,
    purpose_code: str | None = None, rate: int | None = None, greeting: str = Greeting.NONE, archive: bool = False,
) -> CampaignInfo:
    """Refuses unknown lists, a template that fails REQ-5, lists of several purposes without --purpose, and
    a body whose Markdown breaks a rule (REQ-49, REQ-50), naming its line (content.contents_from), and
    `archive` for a campaign that may not be published (archive_rule).
    `content`: subject_fr, preheader_fr, body_fr, subject_en, …; `subject` and `body` are the French ones."""
    given = {name: value for name, value in (content or {}).items() if value is not None}
    fields = {**({"subject_fr": subject, "body_fr": body} if subject is not None else {}), **given}
    try:
        contents = contents_from(fields)
    except ValidationError as error:  # named as the caller named it
        if subject is not None and error.field in ("subject_fr", "body_fr") and error.field not in given:
            raise ValidationError(error.field.removesuffix("_fr"), error.template, **error.values) from None
        raise
    missing = missing_language_from(missing_language)
    if not list_slugs:
        raise ValidationError("list", N_("name at least one list"))
    check_rate(rate)
    if greeting not in set(Greeting):
        raise ValidationError("greeting", N_("no greeting %(name)s; one of %(codes)s"),
                name=repr(greeting), codes=", ".join(Greeting))
    chosen = [await catalogue.list_by_slug(slug) for slug in dict.fromkeys(list_slugs)]
    purpose = await purpose_of(chosen, purpose_code)
    if archive:
        archive_rule.check(chosen, purpose, template)
    TemplateLibrary.from_settings(get_settings()).check_marketing(template)
    async with write_transaction():
        rows = await Campaign.insert(
            Campaign(**dict[str, Any](columns_of(contents)), missing_language=missing, template=template,
                     greeting=Greeting(greeting), purpose=purpose.id,
                     rate=rate, created_by=actor, status=CampaignStatus.DRAFT, archive=archive)
        ).returning(Campaign.id)
        campaign_id = rows[0]["id"]
        await CampaignList.insert(*[CampaignList(campaign=campaign_id, mailing_list=item.id) for item in chosen])
    return await get(campaign_id)


async def purpose_of(lists: list[ListInfo], purpose_code: str | None) -> PurposeInfo:
    if purpose_code:
        purpose = next((p for p in await catalogue.purposes() if p.code == purpose_code), None)
        if purpose is None:
            raise ValidationError("purpose", N_("no purpose %(purpose_code)s"), purpose_code=repr(purpose_code))
        # REQ-1: a purpose the lists do not serve is only for direct marketing to them (an invitation, say),
        # whose legitimate interest and opt-outs the audience rules check; never, say, press information.
        if purpose.code not in {item.purpose.code for item in lists} and not purpose.is_direct_marketing:
            raise ValidationError("purpose", N_("%(code)s is not a purpose of these lists"), code=purpose.code)
        return purpose
    codes = {item.purpose.code for item in lists}
    if len(codes) > 1:
        raise ValidationError("purpose", N_("the lists serve several purposes (%(codes)s); name one"),
                              codes=", ".join(sorted(codes)))
    return lists[0].purpose


async def get(campaign_id: int) -> CampaignInfo:
    found = await get_many([campaign_id])
    if not found:
        raise NotFoundError(N_("no campaign %(campaign_id)s"), campaign_id=campaign_id)
    return found[0]


async def get_many(campaign_ids: list[int]) -> list[CampaignInfo]:
    """The campaigns that exist among these ids, in their order: the same few queries however many there
    are (a page of them is one call). The ids are a page's, well under an `IN` list's limit."""
    if not campaign_ids:
        return []
    rows = {row["id"]: row for row in await Campaign.select().where(Campaign.id.is_in(campaign_ids))}
    purposes = {p.id: p for p in await catalogue.purposes()}
    lists = {item.id: item for item in await catalogue.lists(list(purposes.values()))}
    list_ids: dict[int, list[int]] = {}
    for row in await CampaignList.select(CampaignList.campaign, CampaignList.mailing_list).where(
            CampaignList.campaign.is_in(campaign_ids)).order_by(CampaignList.id):
        list_ids.setdefault(row["campaign"], []).append(row["mailing_list"])
    guests: dict[int, int] = {}
    event_ids: dict[int, int] = {}  # by campaign
    for row in await InvitationList.select(InvitationList.id, InvitationList.campaign, InvitationList.event).where(
            InvitationList.campaign.is_in(campaign_ids)).order_by(InvitationList.id):
        guests.setdefault(row["campaign"], row["id"])
        if row["event"] is not None:
            event_ids.setdefault(row["campaign"], row["event"])
    facts = {row["id"]: EventFacts.of(row) for row in await Event.select().where(
        Event.id.is_in(list(set(event_ids.values()))))} if event_ids else {}
    events = {campaign: facts[event_id] for campaign, event_id in event_ids.items()}
    reminders: dict[int, ReminderKind] = {}
    for row in await InvitationReminder.select(InvitationReminder.campaign, InvitationReminder.invitation_list,
                                               InvitationReminder.kind).where(
            InvitationReminder.campaign.is_in(campaign_ids)):
        guests[row["campaign"]], reminders[row["campaign"]] = row["invitation_list"], ReminderKind(row["kind"])
    return [CampaignInfo(
        id=row["id"], contents=contents_of(row), template=row["template"],
        missing_language=MissingLanguage(row["missing_language"]) if row["missing_language"] else None,
        purpose=purposes[row["purpose"]], lists=tuple(lists[i] for i in list_ids.get(row["id"], ())),
        status=CampaignStatus(row["status"]), rate=row["rate"], created_by=row["created_by"],
        created_at=row["created_at"], started_at=row["started_at"], finished_at=row["finished_at"],
        invitation_list_id=guests.get(row["id"]), reminder=reminders.get(row["id"]), event=events.get(row["id"]),
        audience_built_at=row["audience_built_at"],
        greeting=Greeting(row["greeting"]), archive=bool(row["archive"]),
        archive_withdrawn_at=row["archive_withdrawn_at"], archive_withdrawn_by=row["archive_withdrawn_by"],
        count_clicks=bool(row["count_clicks"]),
        scheduled_at=row["scheduled_at"], scheduled_by=row["scheduled_by"],
        approved_by=row["approved_by"], approved_at=row["approved_at"], approved_content=row["approved_content"],
        outside_window=bool(row["outside_window"]),
    ) for row in (rows[i] for i in campaign_ids if i in rows)]


async def progress(campaign_id: int) -> CampaignProgress:
    await get(campaign_id)
    by_status = {
        row["status"]: row["n"]
        for row in await Delivery.raw(
            "SELECT status, COUNT(*) AS n FROM delivery WHERE campaign = {} GROUP BY status", campaign_id
        )
    }
    skipped = {
        row["skip_reason"]: row["n"]
        for row in await Delivery.raw(
            "SELECT skip_reason, COUNT(*) AS n FROM delivery WHERE campaign = {} AND status = 'skipped' "
            "GROUP BY skip_reason ORDER BY skip_reason", campaign_id
        )
    }
    feedback = (await Delivery.raw(
        "SELECT SUM(CASE WHEN bounce_kind = 'hard' THEN 1 ELSE 0 END) AS hard, "
        "SUM(CASE WHEN bounce_kind = 'soft' THEN 1 ELSE 0 END) AS soft, COUNT(complained_at) AS complaints "
        "FROM delivery WHERE campaign = {}", campaign_id))[0]
    return CampaignProgress(by_status=by_status, skipped_by_reason=skipped, hard_bounces=int(feedback["hard"] or 0),
                            soft_bounces=int(feedback["soft"] or 0), complaints=int(feedback["complaints"] or 0))


ALLOWED = {
    # action: (from statuses, to status)
    "pause": ({CampaignStatus.RUNNING}, CampaignStatus.PAUSED),
    "cancel": ({CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.RUNNING, CampaignStatus.PAUSED},
               CampaignStatus.CANCELLED),
    "start": ({CampaignStatus.DRAFT, CampaignStatus.PAUSED, CampaignStatus.RUNNING}, CampaignStatus.RUNNING),
}


async def change_status(campaign_id: int, action: str) -> CampaignInfo:
    """pause: workers stop claiming; cancel: nothing more is sent, for good; start: (re)start sending."""
    sources, target = ALLOWED[action]
    async with write_transaction():
        campaign = await get(campaign_id)
        if campaign.status == CampaignStatus.SCHEDULED and action == "start":
            raise ConflictError(N_("campaign %(campaign_id)s is scheduled: it starts by itself at its time; take it "
                                   "back to draft (unschedule) to send it now"), campaign_id=campaign_id)
        if campaign.status not in sources:
            raise ConflictError(N_("campaign %(campaign_id)s is %(status)s; cannot %(action)s it"),
                    campaign_id=campaign_id, status=campaign.status, action=action)
        values: dict[Column | str, Any] = {Campaign.status: target}
        if target == CampaignStatus.RUNNING and campaign.started_at is None:
            values[Campaign.started_at] = datetime.now(UTC)
        await Campaign.update(values).where(Campaign.id == campaign_id)
        if target == CampaignStatus.CANCELLED:
            await Delivery.update(
                {Delivery.status: DeliveryStatus.SKIPPED, Delivery.skip_reason: "cancelled",
                 Delivery.updated_at: datetime.now(UTC)}
            ).where(Delivery.campaign == campaign_id, Delivery.status == DeliveryStatus.QUEUED)
    if campaign.status != target:
        log.info("campaign %s is %s (was %s)", campaign_id, target, campaign.status)
    return await get(campaign_id)


async def pause_for(campaign_id: int, reason: str) -> None:
    """Pause a running campaign because sending cannot go on (the relay refuses us, say)."""
    await pause_by_the_product(campaign_id, "system:sender", {"why": "relay", "reason": mask(reason)[:300]})
    log.warning("campaign %s paused: %s", campaign_id, reason)


async def pause_by_the_product(campaign_id: int, actor: str, details: dict[str, Any]) -> bool:
    """Pauses a running campaign for a reason of the product's own (`details["why"]`), with its audit entry,
    which the campaign's timeline shows; in the caller's transaction if there is one. False: it was not running."""
    async with write_transaction():
        paused = await Campaign.update({Campaign.status: CampaignStatus.PAUSED}).where(
            Campaign.id == campaign_id, Campaign.status == CampaignStatus.RUNNING
        ).returning(Campaign.id)
        if not paused:
            return False
        purpose = await Campaign.select(Campaign.purpose.code.as_alias("code")).where(
            Campaign.id == campaign_id).first()
        assert purpose is not None  # the campaign just paused
        await audit.record(actor, "campaign.pause", "campaign", campaign_id, purpose=purpose["code"],
                           details=details)
    return True


async def set_rate(campaign_id: int, rate: int | None) -> CampaignInfo:
    """The campaign's rate, in messages per second, for every process sending it (sending/pace.py), from
    their next batch of slots on; None: as fast as the relay takes them. Also while it runs."""
    check_rate(rate)
    async with write_transaction():
        campaign = await get(campaign_id)
        if campaign.status in (CampaignStatus.CANCELLED, CampaignStatus.FINISHED):
            raise ConflictError(N_("campaign %(campaign_id)s is %(status)s"), campaign_id=campaign_id,
                                status=campaign.status)
        await Campaign.update({Campaign.rate: rate}).where(Campaign.id == campaign_id)
    return await get(campaign_id)


def check_rate(rate: int | None) -> None:
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int) or not 1 <= rate <= INT32_MAX):
        raise ValidationError("rate", N_("must be between 1 and %(limit)s messages per second"), limit=INT32_MAX)


async def finish_if_done(campaign_id: int) -> bool:
    """A running campaign whose audience is built, with nothing queued or in flight, is finished."""
    async with write_transaction():
        remaining = await Delivery.count().where(
            Delivery.campaign == campaign_id, Delivery.status.is_in([DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
        )
        built = await Campaign.select(Campaign.audience_built_at).where(Campaign.id == campaign_id).first()
        if remaining or built is None or built["audience_built_at"] is None:
            return False
        await Campaign.update({Campaign.status: CampaignStatus.FINISHED, Campaign.finished_at: datetime.now(UTC)}
                              ).where(Campaign.id == campaign_id, Campaign.status == CampaignStatus.RUNNING)
    return True


async def running_ids() -> list[int]:
    rows = await Campaign.select(Campaign.id).where(Campaign.status == CampaignStatus.RUNNING).order_by(Campaign.id)
    return [row["id"] for row in rows]
