"""REQ-9: how long each purpose keeps a person's data, as pure functions of the facts and a clock.

Each subscription says how long it keeps the contact, by its purpose's rule:
- until the person objects (invitations and communications): while it lasts, then `grace` more days, so
  that someone who unsubscribed by mistake can still turn it back on from their preference link;
- a prospect (consent, the public newsletter): the purpose's period from the last contact the person
  initiated (a confirmation, a form, an answer; an open does not count), or `grace` days after opting out;
- a relationship (press information, a contract): while it lasts, then archived with restricted access
  for the purpose's legal period (REQ-10).

The contact is kept while any subscription keeps it; archived when only an archive period still runs;
anonymised once every period has ended. A contact with no subscription at all is kept `grace` days after
collection: no purpose keeps it after that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from contacts.domain import RetentionRule, SubscriptionStatus
from contacts.i18n import N_, Phrase
from contacts.words import CODE_WORDS

NO_PURPOSE = "no_purpose"
LIVE = (SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.PENDING)


class Action(StrEnum):
    ANONYMISE = "anonymise"
    ARCHIVE = "archive"


@dataclass(frozen=True)
class ContactFacts:
    id: int
    status: str
    collected_at: datetime
    last_initiated_contact_at: datetime | None


@dataclass(frozen=True)
class SubscriptionFacts:
    purpose: str  # its code
    rule: RetentionRule
    days: int | None  # the period the rule counts
    status: SubscriptionStatus
    started_at: datetime
    ended_at: datetime | None  # when an unsubscribe or objection ended it


@dataclass(frozen=True)
class Verdict:
    contact_id: int
    action: Action
    rule: str  # the retention rule that decided, or no_purpose
    purpose: str | None
    ends: datetime  # anonymise: when the last period ended; archive: when the archive ends
    reason: Phrase  # in words, without personal data; str() is English


@dataclass(frozen=True)
class _Term:
    """What one subscription says: keep until `until` (None: for as long as it lasts), or archive."""

    subscription: SubscriptionFacts | None
    until: datetime | None
    archive: bool
    reason: Phrase


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC times."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(moment: datetime) -> date:
    return moment.date()


def _status(status: str) -> Phrase:
    return Phrase(CODE_WORDS.get(status, status))


def _period(days: int) -> Phrase:
    """`3 years`, `1 day`: the same words as the record of processing."""
    if days and days % 365 == 0:
        years = days // 365
        return Phrase(N_("%(num)s year") if years == 1 else N_("%(num)s years"), num=years)
    return Phrase(N_("%(num)s day") if days == 1 else N_("%(num)s days"), num=days)


def _term(contact: ContactFacts, subscription: SubscriptionFacts, grace: timedelta) -> _Term:
    live = subscription.status in LIVE
    ended = aware(subscription.ended_at or subscription.started_at)
    if not live and subscription.rule != RetentionRule.RELATIONSHIP_PLUS_LEGAL:
        return _Term(subscription, ended + grace, False,
                     Phrase(N_("%(purpose)s: %(status)s on %(day)s, kept %(period)s after"),
                            purpose=subscription.purpose, status=_status(subscription.status), day=_day(ended),
                            period=_period(grace.days)))
    if subscription.rule == RetentionRule.PROSPECT_3_YEARS:
        moments = [aware(subscription.started_at)]
        if contact.last_initiated_contact_at:
            moments.append(aware(contact.last_initiated_contact_at))
        last = max(moments)
        days = subscription.days or 0
        until = last + timedelta(days=days)
        return _Term(subscription, until, False,
                     Phrase(N_("%(purpose)s: a prospect with no contact of their own since %(day)s; the %(period)s "
                               "ended on %(end)s"), purpose=subscription.purpose, day=_day(last),
                            period=_period(days), end=_day(until)))
    if live:
        return _Term(subscription, None, False, Phrase(N_("%(purpose)s: %(status)s"), purpose=subscription.purpose,
                                                       status=_status(subscription.status)))
    until = ended + timedelta(days=subscription.days or 0)
    return _Term(subscription, until, True,
                 Phrase(N_("%(purpose)s: the relationship ended on %(day)s; archived with restricted access until "
                           "%(end)s"), purpose=subscription.purpose, day=_day(ended), end=_day(until)))


def verdict(contact: ContactFacts, subscriptions: list[SubscriptionFacts], now: datetime, grace: timedelta
            ) -> Verdict | None:
    """What the retention rules ask of this contact at `now`, or None while its data is still needed."""
    terms = [_term(contact, item, grace) for item in subscriptions]
    if not terms:
        until = aware(contact.collected_at) + grace
        terms = [_Term(None, until, False,
                       Phrase(N_("no subscription: collected on %(day)s, no purpose keeps the data"),
                              day=_day(aware(contact.collected_at))))]
    if any(not term.archive and (term.until is None or now < term.until) for term in terms):
        return None
    archives = [term for term in terms if term.archive and now < _end(term)]
    if archives:
        term = max(archives, key=_end)
        return _verdict(contact, Action.ARCHIVE, term)
    term = max(terms, key=_end)
    return _verdict(contact, Action.ANONYMISE, term)


def _end(term: _Term) -> datetime:
    """When a term ends: asked only of archiving terms, and of the others once none keeps the data for good."""
    assert term.until is not None
    return term.until


def _verdict(contact: ContactFacts, action: Action, term: _Term) -> Verdict:
    subscription = term.subscription
    return Verdict(contact_id=contact.id, action=action,
                   rule=subscription.rule.value if subscription else NO_PURPOSE,
                   purpose=subscription.purpose if subscription else None, ends=_end(term), reason=term.reason)
