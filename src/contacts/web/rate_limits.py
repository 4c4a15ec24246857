"""Rate limits per client (REQ-24, REQ-25): who the client is, and the middleware that counts its requests.

The client is the address the request comes from. Only when that address is one of CONTACTS_TRUSTED_PROXIES
is X-Forwarded-For believed, and then only as far as the proxies wrote it: reading from the right, the first
address that is not a trusted proxy's is the client (what a client sends itself sits further left, and is
never read). An IPv6 client counts by its /64 network, which one subscriber usually holds whole.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from litestar.enums import ScopeType
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from contacts.web.rate_counts import WINDOW_SECONDS, RateCounts

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(scope: Scope, trusted_proxies: tuple[Network, ...]) -> str:
    peer = scope.get("client")
    address = peer[0] if peer else ""
    if trusted_proxies and _is_trusted(address, trusted_proxies):
        forwarded = [item.strip() for name, value in scope.get("headers", ()) if name.lower() == b"x-forwarded-for"
                     for item in value.decode("latin-1").split(",") if item.strip()]
        for hop in reversed(forwarded):
            address = hop
            if not _is_trusted(hop, trusted_proxies):
                break
    return _counted_as(address)


def _is_trusted(address: str, trusted_proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # an IPv4 peer as a dual-stack socket reports it
    return any(ip in network for network in trusted_proxies)


def _counted_as(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:60] or "unknown"  # a proxy that writes no address: counted under what it wrote
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class RateLimit(ASGIMiddleware):
    """At most `per_minute` requests per client in each clock minute, for the requests `applies` picks
    (all by default); past it, a 429 that says when the minute ends. `name` keeps limits apart."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, name: str, per_minute: int, counts: RateCounts, trusted_proxies: tuple[str, ...],
                 applies: Callable[[Scope], bool] | None = None) -> None:
        self.name, self.per_minute, self.counts, self.applies = name, per_minute, counts, applies
        self.trusted_proxies = tuple(ipaddress.ip_network(network) for network in trusted_proxies)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if self.applies is None or self.applies(scope):
            hits, reset = await self.counts.hit(self.name, client_address(scope, self.trusted_proxies))
            if hits > self.per_minute:
                raise TooManyRequestsException(headers={
                    "RateLimit-Policy": f"{self.per_minute}; w={WINDOW_SECONDS}",
                    "RateLimit-Limit": str(self.per_minute), "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset), "Retry-After": str(reset)})
        await next_app(scope, receive, send)


def is_post_to(path: str | None = None) -> Callable[[Scope], bool]:
    """For `applies`: POST requests (to this path only, when one is given)."""
    return lambda scope: scope.get("method") == "POST" and (path is None or scope["path"] == path)
