"""A campaign's audience counted before it starts, without writing anything: how many will receive it, by
list and by language, and how many are skipped and why.

The rules are audience.exclusion's, written as one aggregate query, so that counting a million contacts
takes seconds, not the minutes that building the ledger takes (tests/sending/test_campaign_languages.py
holds the count to the ledger built after it, reason by reason). Suppression entries hold keyed hashes
(REQ-44): on PostgreSQL the query computes each address's HMAC-SHA256 itself (sha256 over the key's
inner and outer pads, RFC 2104), for every key of the keyring; on SQLite, when any entry applies, the
query gives one row per contact and the addresses still in the running are hashed here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from contacts.db.bulk import BulkSession, PostgresBulkSession, bulk_session
from contacts.domain import MissingLanguage, SkipReason
from contacts.errors import ValidationError
from contacts.i18n import N_
from contacts.keyring import Keyring
from contacts.services.campaigns import audience
from contacts.services.campaigns.core import CampaignInfo
from contacts.services.people import suppression
from contacts.services.people.suppression_rule import padded_keys

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
    if not isinstance(session, PostgresBulkSession):
        hashed_here = bool(applicable[0]["n"])
        sql, params = _query(campaign, None, hashed_here)
        rows = await session.fetch(sql, *params)
        rows = _unpivoted(rows)
        if hashed_here:
            rows = await _suppressed_here(session, rows, campaign, keyring)
        return _summed(campaign, rows)
    sql, params = _query(campaign, keyring if applicable[0]["n"] else None, False)
    async with session.transaction():
        # One aggregate pass: compiling it (JIT, which its estimated cost asks for) takes longer than it runs.
        await session.execute("SET LOCAL jit = off")
        await session.execute("SET LOCAL parallel_tuple_cost = 0.001")
        return _summed(campaign, _unpivoted(await session.fetch(sql, *params)))


def _query(campaign: CampaignInfo, keyring: Keyring | None, per_contact: bool) -> tuple[str, list]:
    """Rows (k, n[, email_canonical]), k a number for (list, language, reason): see _unpivoted. `keyring`:
    decide suppression in SQL (PostgreSQL). `per_contact`: one row per contact, with its address, for
    suppression to be decided here.

    Set-based, never a lookup per contact: the audience is one pass over the lists' subscriptions (each
    contact's first list, with whether its basis there is consent, folded into one number: list * 2 +
    consent); the few who left a purpose are a set looked up by hash (a hashed subplan, built once)."""
    params: list = []
    if campaign.invitation_list_id is not None:  # the guests, through the list each was invited from
        source = ("FROM invitation r JOIN contact c ON c.id = r.contact LEFT JOIN subscription s ON "
                  "s.contact = r.contact AND s.mailing_list = r.mailing_list AND s.status = 'subscribed' "
                  f"WHERE r.invitation_list = ? {audience.reminded_guests(campaign)}")
        params.append(campaign.invitation_list_id)
        reached, subscribed, consent = "r.mailing_list", "s.contact IS NOT NULL", "s.legal_basis = 'consent'"
    else:
        # Each list's subscribers not on an earlier list (by id): one row per person, without sorting or
        # grouping a million rows; the list and whether the basis there is consent, as list * 2 + consent.
        ids = [int(item.id) for item in sorted(campaign.lists, key=lambda item: item.id)]
        each = [f"SELECT s.contact AS contact, s.mailing_list * 2 + CASE WHEN s.legal_basis = 'consent' THEN 1 ELSE 0 END "
                f"AS v FROM subscription s WHERE s.mailing_list = {list_id} AND s.status = 'subscribed'" +
                (f" AND NOT EXISTS (SELECT 1 FROM subscription e WHERE e.contact = s.contact AND e.status = 'subscribed' "
                 f"AND e.mailing_list IN ({', '.join(str(i) for i in ids[:n])}))" if n else "")
                for n, list_id in enumerate(ids)]
        source = f"FROM ({' UNION ALL '.join(each)}) AS r JOIN contact c ON c.id = r.contact"
        reached, subscribed, consent = "r.v / 2", "TRUE", "r.v % 2 = 1"

    def left(kind: str) -> str:
        """Left the campaign's purpose, or the purpose of the list the contact is reached through (REQ-21)."""
        def among(purpose: int) -> str:
            return (f"c.id IN (SELECT x.contact FROM subscription x JOIN mailing_list xl ON xl.id = x.mailing_list "
                    f"WHERE x.status = '{kind}' AND xl.purpose = {int(purpose)})")
        by_list = [f"({reached} = {int(item.id)} AND {among(item.purpose.id)})" for item in campaign.lists
                   if item.purpose.id != campaign.purpose.id]
        return " OR ".join([among(campaign.purpose.id), *by_list])

    marketing = [str(int(item.id)) for item in campaign.lists
                 if campaign.purpose.is_direct_marketing or item.purpose.is_direct_marketing]
    suppressed = ""
    if keyring is not None:
        suppressed, suppression_params = _suppressed_sql(campaign, keyring, reached)
        params = suppression_params + params  # its placeholders come first
    reason = (  # as a number: its position in _REASONS; 0 when nothing stops the message
        f"CASE WHEN c.status = 'erased' THEN {_CODE['erased']} WHEN c.status = 'restricted' THEN {_CODE['restricted']} "
        f"WHEN c.status = 'archived' THEN {_CODE['archived']} {suppressed}"
        f"WHEN {left('objected')} THEN {_CODE['objected']} "
        f"WHEN NOT ({subscribed}) OR {left('unsubscribed')} THEN {_CODE['unsubscribed']} "
        f"WHEN {reached} IN ({', '.join(marketing) or 'NULL'}) AND c.address_kind = 'private' "
        f"AND NOT ({consent}) THEN {_CODE['no_valid_basis']} ELSE 0 END")
    language = "CASE WHEN c.language = 'en' THEN 16 ELSE 0 END"
    if per_contact:
        return (f"SELECT {reached} * 32 + {language} + {reason} AS k, c.email_canonical AS email_canonical, 1 AS n "
                f"{source}"), params
    # One number per (list, language, reason), computed once per row and grouped on as an integer.
    return f"SELECT {reached} * 32 + {language} + {reason} AS k, COUNT(*) AS n {source} GROUP BY k", params


