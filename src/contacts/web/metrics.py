"""GET /metrics in Prometheus's text format, for an operator's scraper: closed unless CONTACTS_METRICS_TOKEN is
set (the route then does not exist: 404), and answered only to `Authorization: Bearer <that token>` (else 401).
Outside the OpenAPI schema, the public pages' rate limits, sessions and CSRF.

Two kinds of figures: this server's requests (request_metrics.py, added up over its processes), and the mail
and consent figures every process and machine shares, read from the database at scrape time
(contacts.services.monitoring) by a custom collector.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable, Mapping
from typing import Any

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    Metric,
)
from prometheus_client.multiprocess import MultiProcessCollector

from contacts.errors import AuthenticationError
from contacts.services.monitoring import Figures, FiguresCache
from contacts.web.request_metrics import RequestMetrics, in_multiprocess_mode

# Scrapes within this many seconds of a database read share it.
FRESH_FOR_SECONDS = 5.0
# The text format every Prometheus reads (Litestar adds the charset, UTF-8).
MEDIA_TYPE = "text/plain; version=0.0.4"


class FiguresCollector:
    """The database's figures as Prometheus metrics; read before the exposition, which is synchronous."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures

    def collect(self) -> Iterable[Metric]:
        f = self.figures
        yield _counter("contacts_messages_sent", "Messages the SMTP relay accepted", f.deliveries["sent"])
        yield _counter("contacts_messages_failed", "Messages that failed for good (a permanent refusal, or "
                       "temporary failures past the retry window)", f.deliveries["failed"])
        yield _counter("contacts_messages_retried", "Temporary failures that put a message back in the queue for "
                       "another attempt", f.retries)
        yield _counter("contacts_messages_skipped", "Recipients of a campaign who got no message (unsubscribed, "
                       "suppressed, restricted… when it was their turn)", f.deliveries["skipped"])
        yield _labelled(CounterMetricFamily, "contacts_messages_bounced", "Messages a delivery-status report said "
                        "bounced, by kind (hard: 5.x.x; soft: 4.x.x)", ["kind"],
                        f.bounces)
        yield _counter("contacts_messages_complained", "Messages a recipient reported as spam (ARF)", f.complaints)
        yield _labelled(CounterMetricFamily, "contacts_opt_outs", "Opt-outs in the consent ledger, by channel and "
                        "action (unsubscribed, objected, suppressed)", ["channel", "action"], f.opt_outs)
        yield _labelled(GaugeMetricFamily, "contacts_delivery_queue_depth", "Messages of running and scheduled "
                        "campaigns not yet handed to the relay: queued, or sending (claimed, in flight)", ["state"],
                        f.queue_depth)
        yield GaugeMetricFamily("contacts_delivery_queue_oldest_age_seconds", "How long the queued message that "
                                "came due first has waited since (0: none waiting)", value=f.oldest_queued_seconds)
        yield _labelled(GaugeMetricFamily, "contacts_campaigns", "Campaigns by state", ["state"],
                        f.campaigns)
        yield from self._retention()

    def _retention(self) -> Iterable[Metric]:
        last, success = self.figures.last_retention, self.figures.last_retention_success
        if last is not None:
            yield GaugeMetricFamily("contacts_retention_last_run_timestamp_seconds", "When the last daily retention "
                                    "run started (Unix time)", value=last.started_at.timestamp())
            yield GaugeMetricFamily("contacts_retention_last_run_success", "1 if the last daily retention run "
                                    "finished, 0 if it failed, was stopped or still runs",
                                    value=int(last.finished_at is not None))
        if success is not None:
            yield GaugeMetricFamily("contacts_retention_last_success_timestamp_seconds", "When the last daily "
                                    "retention run that finished ended (Unix time)", value=success.timestamp())


def _counter(name: str, documentation: str, value: int) -> CounterMetricFamily:
    return CounterMetricFamily(name, documentation, value=value)


def _labelled(family: type[CounterMetricFamily | GaugeMetricFamily], name: str, documentation: str,
              labels: list[str], counts: Mapping[Any, int]) -> Metric:
    """A metric with a sample per label value (or tuple of values, one per label), in their order."""
    metric = family(name, documentation, labels=labels)
    for values, count in sorted(counts.items()):
        metric.add_metric(list(values) if isinstance(values, tuple) else [values], count)
    return metric


def metrics_route(token: str, requests: RequestMetrics) -> HTTPRouteHandler:
    """The route, for a server whose CONTACTS_METRICS_TOKEN is `token`."""
    expected = f"Bearer {token}".encode()
    cache = FiguresCache(FRESH_FOR_SECONDS)

    @get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response[bytes]:
        # Compared in constant time, whatever the header holds: a wrong token takes as long as the right one.
        given = request.headers.get("authorization", "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, expected):
            raise AuthenticationError("send the metrics token: Authorization: Bearer <CONTACTS_METRICS_TOKEN>")
        registry = CollectorRegistry(auto_describe=False)
        if in_multiprocess_mode():
            MultiProcessCollector(registry)  # every server process's request counts, added up
        else:
            registry.register(_Registered(requests.registry))
        registry.register(FiguresCollector(await cache.get()))
        return Response(generate_latest(registry), media_type=MEDIA_TYPE,
                        headers={"Cache-Control": "no-store"})

    return metrics


class _Registered:
    """Another registry's metrics, as one collector of this one."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()
