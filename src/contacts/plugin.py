"""The composition root: routes, lifespan, error mapping and OpenAPI, registered in one place. Only
`contacts serve` and the tests import it (through contacts.app): the other commands start without the web."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from jinja2 import StrictUndefined
from litestar import Litestar
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.openapi.config import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from contacts.db.engine import connected
from contacts.devmail import mail_catcher
from contacts.sending.draining import background_sender
from contacts.sending.scheduled import starting_scheduled
from contacts.services.campaigns.clicks import running_counter
from contacts.services.optout.writer import running_writer
from contacts.services.retention.daily import daily_retention
from contacts.services.staff.sessions import DatabaseSessionStore
from contacts.settings import Settings
from contacts.web.allowed_methods import AllowedMethodsPlugin
from contacts.web.api.auth import SECURITY_COMPONENTS
from contacts.web.api.routes import api_router
from contacts.web.devmail import DevMailController
from contacts.web.errors import EXCEPTION_HANDLERS
from contacts.web.health import health
from contacts.web.input_checks import bad_input_refuser
from contacts.web.localised_pages import LocalisedJinjaEngine
from contacts.web.media import media_file
from contacts.web.public.clicks import click_router
from contacts.web.public.routes import PAGE_PREFIXES, public_router
from contacts.web.rate_counts import rate_counts_for
from contacts.web.staff.routes import SESSION_STORE, staff_router


class ContactsPlugin(InitPluginProtocol):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.request_metrics = _request_metrics(settings)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        # One count per app: the public pages' limits and the staff sign-in's share its memory or its table.
        counts = rate_counts_for(self.settings)
        app_config.route_handlers.extend([health, media_file, public_router(self.settings, counts), click_router(),
                                          api_router(), staff_router(self.settings, counts), self._static_files()])
        # Litestar's config takes a registry too; this app never passes one (create_app gives no stores).
        app_config.stores = {**(app_config.stores or {}), SESSION_STORE: DatabaseSessionStore()}  # type: ignore[dict-item]
        app_config.template_config = self._templates()
        if self.settings.mail_catcher:
            app_config.route_handlers.append(DevMailController)
        if self.request_metrics is not None:  # GET /metrics exists only with CONTACTS_METRICS_TOKEN
            # prometheus-client: imported when used
            from contacts.web.metrics import metrics_route

            app_config.route_handlers.append(metrics_route(self.settings.metrics_token, self.request_metrics))
        app_config.exception_handlers.update(EXCEPTION_HANDLERS)
        app_config.plugins.append(AllowedMethodsPlugin())
        # Outermost: before sessions, CSRF and rate limits.
        app_config.middleware.insert(0, bad_input_refuser(PAGE_PREFIXES))
        app_config.lifespan.append(self.lifespan)
        app_config.dependencies["settings"] = Provide(self._settings, sync_to_thread=False)
        app_config.openapi_config = OpenAPIConfig(
            title="contacts",
            version="0.1.0",
            description="Consent-first contact lists and communication preferences.",
            path="/schema",
            components=SECURITY_COMPONENTS,
        )
        return app_config

    def _templates(self) -> TemplateConfig:
        def configure(engine: LocalisedJinjaEngine) -> None:
            engine.engine.undefined = StrictUndefined
            engine.engine.globals["organisation"] = self.settings.organisation
            # Checking every template file's mtime on every page costs a stat call per render.
            engine.engine.auto_reload = not self.settings.is_production

        return TemplateConfig(directory=self.settings.templates_dir / "web", engine=LocalisedJinjaEngine,
                              engine_callback=configure)

    def _static_files(self):
        return create_static_files_router(path="/static", directories=[self.settings.templates_dir / "web" / "static"],
                                          include_in_schema=False)

    def _settings(self) -> Settings:
        return self.settings

    @contextlib.asynccontextmanager
    async def lifespan(self, app: Litestar) -> AsyncIterator[None]:
        async with connected(), contextlib.AsyncExitStack() as stack:
            if self.settings.mail_catcher:
                await stack.enter_async_context(mail_catcher(self.settings))
            await stack.enter_async_context(running_writer())
            await stack.enter_async_context(running_counter(self.settings))
            if self.settings.serve_sends:
                await stack.enter_async_context(background_sender())  # starts the scheduled campaigns too
            else:  # a worker sends them; whichever of the two runs starts them on time
                await stack.enter_async_context(starting_scheduled())
            if self.settings.retention_daily:
                await stack.enter_async_context(daily_retention())
            stack.enter_context(frozen_heap())
            yield


def _request_metrics(settings: Settings):
    """The request counters of an app whose metrics are open; none otherwise, which costs no request anything."""
    if not settings.metrics_token:
        return None
    # prometheus-client: imported when used
    from contacts.web.request_metrics import RequestMetrics

    return RequestMetrics()


@contextlib.contextmanager
def frozen_heap():
    """Keep the objects that exist once the app has started out of the cyclic garbage collector's full
    passes. They are about 100,000 (routes, templates, libraries), which every full pass walked: under
    a burst of one-click unsubscribes that was a 70 ms pause each second, all of the p99. Only pointers
    move, so it costs nothing; on shutdown the objects go back, and a test that starts many apps frees them."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
