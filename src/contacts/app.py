"""create_app(): the ASGI application. Everything is registered by the plugin (the composition root)."""

from __future__ import annotations

from litestar import Litestar

from contacts.plugin import ContactsPlugin
from contacts.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> Litestar:
    # No logging_config: Litestar's default would replace the root handler with its own (contacts.logs is ours).
    return Litestar(plugins=[ContactsPlugin(settings or get_settings())], logging_config=None)
