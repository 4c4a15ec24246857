"""Trends of the lists and purposes, by week (issue 24): subscriptions gained by channel, lost by cause, and
the list's size at each week's end. Everything is counted in subscriptions, read from the consent ledger,
the subscriptions themselves and the audit log; nothing new is recorded for it.

Gained: a subscription that became active (`subscribed` or `confirmed` in the ledger), by channel: import,
signup (a public form), preference centre, staff (pages, API, command line).
Lost, by cause:
  - unsubscribe: the ledger's `unsubscribed`;
  - objection: a subscription that ended as `objected`;
  - bounce: a do-not-contact entry for a hard bounce, repeated soft bounces or a complaint, for each list the
    person was subscribed to;
  - erasure: the person's data erased on request;
  - retention: the retention engine archived or anonymised the person.
Size: subscriptions active at the week's end (started before it, not ended by then), of people who are
neither archived nor erased now.
Weeks start on Monday, 00:00 UTC.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from contacts.domain import ContactStatus, EventAction, Permission
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.services import catalogue
from contacts.services.staff.accounts import Staff
from contacts.tables import AuditEvent, ConsentEvent, Subscription

GAIN_CHANNELS = {"import": "import", "web_form": "signup", "preference_centre": "preference_centre",
                 "staff": "staff", "api": "staff", "cli": "staff"}
GAINS = ("import", "signup", "preference_centre", "staff", "other")
LOSSES = ("unsubscribe", "objection", "bounce", "erasure", "retention")
GAIN_WORDS = {"import": N_("import"), "signup": N_("signup form"), "preference_centre": N_("preference centre"),
              "staff": N_("staff"), "other": N_("other")}
LOSS_WORDS = {"unsubscribe": N_("unsubscribe"), "objection": N_("objection"), "bounce": N_("bounce or complaint"),
              "erasure": N_("erasure"), "retention": N_("retention period")}
RETENTION_ACTOR = "system:retention"
WEEKS_LIMIT = 104


@dataclass
class Week:
    starts_on: datetime
    gained: dict[str, int] = field(default_factory=lambda: dict.fromkeys(GAINS, 0))
    lost: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LOSSES, 0))
    size: int = 0

    @property
    def gained_total(self) -> int:
        return sum(self.gained.values())

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())


@dataclass(frozen=True)
class Trend:
    kind: str  # list or purpose
    code: str  # the list's slug or the purpose's code
    name: str
    name_fr: str
    weeks: list[Week]

    def display_name(self, language: str) -> str:
        return self.name_fr if language == "fr" and self.name_fr else self.name


def week_start(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


async def for_staff(staff: Staff, weeks: int = 12, now: datetime | None = None) -> tuple[list[Trend], list[Trend]]:
    """Per list, then per purpose, of the lists this account may see: the last `weeks` weeks, this one included."""
    staff.require(Permission.VIEW)
    if not 1 <= weeks <= WEEKS_LIMIT:
        raise ValidationError("weeks", N_("must be between 1 and %(limit)s"), limit=WEEKS_LIMIT)
    lists = [item for item in await catalogue.lists() if staff.empowered_for(item.purpose)]
    return await trends(lists, weeks, now)


async def trends(lists: list[catalogue.ListInfo], weeks: int, now: datetime | None = None
                 ) -> tuple[list[Trend], list[Trend]]:
    now = now or datetime.now(UTC)
    first = week_start(now) - timedelta(weeks=weeks - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks)]
    by_list = {item.id: [Week(start) for start in starts] for item in lists}
    if lists:
        ids = list(by_list)
        for list_id, moment, what, kind in await _movements(ids, first):
            if moment >= first:
                getattr(by_list[list_id][(week_start(moment) - first) // timedelta(weeks=1)], kind)[what] += 1
        await _sizes(ids, starts, by_list)
    list_trends = [Trend("list", item.slug, item.name, item.name_fr, by_list[item.id]) for item in lists]
    purposes: dict[int, Trend] = {}
    for item in lists:
        trend = purposes.setdefault(item.purpose.id, Trend("purpose", item.purpose.code, item.purpose.name,
                                                            item.purpose.name_fr, [Week(start) for start in starts]))
        for total, part in zip(trend.weeks, by_list[item.id], strict=True):
            for name, count in part.gained.items():
                total.gained[name] += count
            for name, count in part.lost.items():
                total.lost[name] += count
            total.size += part.size
    return list_trends, list(purposes.values())


async def _movements(ids: list[int], since: datetime) -> list[tuple[int, datetime, str, str]]:
    """(list, when, what, gained or lost) for every subscription gained or lost since `since`."""
    found: list[tuple[int, datetime, str, str]] = []
    for row in await ConsentEvent.select(ConsentEvent.mailing_list, ConsentEvent.occurred_at, ConsentEvent.channel,
                                         ConsentEvent.action).where(
            ConsentEvent.mailing_list.is_in(ids), ConsentEvent.occurred_at >= since,
            ConsentEvent.action.is_in([EventAction.SUBSCRIBED, EventAction.CONFIRMED, EventAction.UNSUBSCRIBED])):
        if row["action"] == EventAction.UNSUBSCRIBED:
            found.append((row["mailing_list"], row["occurred_at"], "unsubscribe", "lost"))
        else:
            found.append((row["mailing_list"], row["occurred_at"], GAIN_CHANNELS.get(row["channel"], "other"),
                          "gained"))
    for row in await Subscription.select(Subscription.mailing_list, Subscription.ended_at).where(
            Subscription.mailing_list.is_in(ids), Subscription.status == "objected", Subscription.ended_at >= since):
        found.append((row["mailing_list"], row["ended_at"], "objection", "lost"))
    people: list[tuple[int, datetime, str]] = []  # (contact, when, cause): each of their lists loses them
    for row in await ConsentEvent.select(ConsentEvent.contact, ConsentEvent.occurred_at, ConsentEvent.channel,
                                         ConsentEvent.action, ConsentEvent.actor).where(
            ConsentEvent.occurred_at >= since, ConsentEvent.contact.is_not_null(),
            ((ConsentEvent.action == EventAction.SUPPRESSED) & ConsentEvent.channel.is_in(["bounce", "complaint"]))
            | (ConsentEvent.action == EventAction.ERASED)):
        cause = "bounce" if row["action"] == EventAction.SUPPRESSED else (
            "retention" if row["actor"] == RETENTION_ACTOR else "erasure")
        people.append((row["contact"], row["occurred_at"], cause))
    for row in await AuditEvent.select(AuditEvent.object_id, AuditEvent.occurred_at).where(
            AuditEvent.action == "contact.archive", AuditEvent.occurred_at >= since):
        if (row["object_id"] or "").isdigit():
            people.append((int(row["object_id"]), row["occurred_at"], "retention"))
    if people:
        lists_of: dict[int, list[int]] = defaultdict(list)
        contacts = sorted({contact for contact, _, _ in people})
        for start in range(0, len(contacts), 5000):
            for row in await Subscription.select(Subscription.contact, Subscription.mailing_list).where(
                    Subscription.contact.is_in(contacts[start:start + 5000]), Subscription.mailing_list.is_in(ids),
                    Subscription.status.is_in(["subscribed", "pending"])):
                lists_of[row["contact"]].append(row["mailing_list"])
        found += [(list_id, moment, cause, "lost") for contact, moment, cause in people
                  for list_id in lists_of.get(contact, ())]
    return found


async def _sizes(ids: list[int], starts: list[datetime], by_list: dict[int, list[Week]]) -> None:
    gone = [ContactStatus.ERASED, ContactStatus.ARCHIVED]
    ends = [start + timedelta(weeks=1) for start in starts]
    rows = await Subscription.select(Subscription.mailing_list, Subscription.started_at, Subscription.created_at,
                                     Subscription.ended_at, Subscription.status).where(
        Subscription.mailing_list.is_in(ids), Subscription.status != "pending",
        Subscription.contact.status.not_in(gone))
    for row in rows:
        began = row["started_at"] or row["created_at"]
        for week, end in zip(by_list[row["mailing_list"]], ends, strict=True):
            if began < end and (row["ended_at"] is None or row["ended_at"] >= end):
                week.size += 1
