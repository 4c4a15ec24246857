"""The recipients' side as one router: its security headers and rate limits apply to every page, and a HEAD
request gets any page's headers without its body. Its errors are pages too (contacts.web.public.errors)."""

from __future__ import annotations

from litestar import Router

from contacts.services.rate_counts import RateCounts
from contacts.settings import Settings
from contacts.web.public.export import ExportController
from contacts.web.public.objection import ObjectionController
from contacts.web.public.pages import FORM_MAX_BODY, SECURITY_HEADERS, rate_limits, without_body_for_head
from contacts.web.public.preferences import PreferencesController
from contacts.web.public.rights_form import RightsFormController
from contacts.web.public.rsvp import RsvpController
from contacts.web.public.signup import ConfirmController, SignupController
from contacts.web.public.unsubscribe import UnsubscribeController

PAGES = (UnsubscribeController, ObjectionController, PreferencesController, ConfirmController, RsvpController,
         ExportController)

# The first segment of every recipient's page: /u/…, /o/…, /p/…, /confirm/…, /subscribe/….
PAGE_PREFIXES = tuple(controller.path for controller in (*PAGES, SignupController, RightsFormController))


def public_router(settings: Settings, counts: RateCounts) -> Router:
    every_page, signup_requests = rate_limits(settings, counts)
    # Signup requests send mail: their own, stricter limit, on top of every page's.
    signup = Router(path="/", route_handlers=[SignupController, RightsFormController], middleware=signup_requests)
    return Router(
        path="/",
        route_handlers=[*PAGES, signup],
        response_headers=SECURITY_HEADERS,
        middleware=[without_body_for_head, *every_page],
        include_in_schema=True,
        request_max_body_size=FORM_MAX_BODY,
    )
