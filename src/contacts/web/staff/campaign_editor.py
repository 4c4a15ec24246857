"""The staff's campaign editor: a draft's two language versions, with a preview of the HTML beside the
text, at desktop and phone width, as a member of the audience or as a sample; and the confirmation
that repeats the audience count before a draft starts.

Without JavaScript, the Preview button posts the form and the page comes back with the preview of what
was typed (not saved: the edits wait in the server-side session, where the framed preview reads them).
Where JavaScript runs, /static/campaign-editor.js posts the same form as staff type and reloads the frames.
The HTML is shown only in a sandboxed frame whose answer has its own Content-Security-Policy: no script,
no request anywhere but images, nothing shared with the staff pages.
"""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any, cast

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from contacts.errors import ContactsError, ValidationError
from contacts.sending import desk as sending_desk
from contacts.services.campaigns import campaign_operations
from contacts.services.campaigns.content import CONTENT_FIELDS, columns_of
from contacts.services.staff.accounts import Staff
from contacts.web.api.schemas import RowId
from contacts.web.public.pages import SECURITY_HEADERS
from contacts.web.staff.pages import render, said

# The HTML preview, framed: its own styles and https images only, no script, no form, no link followed.
PREVIEW_POLICY = ("default-src 'none'; img-src https: data:; style-src 'unsafe-inline'; "
                  "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox")
# The editor page itself: the staff pages' policy, with its script, its posts and its frames from here.
_BASE_POLICY = next(header.value for header in SECURITY_HEADERS if header.name == "Content-Security-Policy") or ""
FRAMING_POLICY = _BASE_POLICY + "; frame-src 'self'"  # a page that frames a message (caught mail)
EDITOR_POLICY = FRAMING_POLICY + "; script-src 'self'; connect-src 'self'"
EDITS_KEY = "campaign_edits"  # in the session: {"campaign": id, "fields": {...}}
WIDTHS = {"desktop": 640, "phone": 390}


def content_fields(form: Any) -> dict[str, str]:
    """The content fields of a staff form; `subject` and `body` are the French ones (older forms)."""
    fields = {name: str(form.get(name)) for name in CONTENT_FIELDS if form.get(name) is not None}
    for old in ("subject", "body"):
        if form.get(old) is not None and f"{old}_fr" not in fields:
            fields[f"{old}_fr"] = str(form.get(old))
    fields["missing_language"] = str(form.get("missing_language", ""))
    if form.get("greeting") is not None:
        fields["greeting"] = str(form.get("greeting"))
    return fields


def editor_page(request: Request, template: str, staff: Staff, status_code: int = 200, **context: Any) -> Template:
    page = render(request, template, staff, status_code=status_code, **context)
    page.headers["Content-Security-Policy"] = EDITOR_POLICY
    return page


