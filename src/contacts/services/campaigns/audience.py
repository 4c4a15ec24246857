"""Who may receive a campaign: the rules, applied when the audience is built and again before each message.

The audience is the union of the campaign lists' subscribed contacts, one row per person, reached
through the first of their lists. It excludes, each counted by reason: suppressed addresses (every scope
that applies, REQ-42/46), people who unsubscribed from or objected to the purpose (REQ-21/22),
restricted, archived and erased contacts (REQ-20, REQ-10), people without a valid legal basis (REQ-1, REQ-4),
and people whose language the campaign has no version in, when staff chose to skip them (no_translation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from contacts.db.bulk import SQLITE_IN_CHUNK, BulkSession
from contacts.domain import (
    AddressKind,
    ContactStatus,
    LegalBasis,
    ReminderKind,
    SkipReason,
    SubscriptionStatus,
    SuppressionReason,
)
from contacts.keyring import Keyring
from contacts.paging import pages
from contacts.services.campaigns.core import CampaignInfo

PAGE = 2_000


@dataclass
class Facts:
    """What the rules need to know of one contact, read in a few queries for many contacts at once."""

    status: str
    address_kind: str
    canonical: str | None
    language: str = "fr"
    subscribed: dict[int, str] = field(default_factory=dict)  # campaign list id -> legal basis
    left: dict[int, str] = field(default_factory=dict)  # purpose id -> unsubscribed or objected
    suppressions: list[tuple[str, str]] = field(default_factory=list)  # (scope, reason)


def exclusion(facts: Facts | None, campaign: CampaignInfo, list_id: int) -> SkipReason | None:
    """Why this contact may not receive this campaign through this list, or None."""
    if facts is None or facts.status == ContactStatus.ERASED:
        return SkipReason.ERASED
    if facts.status == ContactStatus.RESTRICTED:
        return SkipReason.RESTRICTED
    if facts.status == ContactStatus.ARCHIVED:
        return SkipReason.ARCHIVED  # REQ-10
    mailing_list, scopes, purposes = campaign.reached_through[list_id]
    if any(scope in scopes for scope, _ in facts.suppressions):
        return SkipReason.SUPPRESSED
    left = {status for purpose, status in facts.left.items() if purpose in purposes}
    if SubscriptionStatus.OBJECTED in left:
        return SkipReason.OBJECTED
    if SubscriptionStatus.UNSUBSCRIBED in left or list_id not in facts.subscribed:
        return SkipReason.UNSUBSCRIBED
    basis = facts.subscribed[list_id]
    if (
        (campaign.purpose.is_direct_marketing or mailing_list.purpose.is_direct_marketing)
        and facts.address_kind == AddressKind.PRIVATE
        and basis != LegalBasis.CONSENT
    ):
        return SkipReason.NO_VALID_BASIS  # REQ-4: a private individual needs consent
    if campaign.language_for(facts.language) is None:
        return SkipReason.NO_TRANSLATION  # no version in their language, and staff chose skip
    return None


async def facts_for(session: BulkSession, contact_ids: Sequence[int], campaign: CampaignInfo,
                    keyring: Keyring) -> dict[int, Facts]:
    """Two queries for a page of contacts: their subscriptions (with each list's purpose), and the suppression
    entries of their addresses under every key. Each is split when its values pass what one statement takes
    (SQLite's `IN` list): a page has one hash per key for each contact."""
    facts: dict[int, Facts] = {}
    for page in pages(contact_ids, SQLITE_IN_CHUNK):
        sql, params = subscriptions_query(session, page)
        facts.update(facts_from_rows(await session.fetch(sql, *params), campaign))
    by_hash = {digest: contact_id for contact_id, f in facts.items() if f.canonical for digest in keyring.hashes(f.canonical)}
    for digests in pages(list(by_hash), SQLITE_IN_CHUNK):
        sql, params = suppressions_query(session, digests)
        add_suppressions(facts, by_hash, await session.fetch(sql, *params))
    return facts


def subscriptions_query(session: BulkSession, contact_ids: Sequence[int]) -> tuple[str, list]:
    among, params = session.among(contact_ids)
    return (
        "SELECT c.id AS id, c.status AS status, c.address_kind AS address_kind, c.email_canonical AS email_canonical, "
        "c.language AS language, s.mailing_list AS mailing_list, s.status AS subscription_status, s.legal_basis AS legal_basis, "
        "l.purpose AS purpose FROM contact c LEFT JOIN subscription s ON s.contact = c.id "
        f"LEFT JOIN mailing_list l ON l.id = s.mailing_list WHERE c.id {among}",
        params,
    )


def suppressions_query(session: BulkSession, hashes: Sequence[str]) -> tuple[str, list]:
    among, params = session.among(hashes)
    # REQ-43: an entry lifted by the person's confirmed fresh consent no longer stops mail.
    return f"SELECT address_hash, scope, reason FROM suppression WHERE address_hash {among} AND lifted_at IS NULL", params


def facts_from_rows(rows: Sequence[dict], campaign: CampaignInfo) -> dict[int, Facts]:
    """Facts from the rows of `subscriptions_query`, suppressions still to add."""
    list_ids = {item.id for item in campaign.lists}
    facts: dict[int, Facts] = {}
    for row in rows:
        contact = facts.setdefault(row["id"], Facts(row["status"], row["address_kind"], row["email_canonical"],
                                                         "en" if row["language"] == "en" else "fr"))
        status = row["subscription_status"]
        if status == SubscriptionStatus.SUBSCRIBED and row["mailing_list"] in list_ids:
            contact.subscribed[row["mailing_list"]] = row["legal_basis"]
        elif status in (SubscriptionStatus.UNSUBSCRIBED, SubscriptionStatus.OBJECTED):
            # An objection outweighs an unsubscription for the same purpose.
            if contact.left.get(row["purpose"]) != SubscriptionStatus.OBJECTED:
                contact.left[row["purpose"]] = status
    return facts


def add_suppressions(facts: dict[int, Facts], contact_by_hash: dict[str, int], rows: Sequence[dict]) -> None:
    """The rows of `suppressions_query`, to the facts of the contacts whose hashes they match."""
    for row in rows:
        contact = facts.get(contact_by_hash[row["address_hash"]])
        if contact is not None:
            contact.suppressions.append((row["scope"], SuppressionReason(row["reason"])))


# A reminder's guests, as of when its audience is built (r: the invitation row). "Invited": their invitation
# was sent, whether or not their row says so yet (guest_lists._guests reads it the same way).
_REMINDED = {
    ReminderKind.NO_ANSWER: (
        "AND (r.status = 'invited' OR (r.status = 'listed' AND EXISTS (SELECT 1 FROM delivery d JOIN invitation_list il "
        "ON il.campaign = d.campaign WHERE il.id = r.invitation_list AND d.contact = r.contact AND d.status = 'sent')))"),
    ReminderKind.ACCEPTED: "AND r.status = 'accepted'",
}


def reminded_guests(campaign: CampaignInfo) -> str:
    """The SQL condition on an invitation row `r` that a reminder adds to its guest list; none otherwise."""
    return _REMINDED[campaign.reminder] if campaign.reminder is not None else ""


async def candidates(session: BulkSession, campaign: CampaignInfo, after: int) -> list[tuple[int, int]]:
    """The next page of (contact, list reached through), by contact id. Each list gives its next page from
    the index in contact order, so a page costs the same wherever it is: the page of the union is within
    the union of the lists' pages."""
    if campaign.invitation_list_id is not None:  # the guests of its invitation list, through their list
        rows = await session.fetch(
            f"SELECT contact, mailing_list FROM invitation r WHERE invitation_list = ? AND contact > ? "
            f"{reminded_guests(campaign)} ORDER BY contact LIMIT ?", campaign.invitation_list_id, after, PAGE)
        return [(row["contact"], row["mailing_list"]) for row in rows]
    list_ids = [item.id for item in campaign.lists]
    each_list = " UNION ALL ".join(
        "SELECT * FROM (SELECT contact, mailing_list FROM subscription WHERE mailing_list = ? "
        "AND status = 'subscribed' AND contact > ? ORDER BY contact LIMIT ?) AS page"
        for _ in list_ids
    )
    rows = await session.fetch(
        f"SELECT contact, MIN(mailing_list) AS mailing_list FROM ({each_list}) AS pages "
        "GROUP BY contact ORDER BY contact LIMIT ?",
        *[value for list_id in list_ids for value in (list_id, after, PAGE)], PAGE,
    )
    return [(row["contact"], row["mailing_list"]) for row in rows]
