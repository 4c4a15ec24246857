"""The staff JSON API under /api: every route needs a personal API token."""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import ResponseHeader
from litestar.di import Provide

from contacts.web.api.auth import SECURITY, provide_staff, require_token
from contacts.web.api.campaigns import CampaignsController, ListsController
from contacts.web.api.door import DoorController
from contacts.web.api.events import EventsController
from contacts.web.api.invitations import InvitationListsController
from contacts.web.api.media import MediaController
from contacts.web.api.records import (
    AuditController,
    ContactsController,
    SuppressionController,
)
from contacts.web.api.reports import CampaignReportController, TrendsController


def api_router() -> Router:
    return Router(path="/", route_handlers=[ListsController, CampaignsController, ContactsController, SuppressionController,
                                                  AuditController, EventsController, InvitationListsController, DoorController,
                                                  MediaController,
                                                  CampaignReportController, TrendsController],
                  guards=[require_token], dependencies={"staff": Provide(provide_staff)}, security=SECURITY,
                  response_headers=[ResponseHeader(name="Cache-Control", value="no-store"),
                                    ResponseHeader(name="X-Content-Type-Options", value="nosniff")])
