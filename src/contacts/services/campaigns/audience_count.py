"""A campaign's audience counted before it starts, without writing anything: how many will receive it, by
list and by language, and how many are skipped and why.

The rules are audience.exclusion's, written as one aggregate query, so that counting a million contacts
takes seconds, not the minutes that building the ledger takes. Suppression entries hold keyed hashes
(REQ-44): on PostgreSQL the query computes each address's HMAC-SHA256 itself (sha256 over the key's
inner and outer pads, RFC 2104), for every key of the keyring; on SQLite, and wherever no entry applies,
the addresses still in the running are hashed here.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from contacts.db.bulk import BulkSession, PostgresBulkSession, bulk_session
from contacts.domain import MissingLanguage, SkipReason
from contacts.errors import ValidationError
from contacts.keyring import HashKey, Keyring
from contacts.services.campaigns.content import LANGUAGE_NAMES
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.people import suppression

# The reasons the query decides before suppression, in exclusion()'s order: suppression is looked at after.
_BEFORE_SUPPRESSION = {SkipReason.ERASED, SkipReason.RESTRICTED, SkipReason.ARCHIVED}


@dataclass(frozen=True)
class AudienceSummary:
    receiving: int
    by_list: dict[str, int]  # list slug -> recipients reached through it
    by_language: dict[str, int]  # language of the version they get -> recipients
    skipped_by_reason: dict[str, int]
    # Recipients whose language has no version, by their language; with no choice made the campaign
    # cannot start, and they are counted neither as receiving nor as skipped.
    without_version: dict[str, int] = field(default_factory=dict)
    undecided: int = 0

    @property
    def skipped(self) -> int:
        return sum(self.skipped_by_reason.values())


async def summary(session: BulkSession, campaign: CampaignInfo, keyring: Keyring) -> AudienceSummary:
    """Read-only: no ledger row, no queue, no lock."""
    scopes = sorted(set().union(*(campaign.suppression_scopes(item) for item in campaign.lists)))
    among, params = session.among(scopes)
    applicable = await session.fetch(
        f"SELECT COUNT(*) AS n FROM suppression WHERE lifted_at IS NULL AND scope {among}", *params)
    hashed_here = bool(applicable[0]["n"]) and not isinstance(session, PostgresBulkSession)
    sql, params = _query(campaign, keyring if applicable[0]["n"] and not hashed_here else None, hashed_here)
    rows = await session.fetch(sql, *params)
    if hashed_here:
        rows = await _suppressed_here(session, rows, campaign, keyring)
    return _summed(campaign, rows)


def _query(campaign: CampaignInfo, keyring: Keyring | None, per_contact: bool) -> tuple[str, list]:
    """Rows (mailing_list, language, reason[, email_canonical], n). `keyring`: decide suppression in SQL
    (PostgreSQL). `per_contact`: one row per contact, with its address, for suppression to be decided here."""
    params: list = []  # in the order of their placeholders: the reason's, then the reach's
    suppressed = ""
    if keyring is not None:
        suppressed, suppression_params = _suppressed_sql(campaign, keyring)
        params += suppression_params
    left = ("EXISTS (SELECT 1 FROM subscription x JOIN mailing_list xl ON xl.id = x.mailing_list "
            "WHERE x.contact = c.id AND x.status = '{}' AND xl.purpose IN (?, l.purpose))")
    params += [campaign.purpose.id, campaign.purpose.id]
    marketing_lists = [item.id for item in campaign.lists if item.purpose.is_direct_marketing]
    needs_consent = ("1 = 1" if campaign.purpose.is_direct_marketing else
                     f"r.mailing_list IN ({', '.join('?' * len(marketing_lists))})" if marketing_lists else "1 = 0")
    if not campaign.purpose.is_direct_marketing:
        params += marketing_lists
    language = "CASE WHEN c.language = 'en' THEN 'en' ELSE 'fr' END"
    reason = (
        "CASE WHEN c.status = 'erased' THEN 'erased' WHEN c.status = 'restricted' THEN 'restricted' "
        f"WHEN c.status = 'archived' THEN 'archived' {suppressed}"
        f"WHEN {left.format('objected')} THEN 'objected' "
        f"WHEN s.contact IS NULL OR {left.format('unsubscribed')} THEN 'unsubscribed' "
        f"WHEN ({needs_consent}) AND c.address_kind = 'private' AND s.legal_basis <> 'consent' "
        "THEN 'no_valid_basis' ELSE NULL END")
    if campaign.invitation_list_id is not None:
        reach = "SELECT contact, mailing_list FROM invitation WHERE invitation_list = ?"
        params.append(campaign.invitation_list_id)
    else:
        lists = [item.id for item in campaign.lists]
        reach = ("SELECT contact, MIN(mailing_list) AS mailing_list FROM subscription WHERE status = 'subscribed' "
                 f"AND mailing_list IN ({', '.join('?' * len(lists))}) GROUP BY contact")
        params += lists
    chosen = f"r.mailing_list AS mailing_list, {language} AS language, {reason} AS reason"
    body = (f"FROM ({reach}) AS r JOIN contact c ON c.id = r.contact JOIN mailing_list l ON l.id = r.mailing_list "
            "LEFT JOIN subscription s ON s.contact = r.contact AND s.mailing_list = r.mailing_list "
            "AND s.status = 'subscribed'")
    if per_contact:
        return f"SELECT {chosen}, c.email_canonical AS email_canonical, 1 AS n {body}", params
    return f"SELECT mailing_list, language, reason, COUNT(*) AS n FROM (SELECT {chosen} {body}) AS a " \
           "GROUP BY mailing_list, language, reason", params


def _suppressed_sql(campaign: CampaignInfo, keyring: Keyring) -> tuple[str, list]:
    """PostgreSQL: a WHEN clause true when an active entry of a scope that stops mail through the contact's
    list holds the HMAC of their address under any key."""
    pairs = [(item.id, scope) for item in campaign.lists for scope in sorted(campaign.suppression_scopes(item))]
    values = ", ".join("(?::integer, ?::text)" for _ in pairs)
    hashes = ", ".join("encode(sha256(?::bytea || sha256(?::bytea || convert_to(c.email_canonical, 'UTF8'))), 'hex')"
                       for _ in keyring.keys)
    params: list = [value for pair in pairs for value in pair]
    for key in keyring.keys:
        inner, outer = hmac_pads(key)
        params += [outer, inner]
    return (f"WHEN c.email_canonical IS NOT NULL AND EXISTS (SELECT 1 FROM suppression su JOIN (VALUES {values}) "
            "AS sc(list, scope) ON sc.scope = su.scope WHERE sc.list = r.mailing_list AND su.lifted_at IS NULL "
            f"AND su.address_hash IN ({hashes})) THEN 'suppressed' "), params


def hmac_pads(key: HashKey) -> tuple[bytes, bytes]:
    """RFC 2104: HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)), K padded to SHA-256's 64-byte block."""
    block = key.secret.ljust(64, b"\0") if len(key.secret) <= 64 else hashlib.sha256(key.secret).digest().ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