class CampaignEditorController(Controller):
    path = "/staff/campaigns"

    @get("/{campaign_id:int}/edit")
    async def edit_page(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId,
                        lang: FromQuery[str] = "fr", to: FromQuery[str] = "") -> Template:
        campaign = await campaign_operations.campaign_for(staff, campaign_id)
        values = {**columns_of(campaign.contents), "missing_language": campaign.missing_language or "",
                  "greeting": campaign.greeting.value, "archive": "on" if campaign.archive else ""}
        request.session.pop(EDITS_KEY, None)
        return await self._page(request, staff, campaign_id, values, lang, to, edits=False)

    @post("/{campaign_id:int}/edit", status_code=303)
    async def edit(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId) -> Response:
        form = await request.form()
        values = content_fields(form)
        values["archive"] = "on" if form.get("archive") == "on" else ""
        lang, to = str(form.get("lang", "fr")), str(form.get("to", "")).strip()
        if form.get("action") == "preview":
            request.session[EDITS_KEY] = {"campaign": campaign_id, "fields": values}
            return await self._page(request, staff, campaign_id, values, lang, to, edits=True)
        try:
            await campaign_operations.edit(staff, campaign_id, {**values, "archive": bool(values["archive"])})
        except ValidationError as error:
            return await self._page(request, staff, campaign_id, values, lang, to, edits=False, error=said(error, staff))
        request.session.pop(EDITS_KEY, None)
        return Redirect(f"/staff/campaigns/{campaign_id}?notice=edited", status_code=303)

    @post("/{campaign_id:int}/preview", status_code=200)
    async def live_preview(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId) -> dict:
        """The editor's script: keeps what is typed for the framed preview; answers the text part."""
        form = await request.form()
        values = content_fields(form)
        to = str(form.get("to", "")).strip() or None
        try:
            message, found = await sending_desk.preview_draft(staff, campaign_id, to, str(form.get("lang", "fr")),
                                                              values)
        except ValidationError as error:
            return {"error": said(error, staff)}
        request.session[EDITS_KEY] = {"campaign": campaign_id, "fields": values}
        return {"error": "", "text": _parts(message)[0].get_content(), "found": found}

    @get("/{campaign_id:int}/preview.html")
    async def preview_html(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId,
                           lang: FromQuery[str] = "fr", to: FromQuery[str] = "",
                           edits: FromQuery[bool] = False) -> Response[str]:
        kept = request.session.get(EDITS_KEY) or {}
        fields = kept.get("fields") if edits and kept.get("campaign") == campaign_id else None
        message, _ = await sending_desk.preview_draft(staff, campaign_id, to.strip() or None, lang, fields)
        # The message's own HTML, shown alone: inline styles only, no script, no request but its images.
        return Response(_parts(message)[1].get_content(), media_type="text/html",
                        headers={"Content-Security-Policy": PREVIEW_POLICY})

    @get("/{campaign_id:int}/confirm")
    async def confirm_page(self, request: Request, staff: NamedDependency[Staff], campaign_id: RowId) -> Template:
        campaign, found = await campaign_operations.audience(staff, campaign_id)
        return render(request, "campaign_confirm.html", staff, campaign=campaign, audience=found, error="")

    @post("/{campaign_id:int}/duplicate", status_code=303)
    async def duplicate(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        copy = await campaign_operations.duplicate(staff, campaign_id)
        return Redirect(f"/staff/campaigns/{copy.id}/edit?notice=duplicated", status_code=303)

    @post("/{campaign_id:int}/delete", status_code=303)
    async def delete_draft(self, staff: NamedDependency[Staff], campaign_id: RowId) -> Redirect:
        await campaign_operations.delete(staff, campaign_id)
        return Redirect("/staff/campaigns/?notice=deleted", status_code=303)

    async def _page(self, request: Request, staff: Staff, campaign_id: int, values: dict[str, str], lang: str,
                    to: str, *, edits: bool, error: str = "") -> Template:
        campaign = await campaign_operations.campaign_for(staff, campaign_id)
        lang = lang if lang in ("fr", "en") else "fr"
        text, found, preview_lang = "", False, lang
        try:
            message, found = await sending_desk.preview_draft(staff, campaign_id, to or None, lang,
                                                              values if edits else None)
            text_part = _parts(message)[0]
            text, preview_lang = text_part.get_content(), str(text_part.get("Content-Language", "") or lang)
        except ContactsError as problem:
            error = error or said(problem, staff)
            edits = False
        frame_query = {"lang": lang, "to": to, "edits": "true" if edits else "false"}
        return editor_page(request, "campaign_edit.html", staff, status_code=400 if error else 200,
                           campaign=campaign, values=values, sample_lang=lang, preview_lang=preview_lang, to=to, found=found,
                           preview_text=text,
                           frame_query=frame_query, widths=WIDTHS, error=error)


def _parts(message: bytes) -> list[EmailMessage]:
    """A campaign preview's text and HTML parts: multipart/alternative, read with policy.default."""
    return cast(list[EmailMessage], message_from_bytes(message, policy=policy.default).get_payload())
