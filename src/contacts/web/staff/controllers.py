"""Staff pages: sign-in, the dashboard, campaigns and the mail caught in development. Thin: each calls a
service and renders its answer."""

from __future__ import annotations

import re
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from typing import cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from contacts import devmail
from contacts.domain import Permission
from contacts.errors import AuthenticationError, ConflictError, ValidationError
from contacts.i18n import N_, PARIS
from contacts.sending import desk as sending_desk
from contacts.services import dashboard
from contacts.services.campaigns import (
    archive,
    campaign_operations,
    schedule_operations,
    sending_window,
)
from contacts.services.campaigns import report as reports
from contacts.services.staff import accounts as staff_service
from contacts.services.staff.accounts import Staff
from contacts.settings import Settings
from contacts.text_input import row_id
from contacts.web.api.schemas import PageNumber, RowId
from contacts.web.staff.campaign_editor import (
    FRAMING_POLICY,
    PREVIEW_POLICY,
    WIDTHS,
    content_fields,
)
from contacts.web.staff.pages import language_cookie, render, said, sign_in
from contacts.web.staff.reports import report_context, side_by_side

Form = URLEncodedBody[dict[str, str]]
TEMPLATES = ("newsletter-communications", "newsletter-mediation", "invitation")
CAUGHT_SHOWN = 200


def _safe_next(target: str) -> str:
    """Only a path of our own staff pages: never an open redirect."""
    return target if target.startswith("/staff") and not target.startswith("//") else "/staff/"


class SignInController(Controller):
    path = "/staff"

    @get("/login", name="staff-login")
    async def login_page(self, request: Request, next: FromQuery[str] = "/staff/") -> Template:
        return render(request, "login.html", None, next=_safe_next(next), error="", username="")

    @post("/login", status_code=303)
    async def login(self, request: Request, data: Form) -> Response:
        target = _safe_next(data.get("next", "/staff/"))
        try:
            account = await staff_service.authenticate(data.get("username", ""), data.get("password", ""))
        except AuthenticationError:
            # What was typed stays in the form (never the password), whether or not the name exists.
            return render(request, "login.html", None, status_code=401, next=target,
                          error=N_("Wrong username or password."),
                          username=data.get("username", ""))
        sign_in(request, account)
        return Redirect(target, status_code=303, cookies=[language_cookie(account.language)])

    @post("/logout", status_code=303)
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/staff/login?notice=signed-out", status_code=303, cookies=[language_cookie(None)])


class DashboardController(Controller):
    path = "/staff"

    @get("/")
    async def dashboard(self, request: Request, staff: NamedDependency[Staff]) -> Template:
        # The events' pages, where this app serves them, head the event team's dashboard.
        events_page = any(route.path.startswith("/staff/events") for route in request.app.routes)
        last = await reports.last_campaigns(staff)
        return render(request, "dashboard.html", staff, overview=await dashboard.overview(staff),
                      events_page=events_page, last_campaigns=last, side_by_side=side_by_side(last, staff.language))

    @post("/language", status_code=303)
    async def language(self, request: Request, staff: NamedDependency[Staff], data: Form) -> Redirect:
        """The signed-in account's pages in French or English from now on; back to the page it came from."""
        account = await staff_service.set_language(staff, data.get("language", ""))
        request.set_session({**(request.session or {}), "lang": account.language})
        return Redirect(_safe_next(data.get("next", "/staff/")), status_code=303,
                        cookies=[language_cookie(account.language)])


