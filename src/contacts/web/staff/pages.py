"""What every staff page shares: who is signed in, the layout's context, the headers, and sign-in itself.

Staff pages use a server-side session (a cookie scoped to /staff, HttpOnly, SameSite=Strict) and CSRF
tokens on every form; the recipients' pages set no cookie at all (REQ-11), so both live only under /staff.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.exceptions import HTTPException
from litestar.response import Redirect, Template

from contacts.domain import Permission
from contacts.errors import AuthenticationError, ContactsError, PermissionDeniedError
from contacts.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_, gettext, language_of
from contacts.services import dashboard
from contacts.services.staff import accounts as staff_service
from contacts.services.staff.accounts import Staff
from contacts.settings import get_settings
from contacts.web.error_status import status_of
from contacts.web.public.pages import (
    SECURITY_HEADERS,  # the same strict policy as the recipients' pages
    accepted_language,
)
from contacts.web.staff.sessions import renew_session_id

log = logging.getLogger(__name__)

# Idle sessions end after this; any session after SESSION_LIFETIME, however busy.
SESSION_IDLE = timedelta(minutes=30)
SESSION_LIFETIME = timedelta(hours=10)


async def provide_signed_in(request: Request) -> Staff:
    """The signed-in account; AuthenticationError (a redirect to the sign-in page) otherwise."""
    session = request.session or {}
    user_id, signed_in_at = session.get("user"), session.get("signed_in_at")
    if not user_id or not signed_in_at:
        raise AuthenticationError(N_("sign in"))
    if datetime.now(UTC) - datetime.fromisoformat(signed_in_at) > SESSION_LIFETIME:
        request.clear_session()
        raise AuthenticationError(N_("the session has ended; sign in again"))
    account = await staff_service.active_user(user_id)
    if account is None:
        request.clear_session()
        raise AuthenticationError(N_("sign in"))
    # The navigation leaves out what leads nowhere for an account with no list of its own (the event team's).
    request.state.own_lists = await dashboard.has_lists(account)
    return account


def sign_in(request: Request, account: Staff) -> None:
    """The session goes under a new id: one learnt or planted before signing in opens nothing."""
    renew_session_id(request)
    request.set_session({"user": account.id, "signed_in_at": datetime.now(UTC).isoformat(),
                         "lang": account.language})


def session_language(request: Request) -> str:
    """The signed-in account's language as its session knows it (for pages rendered without the account)."""
    session = request.scope.get("session")
    return language_of(session.get("lang") if isinstance(session, dict) else None)


# The account's language, kept in a cookie of its own beside the session: a path that matches no staff
# route is answered before the session is read, and its error page still speaks the account's language.
LANGUAGE_COOKIE = "contacts_staff_lang"


def language_cookie(lang: str | None) -> Cookie:
    """Set at sign-in and when the account's language changes; `None` forgets it (signing out)."""
    return Cookie(key=LANGUAGE_COOKIE, value=lang or "", path="/staff", httponly=True, samesite="strict",
                  secure=get_settings().base_url.startswith("https://"),
                  max_age=0 if lang is None else 400 * 24 * 3600)


def error_language(request: Request) -> str:
    """An error page's language: the signed-in account's, else what the browser asks, else French."""
    session = request.scope.get("session")
    if isinstance(session, dict) and session.get("lang") in LANGUAGES:
        return str(session["lang"])
    if (remembered := request.cookies.get(LANGUAGE_COOKIE)) in LANGUAGES:
        return str(remembered)
    return accepted_language(request.headers.get("accept-language", ""))


