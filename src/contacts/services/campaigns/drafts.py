"""Drafts: edited, duplicated and deleted until they start. A campaign that started (running, paused,
finished or cancelled) is what was sent: it is never changed, and it stays in the ledger.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from contacts.db.engine import write_transaction
from contacts.domain import CampaignStatus, Greeting
from contacts.errors import ConflictError, ValidationError
from contacts.event_tables import InvitationList, InvitationReminder
from contacts.i18n import N_
from contacts.mail.render import TemplateLibrary
from contacts.services import catalogue
from contacts.services.campaigns import archive_rule
from contacts.services.campaigns import core as campaigns
from contacts.services.campaigns.content import (
    CONTENT_FIELDS,
    CONTENT_LANGUAGES,
    columns_of,
    contents_from,
    missing_language_from,
)
from contacts.services.campaigns.core import CampaignInfo
from contacts.settings import get_settings
from contacts.tables import Campaign, CampaignList, Delivery
from contacts.text_input import INT32_MAX

# What an edit may change; `subject` and `body` are the French ones, as when creating.
EDITABLE = (*CONTENT_FIELDS, "subject", "body", "missing_language", "greeting", "template", "rate", "lists", "purpose",
            "archive")


def _draft(campaign: CampaignInfo, action: str) -> None:
    if campaign.status == CampaignStatus.SCHEDULED:
        raise ConflictError(N_("campaign %(id)s is scheduled: take it back to draft (unschedule) to change or delete "
                               "it"), id=campaign.id)
    if campaign.status != CampaignStatus.DRAFT:
        raise ConflictError(N_("campaign %(id)s has started: only a draft can be changed or deleted; duplicate it "
                               "to write a new one"), id=campaign.id)


def with_edits(campaign: CampaignInfo, edits: Mapping[str, str | None]) -> CampaignInfo:
    """The campaign with these content fields (and missing_language) as given, checked but not saved: what
    a preview of a draft being edited shows."""
    fields = {**_content_fields(campaign), **{name: edits[name] for name in CONTENT_FIELDS if name in edits}}
    missing = (missing_language_from(edits["missing_language"]) if "missing_language" in edits
               else campaign.missing_language)
    greeting = campaign.greeting
    if edits.get("greeting"):
        if edits["greeting"] not in set(Greeting):
            raise ValidationError("greeting", N_("no greeting %(name)s; one of %(codes)s"),
                    name=repr(edits["greeting"]),
                                  codes=", ".join(Greeting))
        greeting = Greeting(edits["greeting"])
    return dataclasses.replace(campaign, contents=contents_from(fields), missing_language=missing, greeting=greeting)


def _content_fields(campaign: CampaignInfo) -> dict[str, str]:
    return {f"{part}_{lang}": getattr(content, part) for lang, content in campaign.contents.items()
            for part in ("subject", "preheader", "body")}


async def update(campaign_id: int, changes: Mapping[str, Any]) -> tuple[CampaignInfo, list[str]]:
    """Changes the fields given (a None rate: as fast as the server takes them; an empty missing_language:
    not chosen). Returns the campaign and the names of the fields that changed. Everything is checked
    before anything is written."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError(unknown[0], N_("is not a field of a campaign; editable: %(codes)s"),
                codes=", ".join(EDITABLE))
    if "subject" in changes and "subject_fr" in changes:
        raise ValidationError("subject", N_("give subject_fr or subject (the French subject), not both"))
    campaign = await campaigns.get(campaign_id)
    _draft(campaign, "edited")
    fields = _content_fields(campaign)
    fields.update({name: changes[name] for name in CONTENT_FIELDS if name in changes})
    fields.update({f"{name}_fr": changes[name] for name in ("subject", "body") if name in changes})
    values: dict[Any, Any] = dict(columns_of(contents_from(fields)))
    if "missing_language" in changes:
        values["missing_language"] = missing_language_from(changes["missing_language"])
    if "greeting" in changes:
        if changes["greeting"] not in set(Greeting):
            raise ValidationError("greeting", N_("no greeting %(name)s; one of %(codes)s"),
                    name=repr(changes["greeting"]),
                                  codes=", ".join(Greeting))
        values["greeting"] = Greeting(changes["greeting"])
    if "rate" in changes:
        rate = changes["rate"]
        if rate is not None and (not isinstance(rate, int) or not 1 <= rate <= INT32_MAX):
            raise ValidationError("rate", N_("must be between 1 and %(limit)s messages per second"), limit=INT32_MAX)
        values["rate"] = rate
    chosen = None
    if {"lists", "purpose", "template"} & set(changes) and campaign.invitation_list_id is not None:
        name = next(name for name in ("lists", "purpose", "template") if name in changes)
        raise ValidationError(name, N_("an invitation campaign keeps its guest list's lists, purpose and template"))
    if "template" in changes:
        TemplateLibrary.from_settings(get_settings()).check_marketing(changes["template"])
        values["template"] = changes["template"]
    if "lists" in changes or "purpose" in changes:
        slugs = changes["lists"] if "lists" in changes else [item.slug for item in campaign.lists]
        if not slugs:
            raise ValidationError("lists", N_("name at least one list"))
        chosen = [await catalogue.list_by_slug(slug) for slug in dict.fromkeys(slugs)]
        purpose_code = (changes.get("purpose") or None) if "purpose" in changes else campaign.purpose.code
        purpose = await campaigns.purpose_of(chosen, purpose_code)
        values["purpose"] = purpose.id
    else:
        purpose = campaign.purpose
    _check_archive(campaign, changes, chosen, purpose, values)
    async with write_transaction():
        current = await campaigns.get(campaign_id)  # what was checked above still holds
        _draft(current, "edited")
        await Campaign.update({getattr(Campaign, name): value for name, value in values.items()}).where(
            Campaign.id == campaign_id)
        if chosen is not None:
            await CampaignList.delete().where(CampaignList.campaign == campaign_id)
            await CampaignList.insert(*[CampaignList(campaign=campaign_id, mailing_list=item.id) for item in chosen])
        # A draft whose start failed half-way may have ledger rows: they were built for the old content.
        await Delivery.delete().where(Delivery.campaign == campaign_id)
        await Campaign.update({Campaign.audience_built_at: None}).where(Campaign.id == campaign_id)
    updated = await campaigns.get(campaign_id)
    return updated, _changed(campaign, updated)