class CampaignPagesController(Controller):
    path = "/staff/campaigns"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff], page: PageNumber = 1) -> Template:
        found = await campaign_operations.page(staff, page, 50)
        return render(request, "campaigns.html", staff, campaigns=found.items, total=found.total, page=page,
                      lists=await campaign_operations.lists(staff), templates=TEMPLATES, error="", values={})

    @post("/", status_code=303)
    async def create(self, request: Request, staff: NamedDependency[Staff]) -> Response:
        form = await request.form()
        content = content_fields(form)
        try:
            campaign = await campaign_operations.create(
                staff, list_slugs=form.getall("lists", []), template=form.get("template", ""),
                content={name: value for name, value in content.items() if name != "missing_language"},
                missing_language=content["missing_language"], purpose_code=form.get("purpose") or None,
                greeting=form.get("greeting") or "none", archive=form.get("archive") == "on")
        except ValidationError as error:
            found = await campaign_operations.page(staff, 1, 50)
            return render(request, "campaigns.html", staff, status_code=400, campaigns=found.items, total=found.total,
                          page=1, lists=await campaign_operations.lists(staff), templates=TEMPLATES, error=said(error, staff),
                          values={"lists": form.getall("lists", []), **content,
                                  **{k: form.get(k, "") for k in ("template", "purpose", "greeting", "archive")}})
        return Redirect(f"/staff/campaigns/{campaign.id}?notice=created", status_code=303)

    @get("/{campaign_id:int}")
    async def show(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId) -> Template:
        return await campaign_page(request, staff, campaign_id)

    @post("/{campaign_id:int}/test", status_code=303)
    async def test(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId,
                   data: Form) -> Response:
        try:
            await sending_desk.send_test(staff, campaign_id, data.get("to", ""))
        except ValidationError as error:
            return await campaign_page(request, staff, campaign_id, 400, said(error, staff))
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=test-sent", status_code=303)

    @post("/{campaign_id:int}/send", status_code=303)
    async def send(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId,
                   data: Form) -> Response:
        """A draft starts only from its confirmation page, whose form repeats the count it showed: without
        it, the browser is sent there; with a count no longer true, the page comes back with the new one."""
        campaign = await campaign_operations.campaign_for(staff, campaign_id)
        raw = data.get("expected_count", "")
        expected = 0 if raw == "0" else row_id(raw)  # the count the confirmation page showed
        if campaign.status == "draft" and expected is None:
            return Redirect(f"/staff/campaigns/{campaign_id}/confirm", status_code=303)
        try:
            await sending_desk.start(staff, campaign_id, expected if campaign.status == "draft" else None)
        except (ConflictError, ValidationError) as error:
            campaign, found = await campaign_operations.audience(staff, campaign_id)
            return render(request, "campaign_confirm.html", staff, status_code=409 if isinstance(
                error, ConflictError) else 400, campaign=campaign, audience=found, error=said(error, staff))
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=sending", status_code=303)

    @post("/{campaign_id:int}/pause", status_code=303)
    async def pause(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await campaign_operations.change_status(staff, campaign_id, "pause")
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=paused", status_code=303)

    @post("/{campaign_id:int}/cancel", status_code=303)
    async def cancel(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await campaign_operations.change_status(staff, campaign_id, "cancel")
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=cancelled", status_code=303)

    @post("/{campaign_id:int}/withdraw-from-archive", status_code=303)
    async def withdraw_from_archive(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await archive.withdraw_as(staff, campaign_id)
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=withdrawn-from-archive", status_code=303)


class CaughtMailController(Controller):
    """Registered only when the development mail catcher runs."""

    path = "/staff/mail"

    @get("/")
    async def index(self, request: Request, staff: NamedDependency[Staff],
                    settings: NamedDependency[Settings]) -> Template:
        staff.require(Permission.READ_CAUGHT_MAIL)
        return render(request, "mail.html", staff, messages=devmail.caught(settings.mail_catcher_dir, CAUGHT_SHOWN))

    @get("/{mail_id:str}")
    async def show(self, request: Request, staff: NamedDependency[Staff], mail_id: FromPath[str],
                   settings: NamedDependency[Settings]) -> Template:
        staff.require(Permission.READ_CAUGHT_MAIL)
        content = devmail.raw_message(settings.mail_catcher_dir, mail_id)
        if content is None:
            raise NotFoundException(f"no caught mail {mail_id!r}")
        message = message_from_bytes(content, policy=policy.default)
        text, html = message.get_body(("plain",)), message.get_body(("html",))
        page = render(request, "mail_message.html", staff, mail_id=mail_id, headers=list(message.items()),
                      text=text.get_content() if text else "", has_html=html is not None, widths=WIDTHS)
        page.headers["Content-Security-Policy"] = FRAMING_POLICY  # the HTML part is in a frame from here
        return page

    @get("/{mail_id:str}/html")
    async def html_part(self, staff: NamedDependency[Staff], mail_id: FromPath[str],
                        settings: NamedDependency[Settings]) -> Response[str]:
        """A caught message's HTML part alone, for the sandboxed frame of its page: as strict as a preview's."""
        staff.require(Permission.READ_CAUGHT_MAIL)
        content = devmail.raw_message(settings.mail_catcher_dir, mail_id)
        html = message_from_bytes(content, policy=policy.default).get_body(("html",)) if content else None
        if html is None:
            raise NotFoundException(f"no caught mail {mail_id!r} with an HTML part")
        return Response(cast(EmailMessage, html).get_content(), media_type="text/html",
                        headers={"Content-Security-Policy": PREVIEW_POLICY})


async def campaign_page(request: Request, staff: Staff, campaign_id: int, status_code: int = 200,
                        error: str = "") -> Template:
    """A campaign's page: its state, approval, schedule and timeline, its deliveries, actions and preview."""
    campaign, progress = await campaign_operations.progress(staff, campaign_id)
    message = message_from_bytes(await sending_desk.preview(staff, campaign_id, None), policy=policy.default)
    return render(request, "campaign.html", staff, status_code=status_code, campaign=campaign, progress=progress,
                  error=error, preview=_preview(message), review=await schedule_operations.review(staff, campaign),
                  scheduled_value=_local_value(campaign.scheduled_at), resumes=sending_window.resumes_at(campaign),
                  **report_context(await reports.report(campaign), staff.language))


def _local_value(moment: datetime | None) -> str:
    """A moment as a datetime-local field's value, in Paris time: 2026-12-10T09:30."""
    return moment.astimezone(PARIS).strftime("%Y-%m-%dT%H:%M") if moment else ""


def _preview(message: Message) -> dict[str, str]:
    """The preview's text part, and its language (its HTML part's `<html lang>`) for the page's `lang`."""
    text, page = (part.get_content() for part in _parts(message)[:2])
    found = re.search(r'<html[^>]*\blang="([a-z]{2})"', page)
    return {"text": text, "lang": found.group(1) if found else ""}


def _parts(message: Message) -> list[EmailMessage]:
    """A campaign preview's text and HTML parts: multipart/alternative, read with policy.default."""
    return cast(list[EmailMessage], message.get_payload())