_REASONS = (None, *(reason.value for reason in (
    SkipReason.ERASED, SkipReason.RESTRICTED, SkipReason.ARCHIVED, SkipReason.SUPPRESSED, SkipReason.OBJECTED,
    SkipReason.UNSUBSCRIBED, SkipReason.NO_VALID_BASIS)))
_CODE = {name: number for number, name in enumerate(_REASONS) if name}


def _unpivoted(rows: list[dict]) -> list[dict]:
    """Rows (mailing_list, language, reason, n[, email_canonical]) from the numbers the query gives."""
    return [{**row, "mailing_list": row["k"] // 32, "language": "en" if row["k"] % 32 >= 16 else "fr",
             "reason": _REASONS[row["k"] % 16]} for row in rows]


def _suppressed_sql(campaign: CampaignInfo, keyring: Keyring, reached: str) -> tuple[str, list]:
    """PostgreSQL: a WHEN clause true when an active entry of a scope that stops mail through the contact's
    list holds the HMAC of their address under any key. The entries that apply, by list, are one hashed
    set built once; each address costs two SHA-256 per key."""
    pairs = [(item.id, scope) for item in campaign.lists for scope in sorted(campaign.suppression_scopes(item))]
    values = ", ".join("(?::integer, ?::text)" for _ in pairs)
    entries = (f"SELECT sc.list, decode(su.address_hash, 'hex') FROM suppression su JOIN (VALUES {values}) "
               "AS sc(list, scope) ON sc.scope = su.scope WHERE su.lifted_at IS NULL")
    params: list = []
    tests = []
    for key in keyring.keys:
        inner, outer = padded_keys(key)  # as the one-click path's statement computes it
        tests.append(f"({reached}, sha256(?::bytea || sha256(?::bytea || convert_to(c.email_canonical, 'UTF8')))) "
                     f"IN ({entries})")
        params += [outer, inner, *(value for pair in pairs for value in pair)]
    return f"WHEN c.email_canonical IS NOT NULL AND ({' OR '.join(tests)}) THEN {_CODE['suppressed']} ", params


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
        raise ValidationError("missing_language", N_(
            "%(count)s recipients have no version in their language: set missing_language to other (they get the "
            "version there is) or skip (they are skipped, reason no_translation)"), count=found.undecided)
    return found


async def of_campaign(campaign: CampaignInfo) -> AudienceSummary:
    """The summary, on a session of its own."""
    async with bulk_session() as session:
        return await summary(session, campaign, suppression.keyring())
