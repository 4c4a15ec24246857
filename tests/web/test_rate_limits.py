"""Rate limits per client (REQ-24 for staff sign-in, REQ-25 for the recipients' pages): who the client is
(X-Forwarded-For only from CONTACTS_TRUSTED_PROXIES), and one count that every server process shares."""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress

import httpx
import pytest

from contacts.errors import ConfigurationError
from contacts.machinery_tables import RateLimitCount
from contacts.settings import get_settings, load_settings
from contacts.web.rate_counts import MemoryRateCounts
from contacts.web.rate_limits import client_address
from tests.conftest import ENGINE
from tests.minutes import clear_of_a_minute_boundary
from tests.serving import contacts_serve
from tests.web.test_staff_pages import csrf_of

pytestmark = pytest.mark.usefixtures("database_url")
LIMIT = 10  # sign-in attempts per minute


def scope(peer: str, *forwarded: str) -> dict:
    return {"client": (peer, 40000), "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded]}


def test_the_client_is_the_peer_unless_a_trusted_proxy_says_otherwise():
    proxies = (ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("::1"))
    assert client_address(scope("127.0.0.1", "203.0.113.9"), ()) == "127.0.0.1"
    assert client_address(scope("198.51.100.4", "203.0.113.9"), proxies) == "198.51.100.4"
    assert client_address(scope("10.0.0.5", "203.0.113.9"), proxies) == "203.0.113.9"
    # What the client wrote itself is further left than what the proxies appended, and never read.
    assert client_address(scope("10.0.0.5", "1.2.3.4, 203.0.113.9, 10.0.0.7"), proxies) == "203.0.113.9"
    assert client_address(scope("10.0.0.5", "1.2.3.4", "203.0.113.9"), proxies) == "203.0.113.9"
    assert client_address(scope("10.0.0.5"), proxies) == "10.0.0.5"
    assert client_address(scope("::ffff:10.0.0.5", "203.0.113.9"), proxies) == "203.0.113.9"
    # An IPv6 client counts by its /64; an IPv4 address written as IPv6 is that IPv4 address.
    assert client_address(scope("2001:db8:1:2::7"), ()) == client_address(scope("2001:db8:1:2:ffff::1"), ()) \
        == "2001:db8:1:2::/64"
    assert client_address(scope("::ffff:203.0.113.9"), ()) == "203.0.113.9"


def test_trusted_proxies_are_read_and_checked():
    environ = {"CONTACTS_SECRET_KEY": "x" * 20, "CONTACTS_DATABASE_URL": "sqlite:///x.db"}
    assert load_settings(environ).trusted_proxies == ()
    assert load_settings({**environ, "CONTACTS_TRUSTED_PROXIES": "10.0.0.5, 192.168.0.0/16,::1"}).trusted_proxies == (
        "10.0.0.5/32", "192.168.0.0/16", "::1/128")
    with pytest.raises(ConfigurationError, match="CONTACTS_TRUSTED_PROXIES.*'proxy.example'"):
        load_settings({**environ, "CONTACTS_TRUSTED_PROXIES": "10.0.0.5,proxy.example"})


async def test_memory_counts_keep_two_minutes_of_a_bounded_number_of_clients():
    now = [600.0]
    counts = MemoryRateCounts(max_buckets=3, clock=lambda: now[0])
    for client in ("a", "b", "c"):
        assert await counts.hit("public", client) == (1, 60)
    # The newcomers past the bound share one count; the clients counted already keep theirs.
    assert [(await counts.hit("public", client))[0] for client in ("d", "e", "a")] == [1, 2, 2]
    assert len(counts) == 4
    now[0] += 61  # a second into the next minute: the last one's count still weighs 59/60
    assert await counts.hit("public", "a") == (1 + 2 * 59 / 60, 59)
    now[0] += 120  # two minutes on: nothing older than the minute before is kept
    assert await counts.hit("public", "b") == (1, 59) and len(counts) == 1


async def sign_in_attempts(client: httpx.AsyncClient | httpx.Client, forwarded_for: list[str]) -> list[int]:
    """Wrong passwords from these X-Forwarded-For values, one attempt each; their status codes."""
    async def maybe(value):
        return await value if hasattr(value, "__await__") else value

    token = csrf_of((await maybe(client.get("/staff/login"))).text)
    codes = []
    for address in forwarded_for:
        answer = await maybe(client.post("/staff/login", headers={"X-Forwarded-For": address},
                                         data={"_csrf_token": token, "username": "nobody", "password": "wrong"}))
        codes.append(answer.status_code)
    return codes


# REQ-24: a server reached directly (here from 127.0.0.1, as the audit did) never believes X-Forwarded-For:
# changing it on every attempt does not escape the sign-in limit.
async def test_req24_a_spoofed_forwarded_for_does_not_escape_the_sign_in_limit(cli_env, tmp_path):
    clear_of_a_minute_boundary()
    with contacts_serve({**cli_env, "CONTACTS_SMTP_URL": "smtp://127.0.0.1:9"}, tmp_path) as base_url:
        with httpx.Client(base_url=base_url) as client:
            codes = await sign_in_attempts(client, [f"203.0.113.{n}" for n in range(LIMIT + 3)])
    assert codes == [401] * LIMIT + [429] * 3


# REQ-24: behind a trusted proxy, each client counts alone, by the address the proxy appended.
async def test_req24_behind_a_trusted_proxy_each_client_counts_alone(http_client):
    clear_of_a_minute_boundary()
    settings = dataclasses.replace(get_settings(), trusted_proxies=("127.0.0.1/32",))
    async with http_client(settings) as client:
        first = await sign_in_attempts(client, ["203.0.113.7"] * LIMIT + ["198.51.100.1, 203.0.113.7"])
        second = await sign_in_attempts(client, ["203.0.113.8"])
    assert first == [401] * LIMIT + [429] and second == [401]


@contextlib.asynccontextmanager
async def two_servers(settings):
    """Two instances of the app on one database, as two server processes are."""
    from contacts.app import create_app

    apps = [create_app(settings), create_app(settings)]
    async with apps[0].lifespan(), apps[1].lifespan():
        clients = [httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver.local")
                   for app in apps]
        async with clients[0], clients[1]:
            yield clients


needs_postgresql = pytest.mark.skipif(ENGINE != "postgresql", reason="several server processes need PostgreSQL")


# REQ-24: two server processes share one count of sign-in attempts.
@needs_postgresql
async def test_req24_two_servers_share_one_sign_in_count():
    clear_of_a_minute_boundary()
    async with two_servers(get_settings()) as (one, other):
        codes = []
        for turn in range(LIMIT + 2):
            codes += await sign_in_attempts((one, other)[turn % 2], ["203.0.113.7"])
    assert codes == [401] * LIMIT + [429] * 2


# REQ-25: two server processes share one count of a client's page views; counts of past minutes are swept.
@needs_postgresql
async def test_req25_two_servers_share_one_page_count_and_sweep_old_minutes():
    clear_of_a_minute_boundary()
    await RateLimitCount.insert(RateLimitCount(bucket="public:198.51.100.1", window_start=60, hits=3))
    settings = dataclasses.replace(get_settings(), public_rate_limit=5)
    async with two_servers(settings) as (one, other):
        codes = [(await (one, other)[n % 2].get("/subscribe/public-newsletter")).status_code for n in range(7)]
    assert codes == [200] * 5 + [429] * 2
    assert await RateLimitCount.select(RateLimitCount.bucket, RateLimitCount.hits) == [
        {"bucket": "public:127.0.0.1", "hits": 7}]


# What a burst of requests can make a server hold: the pages' forms are small, so a large body is refused
# before it is read (the import upload keeps its own, larger limit).
async def test_a_large_form_body_is_refused_before_it_is_read(http_client):
    body = {"email": "x" * 300_000 + "@example.org", "lists": "public-newsletter"}
    async with http_client() as client:
        signup = await client.post("/subscribe/public-newsletter", data=body)
        rights = await client.post("/rights", data=body)
        sign_in = await client.post("/staff/login", data={"username": "x" * 1_100_000, "password": "p"})
    assert (signup.status_code, rights.status_code, sign_in.status_code) == (413, 413, 413)
    assert 'lang="fr"' in signup.text