# What a redirect's ?notice= says on the page it lands on.
NOTICES = {
    "created": N_("The draft campaign is created."),
    "edited": N_("The draft is saved."),
    "duplicated": N_("This is a new draft, a copy of the campaign: edit it, then send it."),
    "deleted": N_("The draft is deleted."),
    "test-sent": N_("The test messages are sent."),
    "sending": N_("Sending has started."),
    "paused": N_("The campaign is paused; Resume sends the rest."),
    "cancelled": N_("The campaign is cancelled: nothing more of it is sent."),
    "withdrawn-from-archive": N_("The campaign is withdrawn from the public archive: its page there now says so."),
    "counting-on": N_("Link clicks are counted, in aggregate, for messages sent from now on."),
    "counting-off": N_("Link clicks are no longer counted: links go straight to their targets in messages sent from now on."),
    "approved": N_("The campaign is approved: it may now be scheduled or sent. A change to its content withdraws the "
                   "approval."),
    "scheduled": N_("The campaign is scheduled: it starts by itself at its time."),
    "unscheduled": N_("The campaign is back to draft: it starts only when sent or scheduled again."),
    "purpose-approval": N_("The purpose's setting is saved."),
    "signed-out": N_("You are signed out."),
    "attended": N_("Attendance is saved."),
    "event-created": N_("The event is created: now build its guest list below."),
    "event-edited": N_("The event is saved; if its time or place changed, the guests who accepted are told."),
    "event-cancelled": N_("The event is cancelled; the guests who accepted or are waiting are told."),
    "rectified": N_("The contact is corrected; the change is in its consent history."),
    "rights-created": N_("The request is recorded; its due date is below."),
    "rights-identity-asked": N_("The person is asked for proof of identity; the clock stands still until it is verified."),
    "rights-document-added": N_("The document is stored sealed; it is deleted as soon as the identity is verified."),
    "rights-verified": N_("The identity is verified; any document is deleted and the clock runs again."),
    "rights-extended": N_("The extension is recorded and its notice sent."),
    "rights-answered": N_("The request is answered: what was done is below, and the person is told."),
    "rights-refused": N_("The refusal is recorded and sent with its ground."),
    "rights-recipient-told": N_("The recipient is recorded as told."),
    "rights-restriction-lifted": N_("The person is told, and the restriction is lifted."),
    "death-notice-kept": N_("The death notice is recorded: the data is kept, stored only, and never mailed again."),
    "death-notice-communicated": N_("The death notice is recorded: the executor is sent a link to the data."),
    "death-notice-erased": N_("The death notice is recorded: the person's data is erased, as they asked."),
    "after-death-revoked": N_("The after-death instructions are revoked."),
    "media-added": N_("The image is added: copy its Markdown line into a campaign's body."),
    "media-exists": N_("This image was already in the library: here it is, with its alt texts unchanged."),
    "media-described": N_("The alt texts are saved."),
    "media-deleted": N_("The image is deleted."),
}


def render(request: Request, template: str, staff: Staff | None, status_code: int = 200, lang: str | None = None,
           **context: Any) -> Template:
    """A staff page in the account's language (French before signing in), or in `lang`."""
    lang = lang or (staff.language if staff else session_language(request))
    notice = NOTICES.get(request.query_params.get("notice", ""))
    return Template(template_name=f"staff/{template}", status_code=status_code, context={
        "staff": staff, "path": request.url.path, "lang": lang, "notice": gettext(lang, notice) if notice else "",
        "permissions": Permission, "mail_catcher": get_settings().mail_catcher,
        "own_lists": request.state.get("own_lists", True), **context})


def said(error: Exception, staff: Staff | None) -> str:
    """An error's message in the account's language, when it was written for the catalogue."""
    if isinstance(error, ContactsError):
        return error.said_in(staff.language if staff else DEFAULT_LANGUAGE)
    return str(error)


def signed_out(request: Request, error: AuthenticationError) -> Response:
    """Pages send the browser to sign in, and back to where it was going afterwards."""
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/staff/login?next={quote(target)}", status_code=303)


def refused(request: Request, error: ContactsError) -> Template:
    title = N_("Not allowed") if isinstance(error, PermissionDeniedError) else N_("That did not work")
    return _error_page(request, status_of(error), error, title)


# Litestar's own refusals on staff pages (a bad id in a path, a stale CSRF token, an unknown caught mail).
# Litestar's own details, marked for the catalogue so that the error page says them in the page's language.
LITESTAR_DETAILS = (N_("Not Found"), N_("Method Not Allowed"), N_("Bad Request"))
HTTP_TITLES = {400: N_("That did not work"), 403: N_("Not allowed"), 404: N_("Not found"),
               405: N_("Not allowed here")}


def refused_by_litestar(request: Request, error: HTTPException) -> Template:
    status = error.status_code
    message = (N_("The form had expired or came from elsewhere: go back, reload the page and try again.")
               if "CSRF" in str(error.detail) else str(error.detail))
    page = _error_page(request, status, message, HTTP_TITLES.get(status, N_("That did not work")))
    page.headers.update(error.headers or {})
    return page


def crashed(request: Request, error: Exception) -> Template:
    """A staff page that failed: logged, and said as a page, never as the API's JSON body."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=error)
    return _error_page(request, 500, N_("Something went wrong on our side. Try again in a moment; if it happens "
                                        "again, tell an administrator."), N_("Server error"))


def _error_page(request: Request, status: int, message: str | ContactsError, title: str) -> Template:
    lang = error_language(request)
    said_here = message.said_in(lang) if isinstance(message, ContactsError) else gettext(lang, message)
    page = render(request, "error.html", None, status_code=status, lang=lang, message=said_here,
                  title=gettext(lang, title))
    # An exception handler's answer does not get the router's response headers: the page brings its own.
    page.headers.update({header.name: header.value for header in SECURITY_HEADERS if header.value})
    return page
