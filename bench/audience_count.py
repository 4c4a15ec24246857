"""The audience count before a send (services.campaigns.audience_count) on PostgreSQL, for 1,000,000 contacts:
its time against the 3 s limit, and against a plain `SELECT count(*)` of the subscriptions measured in the
same run.

    .venv/bin/python bench/audience_count.py [--contacts 1000000]

The contacts are written with COPY: half French, half English, a second list holding a tenth of them, 1%
suppressed (their HMACs under the run's key, as the product writes them), 1% restricted, 1% that left the
purpose through another list, and a few thousand private individuals without consent. The campaign has
no English version and skips those recipients (no_translation). Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SECRET, PostgresDatabase, contacts  # noqa: E402

LIMIT_SECONDS = 3.0


async def fill(url: str, count: int) -> None:
    """Contacts, subscriptions and suppression entries, by COPY."""
    import asyncpg

    from contacts.keyring import keyring_for

    connection = await asyncpg.connect(url)
    try:
        lists = {row["slug"]: (row["id"], row["purpose"]) for row in await connection.fetch(
            "SELECT id, slug, purpose FROM mailing_list WHERE slug IN ('journalists', 'vips')")}
        now = datetime.now(UTC)
        status = ["restricted" if i % 100 == 7 else "active" for i in range(count)]
        await connection.copy_records_to_table("contact", columns=(
            "id", "email", "email_canonical", "language", "address_kind", "source_type", "source_name", "status",
            "collected_at", "created_at", "updated_at"), records=(
            (i + 1, f"reader{i}@presse.example", f"reader{i}@presse.example", "en" if i % 2 else "fr",
             "private" if i % 250 == 3 else "professional", "third_party", "bench", status[i], now, now, now)
            for i in range(count)))
        await connection.execute("SELECT setval(pg_get_serial_sequence('contact', 'id'), $1)", count)
        journalists, press = lists["journalists"][0], lists["vips"][0]
        subscriptions = [(i + 1, journalists, "legitimate_interest", "subscribed") for i in range(count)]
        subscriptions += [(i + 1, press, "legitimate_interest", "unsubscribed" if i % 100 == 10 else "subscribed")
                          for i in range(0, count, 10)]
        await connection.copy_records_to_table("subscription", columns=(
            "contact", "mailing_list", "legal_basis", "status", "evidence", "created_at", "updated_at"),
            records=[(*row, "{}", now, now) for row in subscriptions])
        key = keyring_for((SECRET,)).current
        await connection.copy_records_to_table("suppression", columns=(
            "address_hash", "key_id", "canonicaliser_version", "scope", "reason", "created_at", "created_by"),
            records=[(key.digest(f"reader{i}@presse.example"), key.key_id, 1, "global", "objection", now, "bench")
                     for i in range(5, count, 100)])
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def measure(url: str, campaign_id: int, rounds: int = 3) -> tuple[list[float], list[float], object]:
    import asyncpg

    from contacts.db.engine import connected
    from contacts.services.campaigns import audience_count
    from contacts.services.campaigns import core as campaigns

    plain = []
    connection = await asyncpg.connect(url)
    try:
        for _ in range(rounds):
            start = time.perf_counter()
            await connection.fetchval("SELECT count(*) FROM subscription")
            plain.append(time.perf_counter() - start)
    finally:
        await connection.close()
    counted, found = [], None
    async with connected():
        campaign = await campaigns.get(campaign_id)
        for _ in range(rounds):
            start = time.perf_counter()
            found = await audience_count.of_campaign(campaign)
            counted.append(time.perf_counter() - start)
    return plain, counted, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    options = parser.parse_args()
    with PostgresDatabase(f"bench_audience_{os.getpid()}") as database, tempfile.TemporaryDirectory() as workdir:
        env = {**os.environ, "CONTACTS_DATABASE_URL": database.url, "CONTACTS_SECRET_KEY": SECRET}
        os.environ.update({"CONTACTS_DATABASE_URL": database.url, "CONTACTS_SECRET_KEY": SECRET})
        contacts(["migrate"], env, Path(workdir))
        start = time.perf_counter()
        asyncio.run(fill(database.url, options.contacts))
        print(f"{options.contacts:,} contacts written by COPY in {time.perf_counter() - start:.1f} s")
        campaign_id = contacts(["campaign", "create", "--list", "journalists", "--list", "vips",
                                "--template", "newsletter-communications",
                                "--subject-fr", "La lettre", "--missing-language", "skip"], env, Path(workdir)).split()[-1]
        plain, counted, found = asyncio.run(measure(database.url, int(campaign_id)))
    best_plain, best, first = min(plain), min(counted), counted[0]
    print(f"  SELECT count(*) FROM subscription: {best_plain * 1000:,.0f} ms (best of {len(plain)})")
    print(f"  audience count: {first:.2f} s first, {best:.2f} s best of {len(counted)}; "
          f"{best / best_plain:,.1f}× the plain count; limit {LIMIT_SECONDS:.0f} s: "
          f"{'within' if max(counted) < LIMIT_SECONDS else 'OVER'} ({max(counted) / LIMIT_SECONDS:.0%} of it at worst)")
    print(f"  receiving {found.receiving:,}; by list {found.by_list}; by language {found.by_language}; "
          f"skipped {found.skipped_by_reason}")


if __name__ == "__main__":
    main()
