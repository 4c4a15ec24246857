"""Staff pages: approving a campaign, scheduling it, taking it back to draft (REQ-53), and which purposes'
campaigns need approval. Thin: each calls services.campaigns.schedule_operations."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template

from contacts.domain import Permission
from contacts.errors import ConflictError, ValidationError
from contacts.services import catalogue
from contacts.services.campaigns import schedule_operations
from contacts.services.staff.accounts import Staff
from contacts.settings import get_settings
from contacts.web.api.schemas import RowId
from contacts.web.staff.controllers import campaign_page
from contacts.web.staff.pages import render, said

Form = URLEncodedBody[dict[str, str]]


class CampaignReviewController(Controller):
    path = "/staff/campaigns"

    @post("/{campaign_id:int}/approve", status_code=303)
    async def approve(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await schedule_operations.approve(staff, campaign_id)
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=approved", status_code=303)

    @post("/{campaign_id:int}/schedule", status_code=303)
    async def schedule(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId,
                       data: Form) -> Response:
        """From the campaign's page (a scheduled one, moved) or its confirmation page, which shows the audience."""
        try:
            await schedule_operations.schedule(staff, campaign_id, data.get("at", ""))
        except (ValidationError, ConflictError) as error:
            return await campaign_page(request, staff, campaign_id, 400 if isinstance(error, ValidationError) else 409,
                                       said(error, staff))
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=scheduled", status_code=303)

    @post("/{campaign_id:int}/unschedule", status_code=303)
    async def unschedule(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await schedule_operations.unschedule(staff, campaign_id)
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=unscheduled", status_code=303)


class PurposePagesController(Controller):
    path = "/staff/purposes"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        staff.require(Permission.VIEW)
        purposes = [purpose for purpose in await catalogue.purposes() if staff.empowered_for(purpose)]
        return render(request, "purposes.html", staff, purposes=purposes,
                      approval_everywhere=get_settings().approval_required)

    @post("/{code:str}/approval", status_code=303)
    async def approval(self, staff: NamedDependency[Staff], code: FromPath[str], data: Form) -> Redirect:
        await schedule_operations.set_purpose_approval(staff, code, data.get("approval") == "required")
        return Redirect("/staff/purposes/?notice=purpose-approval", status_code=303)
