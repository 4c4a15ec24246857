"""GET /metrics (issue 25): closed without CONTACTS_METRICS_TOKEN, answered only to that bearer token, and
true of what every process did: requests by route family, the mail and consent figures from the database."""

from __future__ import annotations

import dataclasses
import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from contacts.domain import BounceKind, Channel
from contacts.errors import ConfigurationError
from contacts.sending.worker import SendOptions, send_campaign
from contacts.services import monitoring
from contacts.services.campaigns import bounces
from contacts.services.campaigns import core as campaigns
from contacts.services.retention import daily
from contacts.settings import get_settings, load_settings
from contacts.tables import Subscription
from contacts.tokens import TokenAction
from contacts.web import metrics as metrics_module
from tests.conftest import ENGINE
from tests.sending.smtp_server import Recorder, TestSmtpServer
from tests.serving import contacts_serve
from tests.web.conftest import contact_id, import_to, seal

pytestmark = pytest.mark.usefixtures("database_url")
TOKEN = "metrics-token-0123456789"
AUTHORIZED = {"Authorization": f"Bearer {TOKEN}"}


def with_metrics(**changes):
    return dataclasses.replace(get_settings(), metrics_token=TOKEN, **changes)


@pytest.fixture(autouse=True)
def fresh_figures(monkeypatch):
    """Every scrape reads the database: these tests look at figures between requests a moment apart."""
    monkeypatch.setattr(metrics_module, "FRESH_FOR_SECONDS", 0.0)


async def scrape(client) -> dict[tuple[str, tuple], float]:
    return samples_of(await client.get("/metrics", headers=AUTHORIZED))


def samples_of(response: httpx.Response) -> dict[tuple[str, tuple], float]:
    """Every sample of the exposition, by name and labels."""
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text) for sample in family.samples}


def requests_of(samples, family: str, method: str = "GET", status: str = "2xx") -> float:
    key = ("contacts_http_requests_total", (("family", family), ("method", method), ("status", status)))
    return samples.get(key, 0.0)


async def test_without_the_setting_metrics_do_not_exist(http_client):
    async with http_client() as client:
        assert (await client.get("/metrics", headers=AUTHORIZED)).status_code == 404
        assert (await client.get("/metrics")).status_code == 404


async def test_a_missing_or_wrong_token_is_refused_with_401(http_client):
    async with http_client(with_metrics()) as client:
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                        {"Authorization": f"Basic {TOKEN}"}, {"Authorization": f"Bearer {TOKEN}x"},
                        {"Authorization": f"Bearer {TOKEN[:-1]}"}, {"Authorization": "Bearer \xe9".encode("latin-1")}):
            response = await client.get("/metrics", headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"].startswith("Bearer")
            assert TOKEN not in response.text


async def test_the_right_token_gets_an_exposition_prometheus_parses_outside_the_schema(http_client):
    async with http_client(with_metrics()) as client:
        response = await client.get("/metrics", headers=AUTHORIZED)
        samples = samples_of(response)
        schema = await client.get("/schema/openapi.json")
    assert response.headers["cache-control"] == "no-store" and "set-cookie" not in response.headers
    names = {name for name, _ in samples}
    for name in ("contacts_messages_sent_total", "contacts_messages_failed_total", "contacts_messages_retried_total",
                 "contacts_messages_bounced_total", "contacts_opt_outs_total", "contacts_delivery_queue_depth",
                 "contacts_delivery_queue_oldest_age_seconds", "contacts_campaigns"):
        assert name in names, name
    assert samples[("contacts_campaigns", (("state", "draft"),))] == 0
    assert samples[("contacts_delivery_queue_oldest_age_seconds", ())] == 0
    assert "/metrics" not in schema.text and "/health" in schema.text


async def test_requests_are_counted_by_route_family_method_and_status_class(http_client):
    async with http_client(with_metrics()) as client:
        before = await scrape(client)
        for _ in range(3):
            assert (await client.get("/health")).status_code == 200
        await client.get("/u/not-a-token")  # the page an unknown link gets (REQ-25), as a 200
        await client.get("/no/such/page")
        await client.post("/health")
        after = await scrape(client)
    assert requests_of(after, "health") - requests_of(before, "health") == 3
    assert requests_of(after, "public_optout") - requests_of(before, "public_optout") == 1
    assert requests_of(after, "other", status="4xx") - requests_of(before, "other", status="4xx") == 1
    assert requests_of(after, "health", "POST", "4xx") == 1
    assert requests_of(after, "metrics") == 1  # the first scrape, counted once it was answered
    count = ("contacts_http_request_duration_seconds_count", (("family", "health"), ("method", "GET"),
                                                              ("status", "2xx")))
    assert after[count] == 3


async def test_the_queue_drains_during_a_campaign_and_sent_counts_rise(http_client, tmp_path):
    """The issue's acceptance: /metrics shows the queue draining as a campaign goes out."""
    await import_to(tmp_path, "journalists", *[f"j{i}@presse.example" for i in range(30)])
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body="Bonjour.", actor="test", missing_language="other")
    async with http_client(with_metrics()) as client:
        depths, ages = [], []

        async def look(count):
            samples = await scrape(client)
            depths.append(samples[("contacts_delivery_queue_depth", (("state", "queued"),))]
                          + samples[("contacts_delivery_queue_depth", (("state", "sending"),))])
            ages.append(samples[("contacts_delivery_queue_oldest_age_seconds", ())])

        summary = await send_campaign(campaign.id, SendOptions(concurrency=1, batch_size=2), transport=Recorder(look))
        assert summary.sent == 30
        done = await scrape(client)
    assert depths[0] >= 29 and depths == sorted(depths, reverse=True) and depths[-1] < 5
    assert ages[0] > 0  # the queued message due first has waited since the audience was built
    assert done[("contacts_delivery_queue_depth", (("state", "queued"),))] == 0
    assert done[("contacts_delivery_queue_oldest_age_seconds", ())] == 0
    assert done[("contacts_messages_sent_total", ())] == 30
    assert done[("contacts_campaigns", (("state", "finished"),))] == 1


