"""Everything held about one person, as plain JSON-ready data (schemas/subject-export.schema.json).

Given data (the contact record), observed data (subscriptions, the consent ledger, sends and bounces,
invitations) and what REQ-16 (a)-(h) says the answer must tell. Nothing about anyone else: the
suppression status is looked up by the person's own hash, staff names are left out, and a rights request's
requester (an executor, say) is not repeated.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from contacts.domain import ContactStatus, LegalBasis
from contacts.errors import NotFoundError, ValidationError
from contacts.event_tables import Invitation
from contacts.i18n import N_, gettext
from contacts.services import catalogue, records_of_processing
from contacts.services.people import suppression
from contacts.services.rights import propagation
from contacts.services.rights.export import words
from contacts.settings import get_settings
from contacts.tables import (
    AfterDeathInstruction,
    ConsentEvent,
    Contact,
    Delivery,
    PendingConsent,
    Restriction,
    RightsRequest,
    Subscription,
)

SCHEMA_VERSION = "2"
CONTACT_FIELDS = ("title", "first_name", "last_name", "organisation", "position", "department", "email", "phone",
                  "postal_address", "language", "address_kind", "status", "last_initiated_contact_at", "created_at",
                  "updated_at")


def plain(value: Any) -> Any:
    """Dates as ISO 8601 text, JSON columns (text on SQLite) as their objects."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _object(value: Any) -> dict:
    parsed = plain(value)
    return parsed if isinstance(parsed, dict) else {}


