"""Access and portability (REQ-16/17): everything held about one person, as JSON, CSV or a readable HTML
summary, delivered through an expiring sealed link `/d/{token}`.

The token names the rights request, not the person: it opens only while that request's contact exists, is
not erased, and the request is an access or portability request. A person's own download is audited as
`subject.download`, never as an `export` (those are disclosures to third parties, which propagation reads).
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, date, datetime
from typing import Any

from contacts.domain import ContactStatus, RightsRequestType
from contacts.services import audit, catalogue, register, suppression
from contacts.settings import get_settings
from contacts.tables import (
    Campaign,
    ConsentEvent,
    Contact,
    Delivery,
    MailingList,
    Restriction,
    RightsRequest,
    Subscription,
)
from contacts.tokens import LinkToken, TokenAction, codec_for

LINK_DAYS = 7
SCHEMA_VERSION = "1"
EXPORTABLE = (RightsRequestType.ACCESS, RightsRequestType.PORTABILITY)
CONTACT_FIELDS = ("title", "first_name", "last_name", "organisation", "position", "department", "email", "phone",
                  "postal_address", "language", "address_kind", "source_type", "source_name", "collected_at",
                  "notice_version", "status", "last_initiated_contact_at", "created_at", "updated_at")
# REQ-16 (e)-(h): what the answer tells besides the data.
RIGHTS_TEXT = ("access, rectification, erasure, restriction of processing, objection (absolute for direct "
               "marketing), portability, withdrawal of consent at any time, and instructions for after your death")
COMPLAINT_TEXT = "You may lodge a complaint with the CNIL (Commission nationale de l'informatique et des libertés)."
AUTOMATED_TEXT = "No decision about you is taken by automated means alone, and no profile is built."


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def build(contact_id: int) -> dict[str, Any]:
    """The whole export for one contact, as plain JSON-ready data (see schemas/subject-export.schema.json)."""
    contact = await Contact.select().where(Contact.id == contact_id).first()
    lists = {row["id"]: row for row in await MailingList.select(MailingList.id, MailingList.slug,
                                                                MailingList.name, MailingList.purpose)}
    purposes = {item.id: item for item in await catalogue.purposes()}
    activities = {activity.purpose: activity for activity in (await register.build()).activities}
    subscriptions = []
    for row in await Subscription.select().where(Subscription.contact == contact_id).order_by(Subscription.id):
        purpose = purposes.get(lists[row["mailing_list"]]["purpose"])
        subscriptions.append({
            "list": lists[row["mailing_list"]]["slug"], "list_name": lists[row["mailing_list"]]["name"],
            "purpose": purpose.code if purpose else None, "legal_basis": row["legal_basis"], "status": row["status"],
            "evidence": _plain(row["evidence"]), "started_at": _plain(row["started_at"]),
            "ended_at": _plain(row["ended_at"])})
    consent = [{"occurred_at": _plain(row["occurred_at"]), "action": row["action"], "channel": row["channel"],
                "list": lists[row["mailing_list"]]["slug"] if row["mailing_list"] in lists else None,
                "reason": row["reason"], "details": _plain(row["details"])}
               for row in await ConsentEvent.select().where(ConsentEvent.contact == contact_id)
               .order_by(ConsentEvent.id)]
    campaigns = {row["id"]: row["subject"] for row in await Campaign.select(Campaign.id, Campaign.subject)}
    sends = [{"campaign": campaigns.get(row["campaign"]), "list": lists[row["mailing_list"]]["slug"],
              "status": row["status"], "skip_reason": row["skip_reason"], "sent_at": _plain(row["sent_at"]),
              "bounce": row["bounce_kind"]}
             for row in await Delivery.select().where(Delivery.contact == contact_id).order_by(Delivery.id)]
    used = {item["purpose"] for item in subscriptions if item["purpose"]}
    address = contact["email_canonical"] if contact else None
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "controller": {"name": get_settings().organisation, "dpo": get_settings().dpo_contact},
        "contact": {name: _plain(contact[name]) for name in CONTACT_FIELDS} if contact else {},
        "subscriptions": subscriptions,
        "consent_events": consent,
        "send_history": sends,
        "suppression": [{"scope": entry.scope, "reason": entry.reason.value, "since": entry.created_at.isoformat()}
                        for entry in (await suppression.entries_for(address) if address else [])],
        "restrictions": [{"reason": row["reason"], "started_at": _plain(row["started_at"]),
                          "lifted_at": _plain(row["lifted_at"])}
                         for row in await Restriction.select().where(Restriction.contact == contact_id)],
        "processing": [{"purpose": code, "name": activities[code].name, "legal_basis": activities[code].legal_basis,
                        "categories_of_data": activities[code].categories_of_data,
                        "recipients": activities[code].recipients, "retention": activities[code].erasure}
                       for code in sorted(used) if code in activities],  # (a)-(d)
        "source": {"type": contact["source_type"], "name": contact["source_name"],
                   "collected_at": _plain(contact["collected_at"])} if contact else {},  # (g)
        "your_rights": RIGHTS_TEXT, "complaint": COMPLAINT_TEXT, "automated_decisions": AUTOMATED_TEXT,  # (e)(f)(h)
    }


def _cell(value: Any) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: such text is quoted with an apostrophe."""
    text = value if isinstance(value, str) else ("" if value is None else json.dumps(value, ensure_ascii=False))
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(export: dict[str, Any]) -> str:
    """One row per value: section, item number, field, value. UTF-8, for any spreadsheet (REQ-17)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "item", "field", "value"])
    for section, content in export.items():
        items = content if isinstance(content, list) else [content]
        for number, item in enumerate(items, start=1):
            fields = item.items() if isinstance(item, dict) else [("value", item)]
            for name, value in fields:
                writer.writerow([section, number, name, _cell(value)])
    return out.getvalue()


def export_link(request_id: int, *, contact_id: int, now: float | None = None) -> str:
    expires = int((time.time() if now is None else now) + LINK_DAYS * 86400)
    settings = get_settings()
    token = codec_for(settings.secret_keys).seal(LinkToken(TokenAction.DOWNLOAD_EXPORT, contact_id, request_id, 0,
                                                           expires))
    return f"{settings.base_url.rstrip('/')}/d/{token}"


async def open_link(token: str, *, now: float | None = None) -> int | None:
    """The contact whose data the link opens, or None (expired, tampered, erased, or not an export)."""
    opened = codec_for(get_settings().secret_keys).open(token, TokenAction.DOWNLOAD_EXPORT, now=now)
    if opened is None:
        return None
    request = await RightsRequest.select(RightsRequest.contact, RightsRequest.request_type).where(
        RightsRequest.id == opened.scope_id).first()
    if not request or request["contact"] != opened.contact_id or request["request_type"] not in EXPORTABLE:
        return None
    if not await Contact.exists().where(Contact.id == opened.contact_id, Contact.status != ContactStatus.ERASED):
        return None
    return opened.contact_id


async def download(token: str, file_format: str) -> dict[str, Any] | None:
    contact_id = await open_link(token)
    if contact_id is None:
        return None
    export = await build(contact_id)
    await audit.record("recipient", "subject.download", "contact", contact_id, role="recipient",
                       details={"format": file_format})
    return export
