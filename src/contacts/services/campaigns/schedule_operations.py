"""Approving, scheduling and unscheduling campaigns, as staff (pages, API) and the command line do them,
each written to the audit log (REQ-8, REQ-53); and a campaign's timeline, read back from it.

`who` is a staff member, whose permissions and purposes are checked (REQ-7), or a command-line actor
(cli:<login>), who runs as the operator of the installation. Approving is for staff only: the operator
of the command line is nobody's second pair of eyes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from contacts.db.engine import json_value
from contacts.domain import CampaignStatus, Permission
from contacts.errors import ConflictError, ValidationError
from contacts.i18n import N_
from contacts.services import audit, catalogue
from contacts.services.campaigns import approvals, audience_count, scheduling
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.audience_count import AudienceSummary
from contacts.services.campaigns.campaign_operations import campaign_for
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.staff.accounts import Staff
from contacts.settings import Settings
from contacts.tables import AuditEvent

Who = Staff | str
# The audit entries a campaign's timeline shows, in the order they happened.
TIMELINE_ACTIONS = ("campaign.create", "campaign.approve", "campaign.approval_withdrawn", "campaign.schedule",
                    "campaign.unschedule", "campaign.send", "campaign.start", "campaign.start_refused",
                    "campaign.pause", "campaign.cancel")


@dataclass(frozen=True)
class Step:
    """One line of a campaign's timeline: what (the audit action without `campaign.`), who, when."""

    action: str
    actor: str
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)


async def _campaign(who: Who, campaign_id: int, permission: Permission = Permission.SEND) -> CampaignInfo:
    if isinstance(who, Staff):
        return await campaign_for(who, campaign_id, permission)
    return await campaigns.get(campaign_id)


async def record(who: Who, action: str, campaign: CampaignInfo, **details: Any) -> None:
    """An audit entry about a campaign: `action` is create, send, pause, cancel…"""
    await audit.record(who, f"campaign.{action}", "campaign", campaign.id, purpose=campaign.purpose.code,
                       details=details)


async def approve(staff: Staff, campaign_id: int) -> CampaignInfo:
    """REQ-53: another staff member than its author, holding the approve permission, approves its content."""
    await campaign_for(staff, campaign_id, Permission.APPROVE)
    campaign = await approvals.approve(campaign_id, staff.actor)
    await record(staff, "approve", campaign, content=campaign.approved_content)
    return campaign


async def schedule(who: Who, campaign_id: int, at: str, field_name: str = "at",
                   settings: Settings | None = None) -> tuple[CampaignInfo, AudienceSummary]:
    """A draft, or a scheduled campaign to move, set to start at `at` (Paris time unless it has an offset).
    Refused before approval when it needs one, and while its audience holds recipients it has no decided
    version for. Returns it with its audience as counted now."""
    campaign = await _campaign(who, campaign_id)
    if campaign.status not in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
        raise ConflictError(N_("campaign %(id)s is %(status)s: only a draft is scheduled"), id=campaign_id,
                            status=campaign.status)
    moment = scheduling.parse_at(at, field_name)
    approvals.refuse_unapproved(campaign, settings)
    found = await audience_count.of_campaign(campaign)
    if found.undecided:
        raise ValidationError("missing_language", N_(
            "%(count)s recipients have no version in their language: set missing_language to other (they get the "
            "version there is) or skip (they are skipped, reason no_translation)"), count=found.undecided)
    scheduled = await scheduling.schedule(campaign_id, moment, who.actor if isinstance(who, Staff) else who)
    await record(who, "schedule", scheduled, at=moment.isoformat(), receiving=found.receiving,
                 **({"moved_from": campaign.scheduled_at.isoformat()} if campaign.scheduled_at else {}))
    return scheduled, found


async def unschedule(who: Who, campaign_id: int) -> CampaignInfo:
    campaign = await _campaign(who, campaign_id)
    draft = await scheduling.unschedule(campaign_id)
    await record(who, "unschedule", draft, was=campaign.scheduled_at.isoformat() if campaign.scheduled_at else None)
    return draft


async def timeline(campaign: CampaignInfo) -> list[Step]:
    """Who created, approved, scheduled, started, paused and cancelled it, and when, from the audit log;
    its creation and end from its own row when the log has no entry (a campaign made on the command line
    before it wrote one)."""
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.actor, AuditEvent.occurred_at, AuditEvent.details).where(
        AuditEvent.object_type == "campaign", AuditEvent.object_id == str(campaign.id),
        AuditEvent.action.is_in(list(TIMELINE_ACTIONS))).order_by(AuditEvent.id)
    steps = [Step(action=row["action"].removeprefix("campaign."), actor=row["actor"], at=row["occurred_at"],
                  details=json_value(row["details"]) or {}) for row in rows]
    if not any(step.action == "create" for step in steps):
        steps.insert(0, Step(action="create", actor=campaign.created_by, at=campaign.created_at))
    if campaign.finished_at is not None:
        steps.append(Step(action="finish", actor="", at=campaign.finished_at))
    return steps


async def set_purpose_approval(who: Who, purpose_code: str, required: bool) -> catalogue.PurposeInfo:
    """Whether a purpose's campaigns need approval, even where CONTACTS_APPROVAL is `none` (REQ-53)."""
    if isinstance(who, Staff):
        who.require(Permission.CONFIGURE)
    purpose = await catalogue.set_approval_required(purpose_code, required)
    await audit.record(who, "purpose.approval", "purpose", purpose.code, purpose=purpose.code,
                       details={"approval_required": required})
    return purpose


@dataclass(frozen=True)
class Review:
    """What a campaign's page says of its approval, its schedule and its history."""

    approval_needed: bool
    may_approve: bool  # this account holds the approve permission and did not write it
    timeline: list[Step]
    late_by: timedelta | None  # a scheduled campaign that started more than a minute after its time


async def review(staff: Staff, campaign: CampaignInfo) -> Review:
    """For a campaign `staff` may see (campaign_for checked it)."""
    return Review(approval_needed=approvals.needed(campaign),
                  may_approve=staff.can(Permission.APPROVE) and campaign.created_by != staff.actor,
                  timeline=await timeline(campaign), late_by=scheduling.lateness(campaign))
