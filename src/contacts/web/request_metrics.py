"""Requests counted and timed by route family, method and status class: an ASGI middleware around the whole
app, so that a path no route matches (a scanner's probe) counts too.

Labels come from fixed sets only. The family is looked up from the path's first segment among the app's own
prefixes (unknown: "other"): recipients' links carry their tokens further down the path, and no label ever
holds a path, a token or an id.

With several server processes (`contacts serve --workers N`), prometheus-client's multiprocess mode adds up
every process's counts: `contacts serve` sets PROMETHEUS_MULTIPROC_DIR before the workers start.
"""

from __future__ import annotations

import os
import time

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Histogram

# The first path segment of each route family (contacts.web.public.routes.PAGE_PREFIXES and the routers).
FAMILIES = {
    "u": "public_optout", "o": "public_optout", "p": "public_optout",
    "subscribe": "public_pages", "confirm": "public_pages", "rights": "public_pages", "r": "public_pages",
    "d": "public_pages", "v": "public_pages", "archive": "public_pages",
    "l": "click",
    "staff": "staff",
    "api": "api",
    "static": "static", "media": "static",
    "health": "health",
    "metrics": "metrics",
    "schema": "schema",
    "dev": "dev_mail",
}
OTHER = "other"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Seconds: a page answers in milliseconds; a staff export or a slow database shows in the upper buckets.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def family_of(path: str) -> str:
    first = path[1:].partition("/")[0] if path.startswith("/") else ""
    return FAMILIES.get(first, OTHER)


def in_multiprocess_mode() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class RequestMetrics:
    """This app's request counters. In multiprocess mode they are written to the shared directory (their
    registry is then none: the exposition reads the directory); otherwise they live in `registry`."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = None if in_multiprocess_mode() else self.registry
        labels = ("family", "method", "status")
        self.requests = Counter("contacts_http_requests", "HTTP requests answered, by route family, method and "
                                "status class", labels, registry=registry)
        self.latency = Histogram("contacts_http_request_duration_seconds", "Time from a request's arrival to the "
                                 "end of its answer, by route family, method and status class", labels,
                                 buckets=BUCKETS, registry=registry)

    def observe(self, family: str, method: str, status: int, seconds: float) -> None:
        labels = (family, method if method in METHODS else OTHER, f"{status // 100}xx" if 100 <= status < 600
                  else OTHER)
        self.requests.labels(*labels).inc()
        self.latency.labels(*labels).observe(seconds)

    def middleware(self, app: ASGIApp) -> ASGIApp:
        async def measured(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != ScopeType.HTTP:
                await app(scope, receive, send)
                return
            method = scope["method"]
            started = time.perf_counter()
            status = 500  # what the client gets when the app fails before answering (the server answers it)

            async def sending(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, sending)
            finally:
                self.observe(family_of(scope["path"]), method, status, time.perf_counter() - started)

        return measured
