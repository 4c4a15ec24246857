"""The retention engine (REQ-9, REQ-10, REQ-13): what the rules ask of every contact, and doing it.

A run lists what is due and why, then (unless it is a dry run) does it:
- contacts whose every period has ended are anonymised through erasure, which keeps the ledgers' proofs
  and the person's own do-not-contact records, and adds none (REQ-9);
- contacts whose relationship ended and whose legal period runs are archived: never sent to, searched or
  segmented, seen only by the rights desk (REQ-10);
- a contact that is restricted, or whose rights request is still open, is held: its data stays until the
  restriction is lifted or the request answered (REQ-20);
- data kept only for security or a short task goes once it has served: unconfirmed consent requests past
  their expiry, staff sessions past theirs, and identity documents of requests already closed (REQ-15);
- companions' names go a set number of days after their event (REQ-51, retention/companions.py);
- third-party contacts not told within a month are flagged for the DPO (REQ-13); nothing is done to them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contacts.db.engine import write_transaction
from contacts.domain import ContactStatus, RetentionRule, SubscriptionStatus
from contacts.i18n import N_, Phrase
from contacts.services import audit, catalogue
from contacts.services.people import third_party_notice
from contacts.services.retention import companions
from contacts.services.retention.rules import (
    LIVE,
    Action,
    ContactFacts,
    SubscriptionFacts,
    Verdict,
    verdict,
)
from contacts.services.rights import erasure
from contacts.settings import get_settings
from contacts.tables import (
    Contact,
    IdentityDocument,
    PendingConsent,
    RightsRequest,
    StaffSession,
    Subscription,
)

ACTOR = "system:retention"
PAGE = 1_000


@dataclass(frozen=True)
class Held:
    verdict: Verdict
    why: Phrase


@dataclass
class RetentionReport:
    now: datetime
    dry_run: bool
    due: list[Verdict] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    unnoticed: list[third_party_notice.Unnoticed] = field(default_factory=list)
    expired: dict[str, int] = field(default_factory=dict)  # other data past its time, rows by table
    done: dict[str, int] = field(default_factory=dict)  # what the run did: contacts by action, rows by table

    def summary(self) -> dict[str, int]:
        """Counts only, never personal data: what the daily job keeps and the audit log records."""
        due = Counter(item.action.value for item in self.due)
        return {"anonymise": due[Action.ANONYMISE], "archive": due[Action.ARCHIVE], "held": len(self.held),
                "unnoticed_third_party": len(self.unnoticed), **{f"expired_{k}": v for k, v in self.expired.items()},
                **{f"done_{k}": v for k, v in self.done.items()}}


async def _rules_by_list() -> dict[int, tuple[str, RetentionRule, int | None]]:
    return {item.id: (item.purpose.code, item.purpose.retention_rule, item.purpose.retention_days)
            for item in await catalogue.lists()}


async def _verdicts(contacts: list[dict], rules: dict, now: datetime, grace: timedelta
                    ) -> tuple[list[Verdict], list[Held]]:
    ids = [row["id"] for row in contacts]
    subscriptions: dict[int, list[SubscriptionFacts]] = {}
    for row in await Subscription.select(
            Subscription.contact, Subscription.mailing_list, Subscription.status, Subscription.started_at,
            Subscription.ended_at, Subscription.created_at, Subscription.updated_at).where(
            Subscription.contact.is_in(ids)):
        purpose, rule, days = rules[row["mailing_list"]]
        status = SubscriptionStatus(row["status"])
        ended = row["ended_at"] or (row["updated_at"] if status not in LIVE else None)
        subscriptions.setdefault(row["contact"], []).append(SubscriptionFacts(
            purpose=purpose, rule=rule, days=days, status=status, started_at=row["started_at"] or row["created_at"],
            ended_at=ended))
    open_requests = {row["contact"] for row in await RightsRequest.select(RightsRequest.contact).where(
        RightsRequest.contact.is_in(ids), RightsRequest.closed_at.is_null())}
    due, held = [], []
    for row in contacts:
        found = verdict(ContactFacts(row["id"], row["status"], row["collected_at"], row["last_initiated_contact_at"]),
                        subscriptions.get(row["id"], []), now, grace)
        if found is None or (found.action == Action.ARCHIVE and row["status"] == ContactStatus.ARCHIVED):
            continue
        if row["status"] == ContactStatus.RESTRICTED:
            held.append(Held(found, Phrase(N_("restricted: stored only until the restriction is lifted"))))
        elif row["id"] in open_requests:
            held.append(Held(found, Phrase(N_("a rights request of the person is still open"))))
        else:
            due.append(found)
    return due, held


async def _contacts_after(after: int, limit: int) -> list[dict]:
    return await Contact.select(Contact.id, Contact.status, Contact.collected_at,
                                Contact.last_initiated_contact_at).where(
        Contact.id > after, Contact.status != ContactStatus.ERASED).order_by(Contact.id).limit(limit)


async def _plan(now: datetime, rules: dict, grace: timedelta) -> RetentionReport:
    report = RetentionReport(now=now, dry_run=True)
    after = 0
    while page := await _contacts_after(after, PAGE):
        after = page[-1]["id"]
        due, held = await _verdicts(page, rules, now, grace)
        report.due += due
        report.held += held
    going = {item.contact_id for item in report.due if item.action == Action.ANONYMISE}
    report.unnoticed = [item for item in await third_party_notice.unnoticed(now) if item.contact_id not in going]
    report.expired = {
        "pending_consent": await PendingConsent.count().where(*_expired_consent_requests(now)),
        "staff_session": await StaffSession.count().where(StaffSession.expires_at < now),
        "identity_document": await IdentityDocument.count().where(_closed_requests_documents()),
        "companion_name": await companions.due(now),
    }
    return report


def _expired_consent_requests(now: datetime) -> tuple:
    return PendingConsent.confirmed_at.is_null(), PendingConsent.expires_at < now


def _closed_requests_documents():
    return IdentityDocument.rights_request.is_in(
        RightsRequest.select(RightsRequest.id).where(RightsRequest.closed_at.is_not_null()))


async def run(*, dry_run: bool = False, now: datetime | None = None, actor: str = ACTOR) -> RetentionReport:
    """Plan, then (unless `dry_run`) do it. Each contact is judged again just before it is changed, so a
    person who came back in the meantime keeps their data."""
    now = now or datetime.now(UTC)
    rules, grace = await _rules_by_list(), timedelta(days=get_settings().retention_grace_days)
    report = await _plan(now, rules, grace)
    report.dry_run = dry_run
    if dry_run:
        return report
    done: Counter[str] = Counter()
    for planned in report.due:
        current = await Contact.select(Contact.id, Contact.status, Contact.collected_at,
                                       Contact.last_initiated_contact_at).where(Contact.id == planned.contact_id)
        due, _ = await _verdicts([row for row in current if row["status"] != ContactStatus.ERASED], rules, now, grace)
        if not due or due[0].action != planned.action:
            done["changed_since_planned"] += 1
            continue
        if planned.action == Action.ANONYMISE:
            why = f"retention: {planned.rule}" + (f" ({planned.purpose})" if planned.purpose else "")
            await erasure.erase_contact(planned.contact_id, actor=actor, now=now, suppress=False, reason=why)
            done["anonymised"] += 1
        else:
            await _archive(planned, actor, now)
            done["archived"] += 1
    async with write_transaction():
        done["pending_consent"] = len(await PendingConsent.delete().where(*_expired_consent_requests(now)).returning(
            PendingConsent.id))
        done["staff_session"] = len(await StaffSession.delete().where(StaffSession.expires_at < now).returning(
            StaffSession.id))
        done["identity_document"] = len(await IdentityDocument.delete().where(_closed_requests_documents()).returning(
            IdentityDocument.id))
    done["companion_name"] = await companions.forget(now, actor)
    report.done = dict(done)
    await audit.record(actor, "retention.run", "retention", None, details=report.summary())
    return report


async def _archive(planned: Verdict, actor: str, now: datetime) -> None:
    async with write_transaction():
        await Contact.update({Contact.status: ContactStatus.ARCHIVED, Contact.updated_at: now}).where(
            Contact.id == planned.contact_id, Contact.status == ContactStatus.ACTIVE)
    await audit.record(actor, "contact.archive", "contact", planned.contact_id, purpose=planned.purpose,
                       details={"rule": planned.rule, "until": planned.ends.isoformat()})
