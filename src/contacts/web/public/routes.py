"""The recipients' side as one router: its security headers and rate limits apply to every page, and a HEAD
request gets any page's headers without its body. Its errors are pages too (contacts.web.public.errors)."""

from __future__ import annotations

from litestar import MediaType, Router
from litestar.di import Provide
from litestar.openapi import ResponseSpec
from litestar.routes import HTTPRoute

from contacts.sending.browser_view import BrowserViews
from contacts.settings import Settings
from contacts.web.public.archive import ArchiveController
from contacts.web.public.clicks import ClickController
from contacts.web.public.export import ExportController
from contacts.web.public.objection import ObjectionController
from contacts.web.public.pages import (
    FORM_MAX_BODY,
    SECURITY_HEADERS,
    rate_limits,
    without_body_for_head,
)
from contacts.web.public.preferences import PreferencesController
from contacts.web.public.rights_form import RightsFormController
from contacts.web.public.rsvp import RsvpController
from contacts.web.public.signup import ConfirmController, SignupController
from contacts.web.public.unsubscribe import UnsubscribeController
from contacts.web.public.view import ViewController
from contacts.web.rate_counts import RateCounts

PAGES = (UnsubscribeController, ObjectionController, PreferencesController, ConfirmController, RsvpController,
         ExportController, ViewController, ArchiveController)

# The first segment of every recipient's page: /u/…, /o/…, /p/…, /v/…, /l/…, /confirm/…, /subscribe/…, /archive/….
PAGE_PREFIXES = tuple(controller.path for controller in (*PAGES, SignupController, RightsFormController,
                                                         ClickController))

# What any page may answer instead, always as a page (contacts.web.public.errors), never a JSON body.
PAGE_REFUSALS = {
    400: ResponseSpec(data_container=str, media_type=MediaType.HTML, generate_examples=False,
                      description="A page saying what is wrong: a link that is not ours or a form to correct"),
    404: ResponseSpec(data_container=str, media_type=MediaType.HTML, generate_examples=False,
                      description="A page saying that there is nothing here: no such list, or a file gone"),
    429: ResponseSpec(data_container=str, media_type=MediaType.HTML, generate_examples=False,
                      description="A page asking to wait, with Retry-After: too many requests from this address"),
}


def public_router(settings: Settings, counts: RateCounts) -> Router:
    """No CSRF middleware here, unlike the staff router: these pages keep no cookie, and the staff's session
    cookie is SameSite=Strict and scoped to /staff, so a POST from another site carries nobody's session to
    abuse. What a POST may do is decided by the sealed token in its URL (unsubscribe, objection, preferences,
    confirmation, answer); the two forms anyone may post (signup, a rights request) only ask, and the link
    mailed to the address decides."""
    every_page, signup_requests = rate_limits(settings, counts)
    browser_views = BrowserViews(settings)  # this app's cache of "view in your browser" pages
    # Signup requests send mail: their own, stricter limit, on top of every page's.
    signup = Router(path="/", route_handlers=[SignupController, RightsFormController], middleware=signup_requests)
    pages = Router(
        path="/",
        route_handlers=[*PAGES, signup],
        response_headers=SECURITY_HEADERS,
        middleware=[without_body_for_head, *every_page],
        include_in_schema=True,
        request_max_body_size=FORM_MAX_BODY,
        dependencies={"browser_views": Provide(lambda: browser_views, sync_to_thread=False)},
    )
    for route in pages.routes:  # A Litestar 2 router takes no `responses`: each page's handler gets them.
        assert isinstance(route, HTTPRoute)  # pages only
        for handler in route.route_handlers:
            handler.responses = {**PAGE_REFUSALS, **(handler.responses or {})}
    return pages
