"""The staff pages under /staff: server-side sessions, CSRF on every form, a rate limit on sign-in."""

from __future__ import annotations

import hashlib

from litestar import Router
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware.base import DefineMiddleware
from litestar.middleware.csrf import CSRFMiddleware

from contacts.errors import AuthenticationError, ContactsError
from contacts.settings import Settings
from contacts.web.rate_counts import RateCounts
from contacts.web.rate_limits import RateLimit, is_post_to
from contacts.web.staff.campaign_editor import CampaignEditorController
from contacts.web.staff.controllers import (
    CampaignPagesController,
    CaughtMailController,
    DashboardController,
    SignInController,
)
from contacts.web.staff.door import DoorPagesController
from contacts.web.staff.events import EventPagesController
from contacts.web.staff.imports import ImportPagesController
from contacts.web.staff.invitations import InvitationPagesController
from contacts.web.staff.media import MediaPagesController
from contacts.web.staff.pages import (
    SECURITY_HEADERS,
    SESSION_IDLE,
    crashed,
    provide_signed_in,
    refused,
    refused_by_litestar,
    signed_out,
)
from contacts.web.staff.records import (
    AuditPagesController,
    ContactPagesController,
    ListPagesController,
    RegisterPageController,
    SuppressionPagesController,
)
from contacts.web.staff.reports import ReportPagesController
from contacts.web.staff.rights import AfterDeathPagesController, RightsPagesController
from contacts.web.staff.scheduling import (
    CampaignReviewController,
    PurposePagesController,
)
from contacts.web.staff.sessions import StaffSessionConfig
from contacts.web.staff.windows import SendingWindowPagesController

SESSION_STORE = "staff_sessions"
LOGIN_ATTEMPTS_PER_MINUTE = 10
# Staff forms are text (a campaign's body at most): larger bodies are refused before they are read, the
# import upload excepted, which sets its own limit.
FORM_MAX_BODY = 1024 * 1024


def staff_router(settings: Settings, counts: RateCounts) -> Router:
    secure = settings.base_url.startswith("https://")
    sessions = StaffSessionConfig(store=SESSION_STORE, key="contacts_staff", path="/staff", httponly=True,
                                  samesite="strict", secure=secure, max_age=int(SESSION_IDLE.total_seconds()),
                                  renew_on_access=True)
    csrf = CSRFConfig(secret=hashlib.sha256(b"staff-csrf:" + settings.secret_key.encode()).hexdigest(),
                      cookie_name="contacts_csrf", cookie_path="/staff", cookie_httponly=True,
                      cookie_samesite="strict", cookie_secure=secure)
    # Sign-in attempts per client address: with argon2's cost, guessing passwords stays slow (REQ-24).
    login_limit = RateLimit("staff-login", LOGIN_ATTEMPTS_PER_MINUTE, counts, settings.trusted_proxies,
                            is_post_to("/staff/login"))
    handlers = [SignInController, DashboardController, CampaignPagesController, CampaignEditorController,
                CampaignReviewController, PurposePagesController,
                ContactPagesController,
                SuppressionPagesController, AuditPagesController, ImportPagesController, ListPagesController,
                EventPagesController, InvitationPagesController, DoorPagesController, MediaPagesController, RegisterPageController, RightsPagesController, AfterDeathPagesController,
                ReportPagesController, SendingWindowPagesController]
    if settings.mail_catcher:
        handlers.append(CaughtMailController)
    return Router(
        path="/", route_handlers=handlers, include_in_schema=False,
        middleware=[sessions.middleware, DefineMiddleware(CSRFMiddleware, config=csrf), login_limit],
        dependencies={"staff": Provide(provide_signed_in)}, response_headers=SECURITY_HEADERS,
        request_max_body_size=FORM_MAX_BODY,
        exception_handlers={AuthenticationError: signed_out, ContactsError: refused, HTTPException: refused_by_litestar,
                            Exception: crashed},
    )