def _check_archive(campaign: CampaignInfo, changes: Mapping[str, Any], chosen: list[catalogue.ListInfo] | None,
                   purpose: catalogue.PurposeInfo, values: dict[Any, Any]) -> None:
    """A draft to be published in the archive stays one that may be, whatever else changes (archive_rule)."""
    if "archive" in changes:
        if not isinstance(changes["archive"], bool):
            raise ValidationError("archive", N_("must be true or false"))
        values["archive"] = changes["archive"]
    if values.get("archive", campaign.archive):
        archive_rule.check(chosen if chosen is not None else campaign.lists, purpose,
                           values.get("template", campaign.template), invitation=campaign.invitation_list_id is not None)


def _changed(before: CampaignInfo, after: CampaignInfo) -> list[str]:
    names = [f"{part}_{lang}" for lang in CONTENT_LANGUAGES for part in ("subject", "preheader", "body")
             if getattr(before.contents.get(lang), part, "") != getattr(after.contents.get(lang), part, "")]
    for name in ("missing_language", "greeting", "template", "rate", "purpose", "archive"):
        if getattr(before, name) != getattr(after, name):
            names.append(name)
    if [item.id for item in before.lists] != [item.id for item in after.lists]:
        names.append("lists")
    return names


async def duplicate(campaign_id: int, actor: str) -> CampaignInfo:
    """A new draft with the same content, lists, purpose, template and rate, whatever the original's state.
    An invitation campaign is not duplicated: its guest list has one campaign. The copy is not marked for the
    public archive: each publication is chosen for itself."""
    campaign = await campaigns.get(campaign_id)
    if campaign.invitation_list_id is not None:
        raise ConflictError(N_("campaign %(id)s is a guest list's invitation: a guest list has one campaign"),
                            id=campaign_id)
    async with write_transaction():
        rows = await Campaign.insert(Campaign(
            **dict[str, Any](columns_of(campaign.contents)), missing_language=campaign.missing_language, template=campaign.template,
            greeting=campaign.greeting,
            purpose=campaign.purpose.id, rate=campaign.rate, created_by=actor, status=CampaignStatus.DRAFT,
        )).returning(Campaign.id)
        copy_id = rows[0]["id"]
        await CampaignList.insert(*[CampaignList(campaign=copy_id, mailing_list=item.id) for item in campaign.lists])
    return await campaigns.get(copy_id)


async def delete(campaign_id: int) -> CampaignInfo:
    """Deletes a draft, with its list links; an invitation list whose campaign it was can have another."""
    async with write_transaction():
        campaign = await campaigns.get(campaign_id)
        _draft(campaign, "deleted")
        await Delivery.delete().where(Delivery.campaign == campaign_id)
        await CampaignList.delete().where(CampaignList.campaign == campaign_id)
        await InvitationList.update({InvitationList.campaign: None}).where(InvitationList.campaign == campaign_id)
        await InvitationReminder.delete().where(InvitationReminder.campaign == campaign_id)
        await Campaign.delete().where(Campaign.id == campaign_id)
    return campaign
