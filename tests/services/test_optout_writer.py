"""The opt-out group writer: the same rules on both engines (one statement on PostgreSQL), key rotation,
"unsubscribe from everything", and two groups in flight at once."""

from __future__ import annotations

import asyncio
import hashlib
import hmac

import pytest

from contacts.db.bulk import PostgresBulkSession, bulk_session
from contacts.domain import Channel, SourceType
from contacts.keyring import HashKey, Keyring, keyring_for
from contacts.services.importing import ImportOptions, run_import
from contacts.services.optout.writer import Unsubscribe, write_group
from contacts.services.people import suppression, suppression_rule
from contacts.settings import get_settings
from contacts.tables import (
    ConsentEvent,
    Contact,
    MailingList,
    Subscription,
    Suppression,
)

pytestmark = pytest.mark.usefixtures("database_url")


async def imported(tmp_path, *addresses: str, lists=("journalists",)) -> list[int]:
    path = tmp_path / "people.csv"
    path.write_text("email\n" + "\n".join(addresses) + "\n")
    for slug in lists:
        await run_import(ImportOptions(path=path, list_slug=slug, source_type=SourceType.GIVEN, source_name="t",
                                       actor="test"))
    rows = await Contact.select(Contact.id, Contact.email_canonical).order_by(Contact.id)
    by_address = {row["email_canonical"]: row["id"] for row in rows}
    return [by_address[address] for address in addresses]


async def list_id(slug: str) -> int:
    return (await MailingList.select(MailingList.id).where(MailingList.slug == slug).first())["id"]


def one_click(contact_id: int, list_id: int | None) -> Unsubscribe:
    return Unsubscribe(contact_id, list_id, Channel.ONE_CLICK, "unsubscribe link", campaign_id=3)


async def written(requests, keyring: Keyring | None = None) -> list[bool]:
    async with bulk_session() as session:
        return await write_group(session, requests, keyring or Keyring.from_settings(get_settings()))


async def counts() -> tuple[int, int, int]:
    return (await ConsentEvent.count().where(ConsentEvent.action == "unsubscribed"),
            await ConsentEvent.count().where(ConsentEvent.action == "suppressed"),
            await Suppression.count())


@pytest.mark.parametrize("secret", [b"k" * 32, b"a key longer than the sixty-four bytes of a SHA-256 block" * 2])
def test_req44_padded_keys_make_the_same_hmac_as_python(secret):
    inner, outer = suppression_rule.padded_keys(HashKey("id", secret))
    message = "zoé@presse.example".encode()
    by_hand = hashlib.sha256(outer + hashlib.sha256(inner + message).digest()).hexdigest()
    assert by_hand == hmac.new(secret, message, hashlib.sha256).hexdigest()


async def test_req44_postgresql_hashes_an_address_as_the_keyring_does():
    async with bulk_session() as session:
        if not isinstance(session, PostgresBulkSession):
            pytest.skip("the keyed hash is computed in SQL on PostgreSQL only")
        key = Keyring.from_settings(get_settings()).current
        inner, outer = suppression_rule.padded_keys(key)
        digest = await session.connection.fetchval(f"SELECT {suppression_rule.digest_sql('$1', '$2', '$3')}",
                                                   inner, outer, "zoé.ünïcode@presse.example")
    assert digest == key.digest("zoé.ünïcode@presse.example")


# REQ-29, REQ-42: in one group, the first request ends the subscription; a repeat changes nothing more.
async def test_req29_a_group_ends_each_subscription_once_and_says_which_request_did(tmp_path):
    zoe, hugo = await imported(tmp_path, "zoe@presse.example", "hugo@presse.example")
    journalists = await list_id("journalists")
    changed = await written([one_click(zoe, journalists), one_click(hugo, journalists), one_click(zoe, journalists)])
    assert changed == [True, True, False]
    assert await counts() == (2, 2, 2)
    event = await ConsentEvent.select().where(ConsentEvent.action == "suppressed",
                                              ConsentEvent.contact == zoe).first()
    assert (event["channel"], event["mailing_list"], event["reason"]) == ("one_click", journalists, "unsubscribe")
    assert await written([one_click(zoe, journalists)]) == [False]
    assert await counts() == (2, 2, 2)
    assert [(e.scope, e.reason) for e in await suppression.entries_for("zoe@presse.example")] == [
        ("list:journalists", "unsubscribe")]


# REQ-44: after the key rotates, an entry made under the old key still counts: no second one is written.
async def test_req44_an_entry_under_a_rotated_key_is_not_written_again(tmp_path):
    (zoe,) = await imported(tmp_path, "zoe@presse.example")
    journalists = await list_id("journalists")
    await suppression.suppress("zoe@presse.example", "unsubscribe", scope="list:journalists", actor="test",
                               channel=Channel.CLI)
    rotated = keyring_for(("a-brand-new-secret-key-0001", *get_settings().secret_keys))
    assert await written([one_click(zoe, journalists)], rotated) == [True]
    assert await Suppression.count() == 1
    assert await ConsentEvent.count().where(ConsentEvent.action == "unsubscribed") == 1


# REQ-42: "unsubscribe from everything" ends every active subscription, with each list's entry and a global one.
async def test_req42_everything_ends_every_list_and_suppresses_globally(tmp_path):
    (zoe,) = await imported(tmp_path, "zoe@presse.example", lists=("journalists", "press-releases"))
    assert await written([Unsubscribe(zoe, None, Channel.PREFERENCE_CENTRE, "preference centre")]) == [True]
    assert set(await Subscription.select(Subscription.status).output(as_list=True)) == {"unsubscribed"}
    scopes = sorted(entry.scope for entry in await suppression.entries_for("zoe@presse.example"))
    assert scopes == ["global", "list:journalists", "list:press-releases"]
    assert await counts() == (2, 3, 3)


# Two server processes each write their own group: when both hold the same person, the second waits for
# the first and then finds nothing left to do, so nothing is ended, recorded or suppressed twice.
async def test_two_groups_in_flight_at_once_write_each_effect_once(tmp_path):
    zoe, hugo = await imported(tmp_path, "zoe@presse.example", "hugo@presse.example")
    journalists = await list_id("journalists")
    keyring = Keyring.from_settings(get_settings())
    async with bulk_session() as first, bulk_session() as second:
        if not isinstance(first, PostgresBulkSession):
            pytest.skip("SQLite has one writer at a time")
        transaction = first.connection.transaction()
        await transaction.start()  # the first group's statement has run, and not committed yet
        assert await write_group(first, [one_click(zoe, journalists)], keyring) == [True]
        later = asyncio.create_task(write_group(second, [one_click(hugo, journalists), one_click(zoe, journalists)],
                                                keyring))
        await asyncio.sleep(0.2)
        assert not later.done()  # waiting for zoe's row
        await transaction.commit()
        assert await later == [True, False]
    assert await counts() == (2, 2, 2)