async def test_an_ended_campaigns_counts_are_kept_and_the_others_counted_at_each_read(tmp_path):
    """The ledger is counted whole once per process: a finished campaign's rows never change status again."""
    await import_to(tmp_path, "journalists", *[f"j{i}@presse.example" for i in range(4)])
    first, second = [await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                            subject="La lettre", body="Bonjour.", actor="test",
                                            missing_language="other") for _ in range(2)]
    await send_campaign(first.id, SendOptions(), transport=Recorder())
    await campaigns.change_status(second.id, "start")
    tally = monitoring.LedgerTally()
    figures = await monitoring.read_figures(tally)
    assert (figures.deliveries["sent"], figures.deliveries["queued"]) == (4, 0)  # the second's audience: not built
    assert set(tally.ended) == {first.id}
    await send_campaign(second.id, SendOptions(), transport=Recorder())
    figures = await monitoring.read_figures(tally)
    assert figures.deliveries["sent"] == 8 and set(tally.ended) == {first.id, second.id}
    assert figures.campaigns["finished"] == 2 and figures.queue_depth == {"queued": 0, "sending": 0}


async def test_retries_failures_and_bounces_are_counted_from_the_ledger(http_client, tmp_path):
    await import_to(tmp_path, "journalists", "slow@presse.example", "gone@presse.example", "ok@presse.example")
    campaign = await campaigns.create(list_slugs=["journalists"], template="newsletter-communications",
                                      subject="La lettre", body="Bonjour.", actor="test", missing_language="other")
    with TestSmtpServer() as server:
        server.handler.defer["slow@presse.example"] = 2
        server.handler.refuse.add("gone@presse.example")
        await send_campaign(campaign.id, SendOptions(concurrency=2, retry_base=timedelta(milliseconds=50)),
                            settings=dataclasses.replace(get_settings(), smtp_url=server.url))
    ok = bounces.DeliveryRef(campaign.id, await contact_id("ok@presse.example"))
    await bounces.record_bounce(ok, BounceKind.SOFT, "4.2.2")
    await bounces.record_complaint(ok)
    async with http_client(with_metrics()) as client:
        samples = await scrape(client)
    assert samples[("contacts_messages_sent_total", ())] == 2
    assert samples[("contacts_messages_failed_total", ())] == 1
    assert samples[("contacts_messages_retried_total", ())] == 2
    assert samples[("contacts_messages_bounced_total", (("kind", "soft"),))] == 1
    assert samples[("contacts_messages_bounced_total", (("kind", "hard"),))] == 0
    assert samples[("contacts_messages_complained_total", ())] == 1
    # The 550 at RCPT suppressed the address, by the bounce channel; the complaint too, by its own.
    assert samples[("contacts_opt_outs_total", (("action", "suppressed"), ("channel", "bounce")))] == 1
    assert samples[("contacts_opt_outs_total", (("action", "suppressed"), ("channel", "complaint")))] == 1


async def test_a_one_click_post_counts_an_opt_out_of_its_channel(http_client, tmp_path):
    await import_to(tmp_path, "journalists", "zoe@presse.example", "hugo@presse.example")
    list_id = (await Subscription.select(Subscription.mailing_list).first())["mailing_list"]
    one_click = ("contacts_opt_outs_total", (("action", "unsubscribed"), ("channel", Channel.ONE_CLICK.value)))
    page = ("contacts_opt_outs_total", (("action", "unsubscribed"), ("channel", Channel.UNSUBSCRIBE_PAGE.value)))
    async with http_client(with_metrics()) as client:
        before = await scrape(client)
        zoe = seal(TokenAction.UNSUBSCRIBE, await contact_id("zoe@presse.example"), list_id)
        assert (await client.post(f"/u/{zoe}", data={"List-Unsubscribe": "One-Click"})).status_code == 200
        after_one_click = await scrape(client)
        hugo = seal(TokenAction.UNSUBSCRIBE, await contact_id("hugo@presse.example"), list_id)
        assert (await client.post(f"/u/{hugo}", data={})).status_code == 200
        after_page = await scrape(client)
    assert (before[one_click], after_one_click[one_click], after_page[one_click]) == (0, 1, 1)
    assert (before[page], after_one_click[page], after_page[page]) == (0, 0, 1)