async def build(contact_id: int, *, language: str, now: datetime | None = None) -> dict[str, Any]:
    """The whole export of one contact, its words in `language` (fr or en). An erased or unknown contact
    is a NotFoundError: there is nothing left to export."""
    if language not in words.LANGUAGES:
        raise ValidationError("language", N_("is fr or en"))
    contact = await Contact.select().where(Contact.id == contact_id, Contact.status != ContactStatus.ERASED).first()
    if contact is None:
        raise NotFoundError(N_("no contact %(contact_id)s"), contact_id=contact_id)
    settings = get_settings()
    purposes = await catalogue.purposes()
    lists = {item.id: item for item in await catalogue.lists(purposes)}
    purpose_by_id = {item.id: item for item in purposes}

    subscriptions = []
    used_purposes: set[int] = set()
    for row in await Subscription.select().where(Subscription.contact == contact_id).order_by(Subscription.id):
        mailing_list = lists[row["mailing_list"]]
        used_purposes.add(mailing_list.purpose.id)
        subscriptions.append({
            "list": mailing_list.slug, "list_name": mailing_list.display_name(language),
            "purpose": mailing_list.purpose.code, "legal_basis": row["legal_basis"],
            "legal_basis_words": records_of_processing.basis_words(LegalBasis(row["legal_basis"]), language),
            "status": row["status"], "evidence": _object(row["evidence"]), "started_at": plain(row["started_at"]),
            "ended_at": plain(row["ended_at"]), "created_at": plain(row["created_at"])})

    consent_events = [{
        "occurred_at": plain(row["occurred_at"]), "action": row["action"], "channel": row["channel"],
        "list": lists[row["mailing_list"]].slug if row["mailing_list"] in lists else None,
        "purpose": purpose_by_id[row["purpose"]].code if row["purpose"] in purpose_by_id else None,
        "reason": row["reason"], "details": _object(row["details"]), "redacted": row["redacted_at"] is not None,
    } for row in await ConsentEvent.select().where(ConsentEvent.contact == contact_id).order_by(ConsentEvent.id)]

    # Each with its campaign's subject, joined: a list of campaign ids would grow with the person's history.
    # The subject in the person's language, when the campaign had a version in it.
    theirs, other = ("subject_en", "subject_fr") if contact["language"] == "en" else ("subject_fr", "subject_en")
    deliveries = await Delivery.select(*Delivery.all_columns(), Delivery.campaign.subject_fr.as_alias("subject_fr"),
                                       Delivery.campaign.subject_en.as_alias("subject_en")).where(
        Delivery.contact == contact_id).order_by(Delivery.id)
    send_history = [{
        "campaign": row["campaign"], "subject": row[theirs] or row[other], "list": lists[row["mailing_list"]].slug,
        "purpose": lists[row["mailing_list"]].purpose.code, "status": row["status"], "skip_reason": row["skip_reason"],
        "sent_at": plain(row["sent_at"]), "bounce": row["bounce_kind"], "bounced_at": plain(row["bounced_at"]),
        "complained_at": plain(row["complained_at"]),
    } for row in deliveries]

    invitations = []
    for row in await Invitation.select(Invitation.status, Invitation.responded_at, Invitation.mailing_list,
                                       Invitation.companion_name, Invitation.with_companion,
                                       Invitation.arrived_at, Invitation.companion_arrived_at,
                                       Invitation.invitation_list.name.as_alias("event"),
                                       Invitation.invitation_list.purpose.as_alias("purpose")).where(
            Invitation.contact == contact_id).order_by(Invitation.id):
        used_purposes.add(row["purpose"])
        # REQ-51: the companion the person named, and how long their name is kept.
        invitations.append({"event": row["event"], "list": lists[row["mailing_list"]].slug, "status": row["status"],
                            "responded_at": plain(row["responded_at"]), "arrived_at": plain(row["arrived_at"]),
                            "companion": row["companion_name"],
                            "companion_arrived_at": plain(row["companion_arrived_at"]),
                            "companion_retention": records_of_processing.companion_words(language)
                            if row["with_companion"] else None})

    pending_consents = []
    for row in await PendingConsent.select().where(PendingConsent.contact == contact_id,
                                                   PendingConsent.confirmed_at.is_null()).order_by(PendingConsent.id):
        asked = plain(row["lists"]) or []
        pending_consents.append({
            "lists": [lists[item["list"]].slug for item in asked if item.get("list") in lists],
            "wording": [item.get("wording") for item in asked], "notice_version": row["notice_version"],
            "form": row["form"], "requested_at": plain(row["requested_at"]), "expires_at": plain(row["expires_at"])})

    address = contact["email_canonical"]
    held = await suppression.entries_for(address) if address else []
    used = [purpose for purpose in purposes if purpose.id in used_purposes]
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": plain(now or datetime.now(UTC)),
        "language": language,
        "controller": {"name": settings.organisation, "contact": settings.from_address, "dpo": settings.dpo_contact},
        "contact": {
            **{name: plain(contact[name]) for name in CONTACT_FIELDS},
            "provenance": {"method": contact["source_type"], "source_name": contact["source_name"],
                           "collected_at": plain(contact["collected_at"]), "notice_version": contact["notice_version"]},
        },
        "subscriptions": subscriptions,
        "consent_events": consent_events,
        "send_history": send_history,
        "suppression": {"suppressed": bool(held), "stored_as": gettext(language, words.SUPPRESSION_STORED),
                        "entries": [{"scope": entry.scope, "reason": entry.reason.value,
                                     "since": plain(entry.created_at)} for entry in held]},
        "restrictions": [{"reason": row["reason"], "started_at": plain(row["started_at"]),
                          "lift_notified_at": plain(row["lift_notified_at"]), "lifted_at": plain(row["lifted_at"])}
                         for row in await Restriction.select().where(Restriction.contact == contact_id)
                         .order_by(Restriction.id)],
        "rights_requests": [_rights_request(row) for row in await RightsRequest.select().where(
            RightsRequest.contact == contact_id).order_by(RightsRequest.id)],
        "after_death_instructions": [{
            "instruction": row["instruction"], "executor_name": row["executor_name"],
            "executor_email": row["executor_email"], "details": row["details"],
            "recorded_at": plain(row["recorded_at"]), "revoked_at": plain(row["revoked_at"]),
            "applied_at": plain(row["applied_at"])} for row in await AfterDeathInstruction.select().where(
                AfterDeathInstruction.contact == contact_id).order_by(AfterDeathInstruction.id)],
        "invitations": invitations,
        "pending_consents": pending_consents,
        # REQ-16 (a)-(h), worded as the record of processing words them.
        "purposes": [{"purpose": item.code, "name": item.display_name(language),
                      "description": item.display_description(language),
                      "legal_basis": item.default_legal_basis.value,
                      "legal_basis_words": records_of_processing.basis_words(item.default_legal_basis, language)}
                     for item in used],  # (a)
        "categories_of_data": records_of_processing.data_categories(language),  # (b)
        "recipients": {"categories": records_of_processing.recipients(language),
                       "transfers_outside_eu": gettext(language, words.TRANSFERS),
                       "disclosures": [{"recipient": item["to"], "disclosed_at": plain(item["occurred_at"])}
                                       for item in await propagation.disclosures_of(contact_id)]},  # (c)
        "retention": [{"purpose": item.code, "name": item.display_name(language),
                       "period": records_of_processing.retention_words(item, language) + (
                           f"; {records_of_processing.companion_words(language)}"
                           if item.code == records_of_processing.INVITATION_PURPOSE else "")}
                      for item in used],  # (d)
        "rights": {"rights": [{"right": code, "words": text} for code, text in words.RIGHTS[language].items()],
                   "how_to_exercise": gettext(language, words.HOW_TO_EXERCISE, dpo=settings.dpo_contact)},  # (e)
        "complaint": {**words.CNIL, "words": gettext(language, words.COMPLAINT)},  # (f)
        "source": {"type": contact["source_type"], "type_words": words.SOURCE_TYPES[language].get(
            contact["source_type"], contact["source_type"]), "name": contact["source_name"],
            "collected_at": plain(contact["collected_at"]), "notice_version": contact["notice_version"]},  # (g)
        "automated_decisions": {"used": False, "words": gettext(language, words.AUTOMATED)},  # (h)
        # REQ-48: clicks are counted in aggregate, with nobody identified: nothing of it is about this person.
        "audience_measurement": {"identifies_you": False, "words": gettext(
            language, records_of_processing.AUDIENCE_MEASUREMENT)},
    }


def _rights_request(row: dict) -> dict:
    details = _object(row["details"])
    return {"reference": row["id"], "type": row["request_type"], "status": row["status"], "channel": row["channel"],
            "received_at": plain(row["received_at"]), "due_on": plain(row["due_on"]),
            "extended_to": plain(row["extended_to"]), "extension_reason": row["extension_reason"],
            "identity_verified": bool(row["identity_verified"]), "identity_method": row["identity_method"],
            "identity_verified_at": plain(row["identity_verified_at"]), "text": details.get("text"),
            "outcome": row["outcome"], "refusal_ground": row["refusal_ground"], "closed_at": plain(row["closed_at"])}
