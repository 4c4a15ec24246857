"""OPTIONS answers the methods its path serves, all of them.

Litestar 2 makes a path's default OPTIONS handler together with the route of the first handler registered on
it, and that handler keeps answering that route's methods after later handlers on the same path (a GET and a
POST on /api/campaigns) have made a new route: `Allow: OPTIONS, POST` for a path that also serves GET
(litestar-org/litestar#4169, fixed in Litestar 3 only). Each route, once complete, gets the default handler's
answer made from its own methods.
"""

from __future__ import annotations

from litestar.plugins import ReceiveRoutePlugin
from litestar.routes import BaseRoute, HTTPRoute

DEFAULT_OPTIONS_HANDLER = "options_handler"  # the name of Litestar's own function, not of an OPTIONS route of ours


class AllowedMethodsPlugin(ReceiveRoutePlugin):
    def receive_route(self, route: BaseRoute) -> None:
        if not isinstance(route, HTTPRoute) or "OPTIONS" not in route.route_handler_map:
            return
        handler, _ = route.route_handler_map["OPTIONS"]
        if handler.fn.__name__ == DEFAULT_OPTIONS_HANDLER:
            # The same function, signature and response, closed over this route instead of the one it replaced.
            handler._fn = route.create_options_handler(route.path).fn  # noqa: SLF001