async def test_no_label_holds_an_address_a_token_an_id_or_a_path(http_client, tmp_path):
    """Recipients' tokens are in their links' paths: after every kind of public token route, nothing of them,
    nor any address or contact id, is in the exposition; every label value is one of a fixed few words."""
    await import_to(tmp_path, "journalists", "zoe@presse.example")
    contact = await contact_id("zoe@presse.example")
    list_id = (await Subscription.select(Subscription.mailing_list).first())["mailing_list"]
    tokens = [seal(action, contact, list_id, 4242) for action in
              (TokenAction.UNSUBSCRIBE, TokenAction.OBJECT, TokenAction.PREFERENCES)]
    async with http_client(with_metrics()) as client:
        for token, prefix in zip(tokens, ("u", "o", "p"), strict=True):
            await client.get(f"/{prefix}/{token}")
        await client.post(f"/o/{tokens[1]}", data={})
        for path in ("/confirm/abcdefghij", "/l/abcdefghij", "/d/abcdefghij/export.json", "/v/abcdefghij",
                     "/r/abcdefghij", "/api/contacts/4242", "/staff/contacts/4242", "/zoe@presse.example",
                     "/media/4242.png", "/static/../x"):
            await client.get(path)
        await client.post("/u/" + tokens[0], data={"List-Unsubscribe": "One-Click"})
        text = (await client.get("/metrics", headers=AUTHORIZED)).text
    for secret in (*tokens, "zoe", "presse.example", "@", "4242", "abcdefghij", "/"):
        assert not re.search(rf'="[^"]*{re.escape(secret)}[^"]*"', text), secret
    values = set(re.findall(r'="([^"]*)"', text))
    assert values and all(re.fullmatch(r"[a-z0-9_]+|[A-Z]+|[0-9.]+|\+Inf", value) for value in values), values
    assert str(contact) not in {value for value in values if value.isdigit()} - {"1", "2", "5", "10", "30"}


async def test_the_last_retention_run_shows_when_it_ran_and_that_it_finished(http_client):
    now = datetime.now(UTC)
    async with http_client(with_metrics()) as client:
        before = await scrape(client)
        await daily.run_if_due(now)
        after = await scrape(client)
    assert ("contacts_retention_last_run_timestamp_seconds", ()) not in before
    assert after[("contacts_retention_last_run_timestamp_seconds", ())] == pytest.approx(now.timestamp(), abs=1)
    assert after[("contacts_retention_last_run_success", ())] == 1
    assert after[("contacts_retention_last_success_timestamp_seconds", ())] >= now.timestamp() - 1


@pytest.mark.skipif(ENGINE != "postgresql", reason="several server processes need PostgreSQL")
def test_two_server_processes_count_every_request_whichever_answers_the_scrape(cli_env, tmp_path):
    """`contacts serve --workers 2`: each scrape, answered by either process, counts both processes' requests,
    from a directory of its own that goes when the server stops."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**cli_env, "CONTACTS_METRICS_TOKEN": TOKEN, "TMPDIR": str(temporary)}
    with contacts_serve(env, tmp_path, "--workers", "2") as base_url:
        assert [path.name[:16] for path in temporary.iterdir()] == ["contacts-metrics"]
        first = samples_of(httpx.get(f"{base_url}/metrics", headers=AUTHORIZED))
        for _ in range(40):  # a new connection each: the two processes take them as they come
            assert httpx.get(f"{base_url}/health").status_code == 200
        seen = set()
        for _ in range(8):
            samples = samples_of(httpx.get(f"{base_url}/metrics", headers=AUTHORIZED))
            seen.add(requests_of(samples, "health") - requests_of(first, "health"))
            time.sleep(0.05)
        files = {path.name for path in next(temporary.iterdir()).iterdir()}
    assert seen == {40}, seen
    # Both processes answered some: each wrote its own file.
    assert len({name.rsplit("_", 1)[-1] for name in files if name.startswith("counter_")}) == 2, files
    assert list(temporary.iterdir()) == []


def test_the_metrics_token_is_read_and_checked():
    environ = {"CONTACTS_SECRET_KEY": "x" * 20, "CONTACTS_DATABASE_URL": "sqlite:///x.db"}
    assert load_settings(environ).metrics_token == ""
    assert load_settings({**environ, "CONTACTS_METRICS_TOKEN": f" {TOKEN} "}).metrics_token == TOKEN
    for bad in ("short", "has a space in it 0123", "é" * 20):
        with pytest.raises(ConfigurationError, match="CONTACTS_METRICS_TOKEN"):
            load_settings({**environ, "CONTACTS_METRICS_TOKEN": bad})
