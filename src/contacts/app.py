"""create_app(): the ASGI application. Everything is registered by the plugin (the composition root)."""

from __future__ import annotations

from litestar import Litestar

from contacts.plugin import ContactsPlugin
from contacts.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    plugin = ContactsPlugin(settings or get_settings())
    # No logging_config: Litestar's default would replace the root handler with its own (contacts.logs is ours).
    app = Litestar(plugins=[plugin], logging_config=None)
    if plugin.request_metrics is not None:
        # Around everything, the router's own 404 and 405 included, which no Litestar middleware sees.
        app.asgi_handler = plugin.request_metrics.middleware(app.asgi_handler)
    return app