async def _suppressed_here(session: BulkSession, rows: list[dict], campaign: CampaignInfo,
                           keyring: Keyring) -> list[dict]:
    """SQLite: the per-contact rows, with suppression decided by hashing each address still in the running."""
    scopes_of = {item.id: campaign.suppression_scopes(item) for item in campaign.lists}
    entries = await session.fetch("SELECT address_hash, scope FROM suppression WHERE lifted_at IS NULL")
    by_hash: dict[str, set[str]] = {}
    for entry in entries:
        by_hash.setdefault(entry["address_hash"], set()).add(entry["scope"])
    for row in rows:
        if row["reason"] in _BEFORE_SUPPRESSION or not row["email_canonical"]:
            continue
        found = set().union(*(by_hash.get(digest, set()) for digest in keyring.hashes(row["email_canonical"])))
        if found & scopes_of[row["mailing_list"]]:
            row["reason"] = SkipReason.SUPPRESSED.value
    return rows


def _summed(campaign: CampaignInfo, rows: list[dict]) -> AudienceSummary:
    slugs = {item.id: item.slug for item in campaign.lists}
    by_list: Counter[str] = Counter()
    by_language: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    without: Counter[str] = Counter()
    undecided = 0
    for row in rows:
        n = int(row["n"])
        if row["reason"] is not None:
            skipped[row["reason"]] += n
            continue
        if row["language"] not in campaign.contents:
            without[row["language"]] += n
        language = campaign.language_for(row["language"])
        if language is None:
            if campaign.missing_language == MissingLanguage.SKIP:
                skipped[SkipReason.NO_TRANSLATION.value] += n
            else:
                undecided += n
            continue
        by_list[slugs[row["mailing_list"]]] += n
        by_language[language] += n
    return AudienceSummary(receiving=sum(by_list.values()), by_list=dict(sorted(by_list.items())),
                           by_language=dict(sorted(by_language.items())), skipped_by_reason=dict(sorted(skipped.items())),
                           without_version=dict(sorted(without.items())), undecided=undecided)


async def refuse_undecided(session: BulkSession, campaign: CampaignInfo, keyring: Keyring) -> AudienceSummary | None:
    """A draft that lacks a language, whose audience holds people speaking it, does not start until staff
    choose what they get: raises ValidationError naming missing_language, with how many and which option."""
    if campaign.missing_language is not None or not campaign.missing_languages:
        return None
    found = await summary(session, campaign, keyring)
    if found.undecided:
        missing = ", ".join(f"{n} speak {LANGUAGE_NAMES[language]}" for language, n in found.without_version.items())
        other = LANGUAGE_NAMES[next(iter(campaign.contents))]
        raise ValidationError("missing_language", (
            f"{found.undecided} recipients have no version in their language ({missing}): set missing_language "
            f"to other (they get the {other} version) or skip (they are skipped, reason no_translation)"))
    return found


async def of_campaign(campaign: CampaignInfo) -> AudienceSummary:
    """The summary, on a session of its own."""
    async with bulk_session() as session:
        return await summary(session, campaign, suppression.keyring())
